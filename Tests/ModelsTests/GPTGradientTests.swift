import Testing
import TensorEngine
@testable import Models

/// The whole model's gradients, checked against central finite differences on a tiny
/// configuration, for both checkpoint layouts.
@Suite("GPT model", .serialized)
struct GPTGradientTests {
  static let layouts: [(String, GPTConfig)] = {
    var gpt2 = GPTConfig()
    gpt2.layers = 2; gpt2.dim = 8; gpt2.heads = 2; gpt2.context = 6; gpt2.vocabulary = 11
    var llama = gpt2
    llama.positions = .rotary; llama.normalization = .rms; llama.mlp = .swiglu; llama.bias = false; llama.tiedEmbeddings = false
    return [("gpt2", gpt2), ("llama", llama)]
  }()

  @Test("whole-model gradients match finite differences", arguments: [0, 1])
  func wholeModelGradients(_ which: Int) throws {
    let (_, config) = Self.layouts[which]
    Random.seed(11)
    let model = try GPTModel(config: config)
    let ids = try Tensor(shape: [2, 5], values: [1, 4, 2, 9, 3, 0, 7, 7, 5, 10])
    let targets = try Tensor(shape: [2, 5], values: [4, 2, 9, 3, 6, 7, 7, 5, 10, -100])
    func loss() throws -> Float { try GradMode.withoutGradients { try model.loss(ids: ids, targets: targets, training: false).item() } }
    let l = try model.loss(ids: ids, targets: targets, training: false)
    try l.backward()
    var checked = 0
    for (name, p) in model.parameters {
      let g = try #require(p.grad, "no gradient for \(name)")
      // A few elements per parameter keep the check fast.
      for i in stride(from: 0, to: p.count, by: Swift.max(1, p.count / 3)) {
        let original = p.storage.base[i]
        let h: Float = 3e-3
        p.storage.base[i] = original + h
        let up = try loss()
        p.storage.base[i] = original - h
        let down = try loss()
        p.storage.base[i] = original
        let numeric = (up - down) / (2 * h)
        let analytic = g.toArray()[i]
        #expect(abs(numeric - analytic) <= 2e-3 + 2e-2 * abs(numeric), "\(name)[\(i)]: analytic \(analytic), numeric \(numeric)")
        checked += 1
      }
    }
    #expect(checked > 20)
  }

  @Test("the KV cache gives the same logits as a full forward pass", arguments: [0, 1])
  func cacheMatchesFullForward(_ which: Int) throws {
    let (_, config) = Self.layouts[which]
    Random.seed(3)
    let model = try GPTModel(config: config)
    let ids = try Tensor(shape: [1, 6], values: [1, 4, 2, 9, 3, 0])
    let full = try GradMode.withoutGradients { try model.forward(ids) }
    let cache = GPTModel.KVCache(layers: config.layers)
    var last: [Float] = []
    for t in 0..<6 {
      let step = try GradMode.withoutGradients { try model.forward(ids.sliced(axis: 1, start: t, end: t + 1), cache: cache) }
      last = step.toArray()
      let expected = try full.selected(axis: 1, index: t).toArray()
      for (a, b) in zip(last, expected) { #expect(abs(a - b) < 1e-4) }
    }
    #expect(!last.isEmpty)
  }
}
