import Models
import TensorEngine

/// The reward an RL trainer maximizes: a score for an answer to a prompt. The caller passes
/// a reward model's score (`RewardFunctions.model`) or a rule (`RewardFunctions.poemRule`).
public typealias RewardFunction = (_ prompt: String, _ answer: String) throws -> Float

/// One sampled answer: the chat prompt and the response in tokens, and the answer as text.
public struct Rollout: Sendable {
  /// The user's prompt as given (what the reward function sees).
  public var prompt: String
  /// `ChatTemplate.prompt([user: prompt])` in tokens: ends with `<|assistant|>`.
  public var promptTokens: [Int]
  /// The sampled tokens, with the stop token that ended the turn when one did: choosing to
  /// stop is an action like any other, and it is trained like one.
  public var response: [Int]
  /// The answer's text, without the stop token.
  public var text: String
  /// Whether the answer ended with a stop token (not cut by the token limit).
  public var ended: Bool

  /// Samples an answer with the KV-cache sampler: temperature as given, no top-k or top-p
  /// (the log-probabilities PPO compares must be those of the distribution sampled from),
  /// stopping at `<|end|>` or `<|endoftext|>`.
  public static func sample(
    model: GPTModel, tokenizer: Tokenizer, prompt: String, maxTokens: Int, temperature: Float, seed: UInt64
  ) throws -> Rollout {
    guard
      let one = try sample(model: model, tokenizer: tokenizer, prompts: [prompt], maxTokens: maxTokens, temperature: temperature, seeds: [seed])?
        .first
    else { throw ModelError("sample: no answer drawn") }
    return one
  }

  /// One answer to each prompt (prompts may repeat), the i-th drawn with `seeds[i]`, all
  /// decoded together (`Sampler.generate(prompts:seeds:options:)`); each is what that prompt
  /// alone would draw, up to the rounding of a batched product. Nil when `shouldStop` interrupts.
  public static func sample(
    model: GPTModel, tokenizer: Tokenizer, prompts: [String], maxTokens: Int, temperature: Float, seeds: [UInt64],
    shouldStop: () -> Bool = { false }
  ) throws -> [Rollout]? {
    let texts = prompts.map { ChatTemplate.prompt([ChatMessage(role: .user, content: $0)]) }
    var o = SamplingOptions()
    o.maxTokens = maxTokens
    o.temperature = temperature
    o.stopTokens = stopTokens(tokenizer)
    guard let results = try Sampler(model: model, tokenizer: tokenizer).generate(prompts: texts, seeds: seeds, options: o, shouldStop: shouldStop)
    else { return nil }
    return zip(prompts, zip(texts, results)).map { prompt, pair in
      let (text, result) = pair
      return Rollout(
        prompt: prompt, promptTokens: tokenizer.encode(text), response: result.tokens + (result.stopToken.map { [$0] } ?? []),
        text: result.text, ended: result.stopToken != nil)
    }
  }

  /// The end-of-turn and end-of-text tokens the tokenizer has.
  public static func stopTokens(_ tokenizer: Tokenizer) -> Set<Int> {
    Set([SpecialTokens.endOfTurn, SpecialTokens.endOfText].compactMap { tokenizer.specialTokens[$0] })
  }

  /// Checks that a prompt leaves room for an answer in the model's context.
  static func checkPrompt(_ prompt: String, tokenizer: Tokenizer, context: Int, op: String) throws {
    let n = tokenizer.encode(ChatTemplate.prompt([ChatMessage(role: .user, content: prompt)])).count
    guard n < context else {
      throw ModelError("\(op): the prompt \"\(prompt.prefix(20))\" is \(n) tokens in the chat template; the model's context of \(context) leaves no room for an answer")
    }
  }

  /// A per-rollout seed from the run's seed, the step and the rollout's place in the step.
  static func seed(_ seed: UInt64, step: Int, index: Int) -> UInt64 {
    (seed &+ 0x5EED_0F_2011) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(step) &* 0x1_0000_01B3 &+ UInt64(index)
  }
}

/// What the trainers show of a step's rollouts: each prompt, its answer and the answer's score.
public struct RLSample: Sendable {
  public var prompt: String
  public var answer: String
  public var score: Float
  /// Response tokens, the stop token included.
  public var tokens: Int
  public var ended: Bool

  public init(_ rollout: Rollout, score: Float) {
    prompt = rollout.prompt
    answer = rollout.text
    self.score = score
    tokens = rollout.response.count
    ended = rollout.ended
  }
}
