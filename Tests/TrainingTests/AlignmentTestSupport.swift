import Foundation
import Models
import TensorEngine
import Testing

/// Helpers shared by the alignment tests.
enum Align {
  /// A one-layer GPT-2-shaped model whose weights come from a private seeded generator.
  /// `GPTModel(config:)` would draw from the engine's global generator, which tests running
  /// in parallel share (the pretraining resume test needs it undisturbed), so the weights
  /// are built here by name: N(0, std²) matrices, zero biases, unit norm weights.
  static func tinyModel(vocabulary: Int = 8, context: Int = 12, dim: Int = 16, seed: UInt64 = 1, std: Float = 0.02) throws -> GPTModel {
    var c = GPTConfig()
    c.layers = 1; c.dim = dim; c.heads = 2; c.context = context; c.vocabulary = vocabulary
    let d = dim, h = c.mlpHidden
    var rng = RandomGenerator(seed: seed)
    func normal(_ shape: [Int]) throws -> Tensor {
      var v = [Float](repeating: 0, count: shape.reduce(1, *))
      v.withUnsafeMutableBufferPointer { rng.fillNormal($0, std: std) }
      return try Tensor(shape: shape, values: v)
    }
    var w: [String: Tensor] = [
      "transformer.wte.weight": try normal([vocabulary, d]), "transformer.wpe.weight": try normal([context, d]),
      "transformer.ln_f.weight": Tensor.ones([d]), "transformer.ln_f.bias": Tensor.zeros([d]),
    ]
    let block = "transformer.h.0."
    for norm in ["ln_1", "ln_2"] {
      w[block + norm + ".weight"] = Tensor.ones([d])
      w[block + norm + ".bias"] = Tensor.zeros([d])
    }
    for (name, input, output) in [("attn.c_attn", d, 3 * d), ("attn.c_proj", d, d), ("mlp.c_fc", d, h), ("mlp.c_proj", h, d)] {
      w[block + name + ".weight"] = try normal([input, output])
      w[block + name + ".bias"] = Tensor.zeros([output])
    }
    return try GPTModel(config: c, weights: w)
  }

  /// |a − b| ≤ tolerance element-wise.
  static func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tolerance }
  }

  /// The analytic gradient of the scalar f(inputs) against central differences, element by
  /// element of every input: |analytic − numeric| ≤ 2e-4 + 1e-3·|numeric|. With h = 1e-2 the
  /// float32 rounding of f (~1e-7) contributes ~1e-5 and the truncation h²·f‴/6 less than that
  /// for the smooth losses checked here. Returns the analytic gradients.
  @discardableResult
  static func checkGradients(
    _ inputs: [Tensor], h: Float = 1e-2, sourceLocation: SourceLocation = #_sourceLocation,
    _ f: ([Tensor]) throws -> Tensor
  ) throws -> [[Float]] {
    let params = inputs.map { $0.requiringGrad() }
    try f(params).backward()
    var analytic: [[Float]] = []
    for (i, x) in inputs.enumerated() {
      let a = params[i].grad?.toArray() ?? [Float](repeating: 0, count: x.count)
      analytic.append(a)
      let base = x.toArray()
      for j in base.indices {
        func value(_ delta: Float) throws -> Double {
          var v = base
          v[j] += delta
          var xs = inputs
          xs[i] = try Tensor(shape: x.shape, values: v)
          return Double(try GradMode.withoutGradients { try f(xs).item() })
        }
        let numeric = (try value(h) - value(-h)) / Double(2 * h)
        let error = Swift.abs(Double(a[j]) - numeric)
        #expect(
          error <= 2e-4 + 1e-3 * Swift.abs(numeric),
          "input \(i) element \(j): analytic \(a[j]), numeric \(numeric)", sourceLocation: sourceLocation)
      }
    }
    return analytic
  }

  static func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
}
