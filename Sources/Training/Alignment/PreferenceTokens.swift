import Models
import TensorEngine

/// One human (or rule) judgement in token ids: for the same prompt, `chosen` was preferred
/// to `rejected` (`PreferencePair` in Models holds the same as text). The responses follow
/// the prompt directly: a chat prompt ends with `<|assistant|>`, a response with `<|end|>`.
public struct PreferenceTokens: Sendable, Equatable {
  public var prompt: [Int]
  public var chosen: [Int]
  public var rejected: [Int]

  public init(prompt: [Int], chosen: [Int], rejected: [Int]) {
    self.prompt = prompt
    self.chosen = chosen
    self.rejected = rejected
  }

  /// A text pair in the chat layout supervised fine-tuning trains on (`SFTExample`): the
  /// prompt is `<|user|>` prompt `<|end|><|assistant|>`, each response its text and `<|end|>`.
  public init(prompt: String, chosen: String, rejected: String, tokenizer: Tokenizer) throws {
    func turn(_ answer: String) throws -> (prompt: [Int], response: [Int]) {
      let example = try SFTExample(
        messages: [ChatMessage(role: .user, content: prompt), ChatMessage(role: .assistant, content: answer)],
        tokenizer: tokenizer)
      let split = example.trained.firstIndex(of: true) ?? example.ids.count
      return (Array(example.ids[..<split]), Array(example.ids[split...]))
    }
    let (c, r) = (try turn(chosen), try turn(rejected))
    self.init(prompt: c.prompt, chosen: c.response, rejected: r.response)
  }

  /// The bundled data's text pair (Models' `PreferencePair`) in the same layout.
  public init(_ pair: PreferencePair, tokenizer: Tokenizer) throws {
    try self.init(prompt: pair.prompt, chosen: pair.chosen, rejected: pair.rejected, tokenizer: tokenizer)
  }

  /// prompt + chosen, prompt + rejected.
  public var chosenSequence: [Int] { prompt + chosen }
  public var rejectedSequence: [Int] { prompt + rejected }

  /// Checks the pair against a model: ids inside the vocabulary, a prompt and two
  /// non-empty responses, and both sequences within the context. `index` names the pair.
  public func validate(vocabulary: Int, context: Int, index: Int, op: String) throws {
    func fail(_ m: String) -> ModelError { ModelError("\(op): pair \(index) \(m)") }
    guard !prompt.isEmpty else { throw fail("has an empty prompt (a response needs a token to follow)") }
    guard !chosen.isEmpty, !rejected.isEmpty else { throw fail("has an empty response") }
    let longest = prompt.count + Swift.max(chosen.count, rejected.count)
    guard longest <= context else { throw fail("is \(longest) tokens long; the model's context is \(context)") }
    if let bad = (prompt + chosen + rejected).first(where: { $0 < 0 || $0 >= vocabulary }) {
      throw fail("contains token id \(bad), outside the model's vocabulary of \(vocabulary)")
    }
  }

  /// Splits pairs into (train, held out), shuffled by `seed`; at least one pair is held out
  /// when there are two or more and the fraction is positive.
  public static func split(_ pairs: [PreferenceTokens], heldOutFraction: Float, seed: UInt64) -> (train: [PreferenceTokens], heldOut: [PreferenceTokens]) {
    var order = Array(pairs.indices)
    var rng = RandomGenerator(seed: seed)
    rng.shuffle(&order)
    var n = Int((Float(pairs.count) * heldOutFraction).rounded())
    if heldOutFraction > 0 && pairs.count >= 2 { n = Swift.min(Swift.max(n, 1), pairs.count - 1) }
    return (order.dropFirst(n).map { pairs[$0] }, order.prefix(n).map { pairs[$0] })
  }
}
