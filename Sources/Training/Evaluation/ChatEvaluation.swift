import Foundation
import Models
import TensorEngine

/// Answers to held-out prompts, and what the alignment stages measure on them: whether the
/// answer follows the chat format (ends its turn with the end-of-turn token) and whether it
/// passes the poem rule.
public struct ChatEvaluation: Sendable {
  public var prompts: [String]
  public var answers: [String]
  /// The chat-template prompt and the sampled answer (with its stop token) as token ids.
  public var promptTokens: [[Int]]
  public var answerTokens: [[Int]]
  /// Answers that ended with the end-of-turn token (not cut by the token limit).
  public var formatRate: Double
  /// Whether each answer passed the rule, in the order of `answers`.
  public var passed: [Bool]
  /// Answers that pass `PoemRule` for their prompt's request.
  public var ruleRate: Double { passed.isEmpty ? 0 : Double(passed.filter { $0 }.count) / Double(passed.count) }
  /// The graded rule score (0 ... 1), averaged.
  public var meanRuleScore: Double
  /// Distinct bigrams over all answers' characters: near 0 when answers collapse into repetition.
  public var distinct2: Double

  /// Answers drawn per held-out prompt by default.
  public static let samplesPerPrompt = 4

  /// Answers every prompt `samplesPerPrompt` times with the same seeds, so two models (base
  /// and fine-tuned) are compared on the very same draws. Several answers per prompt make
  /// the rates less noisy than the number of held-out prompts alone allows.
  public static func run(model: GPTModel, tokenizer: Tokenizer, prompts: [String], samplesPerPrompt: Int = ChatEvaluation.samplesPerPrompt, maxTokens: Int = 48,
                         temperature: Float = 0.6, topK: Int = 20, seed: UInt64 = 1234, shouldStop: () -> Bool = { false }) throws -> ChatEvaluation {
    let end = tokenizer.specialTokens[SpecialTokens.endOfTurn]
    var answers: [String] = [], asked: [String] = [], ended = 0, score = 0.0
    var passed: [Bool] = []
    var promptTokens: [[Int]] = [], answerTokens: [[Int]] = []
    var o = SamplingOptions()
    o.maxTokens = maxTokens
    o.temperature = temperature
    o.topK = topK
    if let end { o.stopTokens.insert(end) }
    if let eot = tokenizer.specialTokens[SpecialTokens.endOfText] { o.stopTokens.insert(eot) }
    let k = Swift.max(1, samplesPerPrompt)
    let texts = prompts.map { ChatTemplate.prompt([ChatMessage(role: .user, content: $0)]) }
    // Every prompt's k answers, decoded together; answer j of prompt i draws from its own seed.
    let order = prompts.indices.flatMap { i in (0..<k).map { (i, $0) } }
    guard
      let results = try Sampler(model: model, tokenizer: tokenizer).generate(
        prompts: order.map { texts[$0.0] }, seeds: order.map { seed &+ UInt64($0.0) &+ UInt64($0.1) &* 100_003 }, options: o,
        shouldStop: shouldStop)
    else { throw ModelError("evaluation: interrupted") }
    for ((i, _), result) in zip(order, results) {
      let prompt = prompts[i]
      answers.append(result.text)
      asked.append(prompt)
      promptTokens.append(tokenizer.encode(texts[i]))
      answerTokens.append(result.tokens + (result.stopToken.map { [$0] } ?? []))
      if let end, result.stopToken == end, !result.text.isEmpty { ended += 1 }
      if let request = PoemRule.request(in: prompt) {
        passed.append(PoemRule.passes(result.text, request))
        score += PoemRule.score(result.text, request)
      } else {
        passed.append(false)
      }
    }
    let n = Double(Swift.max(answers.count, 1))
    return ChatEvaluation(prompts: asked, answers: answers, promptTokens: promptTokens, answerTokens: answerTokens, formatRate: Double(ended) / n,
                          passed: passed, meanRuleScore: score / n, distinct2: distinctBigrams(answers))
  }

  /// The change in the rule pass rate from `before` to `after`, two evaluations of the same
  /// prompts with the same seeds, and the standard error of that change. Answers pair up, so
  /// the error is that of the mean paired difference (each −1, 0 or +1): it says whether a
  /// gain is more than the luck of the draw.
  public static func ruleChange(before: ChatEvaluation, after: ChatEvaluation) -> PairedChange {
    PairedChange(before: before.passed.map { $0 ? 1 : 0 }, after: after.passed.map { $0 ? 1 : 0 })
  }

  /// How far `policy` has moved from `reference` where it answers: the KL divergence
  /// KL(π‖π_ref) between the two models' next-token distributions (full vocabulary, exact),
  /// averaged over the tokens of these answers. Unlike a sampled log-ratio it is never
  /// negative, and it is 0 exactly when the two models agree along the answers.
  public func klPerToken(policy: GPTModel, reference: GPTModel) throws -> Double {
    let rows = zip(promptTokens, answerTokens).filter { !$0.0.isEmpty && !$0.1.isEmpty }
    guard !rows.isEmpty else { return .nan }
    return try GradMode.withoutGradients {
      var total = 0.0, tokens = 0
      // Batches of 16 answers keep the [B, T, vocab] distributions small.
      for chunk in stride(from: 0, to: rows.count, by: 16).map({ Array(rows[$0..<Swift.min($0 + 16, rows.count)]) }) {
        let batch = try ResponseBatch(prompts: chunk.map(\.0), responses: chunk.map(\.1))
        let p = try policy.logits(fromHidden: try policy.hidden(batch.ids)).logSoftmax(axis: -1)
        let q = try reference.logits(fromHidden: try reference.hidden(batch.ids)).logSoftmax(axis: -1)
        let kl = try (p.exp() * (p - q)).summed(axes: [-1]) * batch.mask
        total += Double(try kl.summed().item())
        tokens += batch.tokenCount
      }
      return total / Double(Swift.max(tokens, 1))
    }
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

/// The mean of paired measurements before and after a change, and the standard error of the
/// mean difference.
public struct PairedChange: Sendable, Equatable {
  public var before: Double
  public var after: Double
  public var standardError: Double
  public var change: Double { after - before }

  public init(before b: [Double], after a: [Double]) {
    guard !a.isEmpty, a.count == b.count else {
      (before, after, standardError) = (.nan, .nan, .nan)
      return
    }
    let n = Double(a.count)
    let d = zip(a, b).map { $0 - $1 }
    let mean = d.reduce(0, +) / n
    let variance = n > 1 ? d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1) : 0
    before = b.reduce(0, +) / n
    after = a.reduce(0, +) / n
    standardError = (variance / n).squareRoot()
  }
}
