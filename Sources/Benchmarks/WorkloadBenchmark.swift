import Foundation
import Models
import TensorEngine

/// The standard side-by-side workloads (the shapes of `shared/bench/workloads.json`, which
/// the PyTorch and transformers peer scripts read): a GPT-2-style decoder with learned
/// positions, pre-LayerNorm, a GELU(tanh) MLP of 4×width and tied embeddings, trained with
/// AdamW on random tokens, or sampled from with a KV cache.
public struct Workload: Sendable {
  public var name: String
  public var layers: Int, dim: Int, heads: Int, context: Int, batch: Int, vocabulary: Int
  public var newTokens: Int?

  public static let all: [Workload] = [
    Workload(name: "train-S", layers: 4, dim: 128, heads: 4, context: 64, batch: 12, vocabulary: 65),
    Workload(name: "train-M", layers: 6, dim: 384, heads: 6, context: 256, batch: 16, vocabulary: 65),
    Workload(name: "train-V", layers: 4, dim: 256, heads: 4, context: 128, batch: 16, vocabulary: 4096),
    Workload(name: "sample-S", layers: 4, dim: 256, heads: 4, context: 128, batch: 1, vocabulary: 512, newTokens: 120),
  ]

  var config: GPTConfig {
    var c = GPTConfig()
    (c.layers, c.dim, c.heads, c.context, c.vocabulary) = (layers, dim, heads, context, vocabulary)
    return c
  }
}

public struct WorkloadBenchmark {
  public let workload: Workload
  public var seconds: Double = 10
  /// Also profile a few training steps (see `StepProfile`).
  public var profile = false
  /// The profile of the last `run()` of a training workload with `profile` set.
  public private(set) var stepProfile: StepProfile?
  public init(workload: Workload) { self.workload = workload }

  /// Peak resident memory of the process so far, in MB.
  static func peakRSS() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
  }

  public mutating func run() throws -> Measurement {
    Random.seed(0)
    let model = try GPTModel(config: workload.config)
    let w = workload
    if let newTokens = w.newTokens {
      // Batch 1, a one-token prompt, newTokens tokens with the KV cache, each drawn as the
      // peer draws them: temperature 1, softmax over the whole vocabulary, one multinomial
      // draw from a seeded generator (not argmax). newTokens forward passes in all.
      // The sampler's own path for this layout: `GPTModel.Decoder`.
      var rng = RandomGenerator(seed: 3)
      guard let decoder = GPTModel.Decoder(model: model) else { throw ModelError("sample workload: no decoder for this layout") }
      func generate() throws {
        decoder.reset()
        try decoder.feed(0)
        for i in 0..<newTokens {
          let next = decoder.withLogits { Sampler.draw($0, temperature: 1, rng: &rng) }
          if i + 1 < newTokens { try decoder.feed(next) }
        }
      }
      try generate()
      var runs = 0
      let start = Timing.now()
      while Timing.now() - start < seconds / 2 || runs < 3 {
        try generate()
        runs += 1
      }
      let perRun = (Timing.now() - start) / Double(runs)
      // Profiled per token: one "step" is one generation of newTokens tokens.
      if profile { stepProfile = try StepProfile.measure(steps: 3, generate) }
      var fields: [(String, MeasurementValue)] = [
        ("workload", .text(w.name)), ("threads", .integer(EngineThreads.count)), ("params", .integer(model.parameterCount)),
        ("sample_tokens_per_s", .number(Double(newTokens) / perRun, digits: 1)), ("peak_rss_mb", .number(Self.peakRSS(), digits: 1)),
      ]
      if let stepProfile { fields.append(("profile", stepProfile.json)) }
      return Measurement(fields)
    }
    let optimizer = try AdamW(parameters: model.parameters.map(\.tensor), learningRate: 3e-4, weightDecay: 0.1)
    var rng = RandomGenerator(seed: 1)
    let count = w.batch * w.context
    let x = try Tensor(shape: [w.batch, w.context], values: (0..<count).map { _ in Float(rng.nextInt(below: w.vocabulary)) })
    let y = try Tensor(shape: [w.batch, w.context], values: (0..<count).map { _ in Float(rng.nextInt(below: w.vocabulary)) })
    func step() throws {
      optimizer.zeroGrad()
      let loss = try model.loss(ids: x, targets: y)
      try loss.backward()
      try optimizer.step()
    }
    for _ in 0..<3 { try step() }
    var steps = 0
    let start = Timing.now()
    while Timing.now() - start < seconds || steps < 3 {
      try step()
      steps += 1
    }
    let perStep = (Timing.now() - start) / Double(steps)
    if profile { stepProfile = try StepProfile.measure(steps: Swift.max(3, Swift.min(steps, 20)), step) }
    let tokens = Double(count)
    // Model FLOPs per step, as the peers count them: 6·N·tokens + 12·layers·width·context·tokens.
    let flops = 6 * Double(model.parameterCount) * tokens + 12 * Double(w.layers * w.dim * w.context) * tokens
    var fields: [(String, MeasurementValue)] = [
      ("workload", .text(w.name)), ("threads", .integer(EngineThreads.count)), ("params", .integer(model.parameterCount)),
      ("ms_per_step", .number(perStep * 1000, digits: 2)), ("train_tokens_per_s", .number(tokens / perStep, digits: 0)),
      ("gflops", .number(flops / perStep / 1e9, digits: 2)), ("peak_rss_mb", .number(Self.peakRSS(), digits: 1)),
    ]
    if let stepProfile { fields.append(("profile", stepProfile.json)) }
    return Measurement(fields)
  }
}
