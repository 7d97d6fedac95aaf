import Foundation
import Models
import TensorEngine

/// A reward model saved as a checkpoint: its body as any GPT model is saved, its head beside
/// it (`ScoreHead`), through the one save path, `Checkpoint.save`.
extension RewardModel {
  /// The head as a checkpoint stores it.
  public var scoreHead: ScoreHead {
    get throws { try ScoreHead(weight: headWeight, bias: headBias) }
  }

  /// Writes the reward model into `directory` with its tokenizer; as `Checkpoint.save`, it
  /// replaces whatever checkpoint was there (a reward model has no optimizer state to keep).
  public func save(tokenizer: Tokenizer?, to directory: String) throws {
    try Checkpoint.save(model: body, tokenizer: tokenizer, scoreHead: try scoreHead, to: directory)
  }

  /// The reward model of a checkpoint that holds one; a plain GPT checkpoint is an error
  /// naming `directory`.
  public convenience init(checkpoint: Checkpoint, directory: String) throws {
    guard let head = checkpoint.scoreHead else {
      throw ModelError("\(directory) holds a GPT model (its config.json marks no score head), not a reward model")
    }
    try self.init(body: try checkpoint.makeModel(), headWeight: head.weight, headBias: head.bias)
  }
}
