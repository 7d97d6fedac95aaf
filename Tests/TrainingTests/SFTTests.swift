import Testing
import TensorEngine
import Models
@testable import Training

@Suite("Supervised fine-tuning")
struct SFTTests {
  static let tokenizer = CharacterTokenizer(training: ["写一首诗床前明月光，。"])

  static func conversation(_ answer: String) -> [ChatMessage] {
    [ChatMessage(role: .system, content: "诗"), ChatMessage(role: .user, content: "写一首诗"), ChatMessage(role: .assistant, content: answer)]
  }

  @Test("only the assistant's tokens and its end-of-turn token are trained")
  func masking() throws {
    let tok = Self.tokenizer
    let ex = try SFTExample(messages: Self.conversation("明月光"), tokenizer: tok)
    let text = ex.ids.map { tok.tokenText($0) }
    // <|system|> 诗 <|end|> <|user|> 写 一 首 诗 <|end|> <|assistant|> 明 月 光 <|end|>
    #expect(text == ["<|system|>", "诗", "<|end|>", "<|user|>", "写", "一", "首", "诗", "<|end|>", "<|assistant|>", "明", "月", "光", "<|end|>"])
    #expect(ex.trained == [false, false, false, false, false, false, false, false, false, false, true, true, true, true])
  }

  @Test("labels are the next token where it is trained, -100 elsewhere")
  func labels() throws {
    let tok = Self.tokenizer
    let ex = try SFTExample(messages: Self.conversation("明月"), tokenizer: tok)
    let data = try SFTData(examples: [ex], context: 16, tokenizer: tok)
    let row = data.rows[0]
    let end = tok.specialTokens["<|end|>"]!
    // Inputs are ids[0..<n-1]; position 9 (<|assistant|>) predicts 明, 10 predicts 月, 11 predicts <|end|>.
    #expect(row.labels[9] == tok.encode("明")[0])
    #expect(row.labels[10] == tok.encode("月")[0])
    #expect(row.labels[11] == end)
    #expect(row.labels[0..<9].allSatisfy { $0 == -100 })
    #expect(row.labels[12...].allSatisfy { $0 == -100 })
    #expect(data.report.trainedTokens == 3)
    #expect(data.report.trainedEndOfTurn == 1)
    #expect(data.report.warnings.isEmpty)
  }

  @Test("the mask check fails loudly when nothing is trained")
  func nothingTrained() throws {
    let tok = Self.tokenizer
    let ex = try SFTExample(messages: [ChatMessage(role: .user, content: "写一首诗")], tokenizer: tok)
    #expect(throws: ModelError.self) { try SFTData(examples: [ex], context: 16, tokenizer: tok) }
  }

  @Test("the mask check warns when the end-of-turn token is never trained")
  func endNeverTrained() throws {
    let tok = Self.tokenizer
    // The answer is cut by the context before its end-of-turn token.
    let ex = try SFTExample(messages: Self.conversation("床前明月光，床前明月光。"), tokenizer: tok)
    let data = try SFTData(examples: [ex], context: 14, tokenizer: tok)
    #expect(data.report.trainedEndOfTurn == 0)
    #expect(data.report.warnings.contains { $0.contains("never trained") })
    #expect(data.report.truncated == 1)
  }

  @Test("short conversations are packed into one row")
  func packing() throws {
    let tok = Self.tokenizer
    let a = try SFTExample(messages: [ChatMessage(role: .user, content: "写"), ChatMessage(role: .assistant, content: "明")], tokenizer: tok)
    let packed = try SFTData(examples: [a, a, a], context: 20, tokenizer: tok)
    let unpacked = try SFTData(examples: [a, a, a], context: 20, tokenizer: tok, pack: false)
    #expect(packed.rows.count == 1)
    #expect(unpacked.rows.count == 3)
    #expect(packed.report.trainedTokens == 6)
  }

  @Test("fine-tuning lowers the loss on the answers, through LoRA too", arguments: [false, true])
  func trains(lora: Bool) throws {
    let tok = Self.tokenizer
    var c = GPTConfig()
    c.layers = 1; c.dim = 32; c.heads = 2; c.context = 24; c.vocabulary = tok.vocabularySize
    Random.seed(1)
    let model = try GPTModel(config: c)
    // Rank 16 of 32: a tiny random model needs room to move its outputs toward 7 targets.
    if lora { try model.addLoRA(rank: 16, alpha: 16, targets: ["attn", "mlp"]) }
    let data = try SFTData(examples: [try SFTExample(messages: Self.conversation("床前明月光，"), tokenizer: tok)], context: 24, tokenizer: tok)
    var o = SFTOptions()
    o.steps = 80; o.batch = 2; o.learningRate = lora ? 1e-2 : 3e-3; o.warmup = 5
    let report = try SFTTrainer(model: model, data: data, options: o).run(onStep: { _, _ in }, shouldStop: { false })
    // Full fine-tuning fits the answer; adapters on a random (unpretrained) base move it
    // less, since the frozen projections they feed have tiny outputs — but they must move it.
    #expect(report.curve.last!.1 < report.curve.first!.1 * (lora ? 0.85 : 0.5))
    if lora { #expect(report.trainedParameters < model.parameterCount) }
  }
}
