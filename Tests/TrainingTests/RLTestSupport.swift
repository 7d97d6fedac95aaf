import Foundation
import Models
import TensorEngine
@testable import Training

/// A tiny world for the RL trainers: two characters, 月 and 花, the chat special tokens, and
/// a one-layer model over them (vocabulary 8).
enum RL {
  static let tokenizer = CharacterTokenizer(training: ["月花"])

  static func model(seed: UInt64 = 1) throws -> GPTModel {
    try Align.tinyModel(vocabulary: tokenizer.vocabularySize, context: 16, dim: 16, seed: seed, std: 0.1)
  }

  /// The share of the answer's characters that are 月 (0 for an empty answer). Special
  /// tokens written into the answer count as their many characters.
  static func moonShare(_ prompt: String, _ answer: String) -> Float {
    answer.isEmpty ? 0 : Float(answer.filter { $0 == "月" }.count) / Float(answer.count)
  }

  /// Verifiable: 1 when the answer starts with the character the prompt names, else 0.
  static func startsWithPrompt(_ prompt: String, _ answer: String) -> Float {
    answer.first == prompt.last ? 1 : 0
  }

  static func weights(_ model: GPTModel) -> [[Float]] { model.parameters.map { $0.tensor.toArray() } }
}
