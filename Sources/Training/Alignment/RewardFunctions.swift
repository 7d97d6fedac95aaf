import Models
import TensorEngine

/// Ready-made reward functions for the RL trainers.
public enum RewardFunctions {
  /// `PoemRule`'s graded score (0 ... 1) of the answer for the request in the prompt; 0 for
  /// a prompt that asks for no poem. A verifiable reward: a program checks it.
  public static func poemRule(_ prompt: String, _ answer: String) -> Float {
    guard let request = PoemRule.request(in: prompt) else { return 0 }
    return Float(PoemRule.score(answer, request))
  }

  /// A trained reward model's score of the answer, in the layout it was trained on: the chat
  /// prompt, the answer, and the end-of-turn token.
  public static func model(_ rewardModel: RewardModel, tokenizer: Tokenizer) -> RewardFunction {
    { prompt, answer in
      let t = try PreferenceTokens(prompt: prompt, chosen: answer, rejected: answer, tokenizer: tokenizer)
      let sequence = Array(t.chosenSequence.suffix(rewardModel.body.config.context))
      return try rewardModel.scores([sequence])[0]
    }
  }
}
