import Foundation
import Models
import TensorEngine
import Testing
@testable import Training

@Suite("Held-out measurements: paired changes and the KL to a reference")
struct HeldOutMeasureTests {
  @Test("a paired change has the means of both sides and the standard error of the differences")
  func pairedChange() {
    // Differences 1, 0, 1, 0: mean 0.5, sample variance 1/3, standard error √(1/3 / 4).
    let c = PairedChange(before: [0, 1, 0, 1], after: [1, 1, 1, 1])
    #expect(c.before == 0.5 && c.after == 1 && c.change == 0.5)
    #expect(Swift.abs(c.standardError - (1.0 / 12).squareRoot()) < 1e-12)
    // The same change on every pair is no luck at all.
    #expect(PairedChange(before: [0, 0, 0], after: [1, 1, 1]).standardError == 0)
    #expect(PairedChange(before: [], after: []).before.isNaN)
    #expect(PairedChange(before: [1], after: [1, 2]).standardError.isNaN)
  }

  static let prompt = "写一首五言绝句，以「春」字开头。"

  static func evaluate(_ model: GPTModel, _ tokenizer: Tokenizer) throws -> ChatEvaluation {
    try ChatEvaluation.run(model: model, tokenizer: tokenizer, prompts: [prompt, prompt], samplesPerPrompt: 3, maxTokens: 12)
  }

  @Test("the KL to an identical reference is 0, and to another model positive")
  func klPerToken() throws {
    let tokenizer = CharacterTokenizer(training: [Self.prompt + "春风，明月"])
    let policy = try Align.tinyModel(vocabulary: tokenizer.vocabularySize, context: 48, std: 0.5)
    let evaluation = try Self.evaluate(policy, tokenizer)
    #expect(evaluation.passed.count == 6 && evaluation.answerTokens.count == 6)
    #expect(evaluation.ruleRate == Double(evaluation.passed.filter { $0 }.count) / 6)
    #expect(Swift.abs(try evaluation.klPerToken(policy: policy, reference: try policy.copy(frozen: true))) < 1e-6)
    let other = try Align.tinyModel(vocabulary: tokenizer.vocabularySize, context: 48, seed: 2, std: 0.5)
    #expect(try evaluation.klPerToken(policy: policy, reference: other) > 1e-3)
  }

  @Test("a rule change pairs the answers of two evaluations")
  func ruleChange() throws {
    let tokenizer = CharacterTokenizer(training: [Self.prompt])
    let model = try Align.tinyModel(vocabulary: tokenizer.vocabularySize, context: 48)
    let a = try Self.evaluate(model, tokenizer)
    var b = a
    b.passed = b.passed.map { _ in true }
    let change = ChatEvaluation.ruleChange(before: a, after: b)
    #expect(change.before == a.ruleRate && change.after == 1)
  }
}
