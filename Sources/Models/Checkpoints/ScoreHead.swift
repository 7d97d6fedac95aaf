import Foundation
import TensorEngine

/// A scalar head on a GPT body, r = w·h + b (a reward model's), as a checkpoint stores it.
///
/// Hugging Face's sequence-classification models (`GPT2ForSequenceClassification`,
/// `LlamaForSequenceClassification`) keep their head as `score.weight` [num_labels, dim], a
/// linear layer without bias; one label gives [1, dim]. Ours has a bias too, so it is saved
/// beside the weight as `score.bias` [1], and config.json says so (`CheckpointConfig`).
public struct ScoreHead {
  public static let weightName = "score.weight"
  public static let biasName = "score.bias"

  /// [dim]
  public let weight: Tensor
  /// A scalar [].
  public let bias: Tensor

  public init(weight: Tensor, bias: Tensor) throws {
    guard weight.rank == 1, bias.rank == 0 else {
      throw ModelError("a score head needs a weight [dim] and a scalar bias, got \(formatShape(weight.shape)) and \(formatShape(bias.shape))")
    }
    self.weight = weight
    self.bias = bias
  }

  /// The tensors in the checkpoint's shapes (fresh copies, so no autograd state goes along).
  func checkpointTensors() throws -> [(name: String, tensor: Tensor)] {
    [(Self.weightName, try Tensor(shape: [1, weight.count], values: weight.toArray())),
     (Self.biasName, try Tensor(shape: [1], values: bias.toArray()))]
  }

  /// The head in `file`, checked against the body's width: both tensors present, of their
  /// shapes, every value finite. `path` names the file in errors.
  static func read(from file: SafeTensorsFile, dim: Int, path: String) throws -> ScoreHead {
    func tensor(_ name: String, _ shape: [Int]) throws -> [Float] {
      guard let t = file[name] else {
        throw ModelError("\(path): missing tensor \(name) (shape \(formatShape(shape))): config.json says this checkpoint has a score head")
      }
      guard t.shape == shape else {
        throw ModelError("\(path): tensor \(name) has shape \(formatShape(t.shape)), the score head needs \(formatShape(shape))")
      }
      let values = t.toArray()
      if let bad = values.firstIndex(where: { !$0.isFinite }) {
        throw ModelError("\(path): tensor \(name) holds \(values[bad]) at element \(bad); a score head's values must be finite")
      }
      return values
    }
    let w = try tensor(weightName, [1, dim])
    let b = try tensor(biasName, [1])
    return try ScoreHead(weight: Tensor(w), bias: Tensor(scalar: b[0]))
  }
}
