import Testing
import TensorEngine
@testable import Models

/// The allocation-free sampling path against the general forward pass.
@Suite("Decoder and KV cache", .serialized)
struct DecoderTests {
  static func config(tied: Bool, bias: Bool) -> GPTConfig {
    var c = GPTConfig()
    c.layers = 2; c.dim = 16; c.heads = 2; c.context = 8; c.vocabulary = 11
    c.tiedEmbeddings = tied; c.bias = bias
    return c
  }

  @Test("the decoder gives a full forward pass's logits, position by position", arguments: [(true, true), (false, false)])
  func decoderMatchesForward(_ layout: (Bool, Bool)) throws {
    Random.seed(21)
    let model = try GPTModel(config: Self.config(tied: layout.0, bias: layout.1))
    let tokens = [3, 1, 4, 1, 5, 9, 2, 6]
    let full = try GradMode.withoutGradients { try model.forward(Tensor(shape: [1, 8], values: tokens.map(Float.init))) }
    let decoder = try #require(GPTModel.Decoder(model: model))
    for _ in 0..<2 {  // a second sequence after reset reuses the buffers
      decoder.reset()
      for (t, token) in tokens.enumerated() {
        try decoder.feed(token)
        let expected = try full.selected(axis: 0, index: 0).selected(axis: 0, index: t).toArray()
        let got = decoder.withLogits { Array($0) }
        for (a, b) in zip(got, expected) { #expect(abs(a - b) < 1e-4) }
      }
    }
    #expect(throws: TensorError.self) { try decoder.feed(0) }  // the context is full
  }

  @Test("the decoder continues from a prompt the general forward pass cached")
  func decoderAfterPrompt() throws {
    Random.seed(24)
    let model = try GPTModel(config: Self.config(tied: true, bias: true))
    let tokens = [5, 3, 5, 8, 9, 7, 9]
    let full = try GradMode.withoutGradients { try model.forward(Tensor(shape: [1, 7], values: tokens.map(Float.init))) }
    let cache = GPTModel.KVCache(layers: 2)
    _ = try GradMode.withoutGradients { try model.forward(Tensor(shape: [1, 4], values: tokens.prefix(4).map(Float.init)), cache: cache) }
    let decoder = try #require(GPTModel.Decoder(model: model))
    try decoder.start(after: cache)
    for t in 4..<7 {
      try decoder.feed(tokens[t])
      expectAll(decoder.withLogits { Array($0) }, try full.selected(axis: 0, index: 0).selected(axis: 0, index: t).toArray())
    }
  }

  @Test("no decoder for LLaMA's layout")
  func noDecoderForLLaMA() throws {
    var c = Self.config(tied: false, bias: false)
    c.positions = .rotary; c.normalization = .rms; c.mlp = .swiglu
    Random.seed(22)
    #expect(GPTModel.Decoder(model: try GPTModel(config: c)) == nil)
  }

  @Test("a KV cache filled by a prompt, then token by token, gives the full pass's logits")
  func cacheAfterPrompt() throws {
    Random.seed(23)
    let model = try GPTModel(config: Self.config(tied: true, bias: true))
    let ids = try Tensor(shape: [1, 7], values: [2, 7, 1, 8, 2, 8, 1])
    let full = try GradMode.withoutGradients { try model.forward(ids) }
    let cache = GPTModel.KVCache(layers: 2)
    let prompt = try GradMode.withoutGradients { try model.forward(ids.sliced(axis: 1, start: 0, end: 4), cache: cache) }
    expectAll(prompt.toArray(), try full.sliced(axis: 1, start: 0, end: 4).toArray())
    for t in 4..<7 {
      let step = try GradMode.withoutGradients { try model.forward(ids.sliced(axis: 1, start: t, end: t + 1), cache: cache) }
      expectAll(step.toArray(), try full.selected(axis: 1, index: t).toArray())
    }
  }

  @Test("draw follows softmax(logits / temperature)")
  func drawFrequencies() {
    // Probabilities 1/8, 3/8, 1/2 (logits are their logs).
    let logits: [Float] = [0, 1.0986123, 1.3862944]
    var rng = RandomGenerator(seed: 9)
    var counts = [0, 0, 0]
    for _ in 0..<20_000 { counts[logits.withUnsafeBufferPointer { Sampler.draw($0, temperature: 1, rng: &rng) }] += 1 }
    #expect(abs(Double(counts[0]) / 20_000 - 0.125) < 0.01)
    #expect(abs(Double(counts[1]) / 20_000 - 0.375) < 0.015)
    #expect(abs(Double(counts[2]) / 20_000 - 0.5) < 0.015)
  }

  @Test("top-k selection is a stable sort's first k, ties in index order")
  func topIndicesMatchSort() {
    var rng = RandomGenerator(seed: 3)
    for trial in 0..<50 {
      // Few distinct values, so ties are common.
      let values = (0..<(20 + trial)).map { _ in Float(Int(rng.nextUniform() * 7)) }
      let sorted = values.indices.sorted { values[$0] > values[$1] }
      for k in [1, 3, 10, values.count] {
        #expect(Sampler.topIndices(values, k) == Array(sorted.prefix(k)))
      }
    }
  }

  func expectAll(_ a: [Float], _ b: [Float], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, sourceLocation: sourceLocation)
    for (x, y) in zip(a, b) { #expect(abs(x - y) < 1e-4, sourceLocation: sourceLocation) }
  }
}
