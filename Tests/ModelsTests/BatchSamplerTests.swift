import Testing
import TensorEngine
@testable import Models

/// Several sequences decoded together against each decoded alone.
@Suite("Batched decoding", .serialized)
struct BatchSamplerTests {
  static let tokenizer = CharacterTokenizer(training: ["春眠不觉晓处闻啼鸟夜来风雨声花落知多少"])

  static func model(seed: UInt64, context: Int = 24) throws -> GPTModel {
    var c = DecoderTests.config(tied: true, bias: true)
    c.context = context
    c.vocabulary = tokenizer.vocabularySize
    Random.seed(seed)
    return try GPTModel(config: c)
  }

  @Test("each row of a batch gets the logits it would get alone, at its own position")
  func rowsMatchSingleDecoding() throws {
    let model = try Self.model(seed: 31)
    let sequences = [[3, 1, 4, 1, 5, 9], [2, 7, 1], [8, 8, 8, 8, 2, 2], [6]]
    let batch = try #require(GPTModel.Decoder(model: model, rows: sequences.count))
    let single = try #require(GPTModel.Decoder(model: model))
    var expected: [[[Float]]] = []
    for s in sequences {
      single.reset()
      expected.append(try s.map { try single.feed($0); return single.withLogits { Array($0) } })
    }
    for t in 0..<6 {
      // A row whose sequence has ended is fed -1 and stays where it is.
      try batch.feed(sequences.map { t < $0.count ? $0[t] : -1 })
      for (r, s) in sequences.enumerated() where t < s.count {
        DecoderTests().expectAll(batch.withLogits(row: r) { Array($0) }, expected[r][t])
      }
    }
    #expect(batch.lengths == sequences.map(\.count))
    #expect(throws: TensorError.self) { try batch.feed([1, 2]) }
  }

  @Test("a batch of prompts samples what each prompt samples alone, with the same seeds", arguments: [0, 5])
  func batchMatchesSequential(topK: Int) throws {
    let model = try Self.model(seed: 32)
    let sampler = Sampler(model: model, tokenizer: Self.tokenizer)
    let prompts = ["春眠", "春眠", "夜来风雨", "", "花"]
    var o = SamplingOptions()
    o.maxTokens = 12
    o.temperature = 0.9
    o.topK = topK
    o.stopTokens = [Self.tokenizer.encode("鸟")[0]]
    o.stop = ["风", "知多"]
    let seeds: [UInt64] = [1, 2, 3, 4, 5]
    // Two rows at a time: the batches are cut in the middle of the list too.
    let batched = try #require(try sampler.generate(prompts: prompts, seeds: seeds, options: o, rows: 2))
    for (i, prompt) in prompts.enumerated() {
      var one = o
      one.seed = seeds[i]
      let alone = try sampler.generate(prompt: prompt, options: one)
      #expect(batched[i].tokens == alone.tokens && batched[i].text == alone.text, "prompt \(i)")
      #expect(batched[i].stoppedBy == alone.stoppedBy && batched[i].stopToken == alone.stopToken, "prompt \(i)")
    }
    #expect(batched[0].tokens != batched[1].tokens)  // one prompt, two seeds
    // Both stop paths are taken: a stop token, and a stop string cut from the text.
    #expect(batched.contains { $0.stoppedBy == "stop token" } && batched.contains { $0.stoppedBy.hasPrefix("stop \"") })
  }

  @Test("rows stop when the context is full, as a single answer does")
  func contextFull() throws {
    let model = try Self.model(seed: 33, context: 6)
    let sampler = Sampler(model: model, tokenizer: Self.tokenizer)
    var o = SamplingOptions()
    o.maxTokens = 20
    let batched = try #require(try sampler.generate(prompts: ["春眠不", "花"], seeds: [7, 8], options: o))
    for (i, prompt) in ["春眠不", "花"].enumerated() {
      o.seed = [7, 8][i]
      let alone = try sampler.generate(prompt: prompt, options: o)
      #expect(batched[i].tokens == alone.tokens && batched[i].stoppedBy == "context full" && alone.stoppedBy == "context full")
    }
  }

  @Test("a batch's KV caches stay within their memory budget")
  func rowsPerBatch() {
    var small = GPTConfig()
    small.layers = 4; small.dim = 128; small.heads = 4; small.context = 64
    #expect(Sampler.rowsPerBatch(small, requested: 64) == 64)
    var gpt2 = GPTConfig()
    gpt2.layers = 12; gpt2.dim = 768; gpt2.heads = 12; gpt2.context = 1024
    #expect(Sampler.rowsPerBatch(gpt2, requested: 64) == 3)
    gpt2.layers = 1000
    #expect(Sampler.rowsPerBatch(gpt2, requested: 64) == 1)
  }

  @Test("an interrupt between tokens returns nothing")
  func interrupted() throws {
    let sampler = Sampler(model: try Self.model(seed: 34), tokenizer: Self.tokenizer)
    var calls = 0
    let result = try sampler.generate(prompts: ["春"], seeds: [1], options: SamplingOptions(), shouldStop: { calls += 1; return calls > 3 })
    #expect(result == nil)
  }
}
