import Foundation
import Models
import TensorEngine

/// Answers to held-out prompts, and what the alignment stages measure on them: whether the
/// answer follows the chat format (ends its turn with the end-of-turn token) and whether it
/// passes the poem rule.
public struct ChatEvaluation: Sendable {
  public var prompts: [String]
  public var answers: [String]
  /// Answers that ended with the end-of-turn token (not cut by the token limit).
  public var formatRate: Double
  /// Answers that pass `PoemRule` for their prompt's request.
  public var ruleRate: Double
  /// The graded rule score (0 ... 1), averaged.
  public var meanRuleScore: Double
  /// Distinct bigrams over all answers' characters: near 0 when answers collapse into repetition.
  public var distinct2: Double

  /// Answers drawn per held-out prompt by default.
  public static let samplesPerPrompt = 3

  /// Answers every prompt `samplesPerPrompt` times with the same seeds, so two models (base
  /// and fine-tuned) are compared on the very same draws. Several answers per prompt make
  /// the rates less noisy than the number of held-out prompts alone allows.
  public static func run(model: GPTModel, tokenizer: Tokenizer, prompts: [String], samplesPerPrompt: Int = ChatEvaluation.samplesPerPrompt, maxTokens: Int = 48,
                         temperature: Float = 0.6, topK: Int = 20, seed: UInt64 = 1234, shouldStop: () -> Bool = { false }) throws -> ChatEvaluation {
    let end = tokenizer.specialTokens[SpecialTokens.endOfTurn]
    var answers: [String] = [], asked: [String] = [], ended = 0, passed = 0, score = 0.0
    let sampler = Sampler(model: model, tokenizer: tokenizer)
    for (i, prompt) in prompts.enumerated() {
      for k in 0..<Swift.max(1, samplesPerPrompt) {
        if shouldStop() { break }
        var o = SamplingOptions()
        o.maxTokens = maxTokens
        o.temperature = temperature
        o.topK = topK
        o.seed = seed &+ UInt64(i) &+ UInt64(k) &* 100_003
        if let end { o.stopTokens.insert(end) }
        if let eot = tokenizer.specialTokens[SpecialTokens.endOfText] { o.stopTokens.insert(eot) }
        let text = ChatTemplate.prompt([ChatMessage(role: .user, content: prompt)])
        let result = try sampler.generate(prompt: text, options: o)
        answers.append(result.text)
        asked.append(prompt)
        if let end, result.stopToken == end, !result.text.isEmpty { ended += 1 }
        if let request = PoemRule.request(in: prompt) {
          if PoemRule.passes(result.text, request) { passed += 1 }
          score += PoemRule.score(result.text, request)
        }
      }
    }
    let n = Double(Swift.max(answers.count, 1))
    return ChatEvaluation(prompts: asked, answers: answers, formatRate: Double(ended) / n,
                          ruleRate: Double(passed) / n, meanRuleScore: score / n, distinct2: distinctBigrams(answers))
  }

  public static func distinctBigrams(_ texts: [String]) -> Double {
    var all = 0
    var seen = Set<String>()
    for t in texts {
      let chars = Array(t.filter { !$0.isWhitespace })
      guard chars.count >= 2 else { continue }
      for i in 0..<(chars.count - 1) {
        all += 1
        seen.insert(String(chars[i]) + String(chars[i + 1]))
      }
    }
    return all == 0 ? 0 : Double(seen.count) / Double(all)
  }
}
