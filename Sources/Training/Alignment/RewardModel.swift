import Foundation
import Models
import TensorEngine

/// A reward model: a copy of a policy's transformer with a scalar head in place of the
/// output layer, r(x) = w·h_last + b, read at the last real (non-padding) token.
///
/// Under causal attention the last token's hidden state is the only one that has seen the
/// whole sequence (prompt and response), so it is where the score is read, as in
/// InstructGPT and `transformers`' sequence-classification models.
public final class RewardModel: @unchecked Sendable {
  /// The transformer (the policy's weights, copied: training the reward model leaves the
  /// policy alone).
  public let body: GPTModel
  /// The scalar head: weight [dim] and bias [] (a scalar).
  public let headWeight: Tensor
  public let headBias: Tensor

  /// A reward model of the given parts (a checkpoint's): the model uses them as they are, so
  /// training it updates them. The weight must be [dim] of the body, the bias a scalar.
  public init(body: GPTModel, headWeight: Tensor, headBias: Tensor) throws {
    guard headWeight.shape == [body.config.dim], headBias.shape == [] else {
      throw ModelError(
        "reward model: the head needs a weight [\(body.config.dim)] and a scalar bias, got \(formatShape(headWeight.shape)) and \(formatShape(headBias.shape))")
    }
    self.body = body
    self.headWeight = headWeight.requiringGrad(name: ScoreHead.weightName)
    self.headBias = headBias.requiringGrad(name: ScoreHead.biasName)
  }

  /// A reward model started from `policy`. With `headStd` 0 (the default) the head starts
  /// at zero, so every sequence scores 0 and the Bradley–Terry loss starts at exactly ln 2;
  /// otherwise its weight is drawn from N(0, headStd²) with `seed`.
  public convenience init(policy: GPTModel, headStd: Float = 0, seed: UInt64 = 0) throws {
    try PolicyWeights.requireCopyable(policy, op: "reward model")
    var w = [Float](repeating: 0, count: policy.config.dim)
    if headStd > 0 {
      var rng = RandomGenerator(seed: seed)
      w.withUnsafeMutableBufferPointer { rng.fillNormal($0, std: headStd) }
    }
    try self.init(body: try policy.copy(), headWeight: Tensor(w), headBias: Tensor(scalar: 0))
  }

  /// Everything that trains: the body's parameters, then the head's weight and bias.
  public var parameters: [Tensor] { body.parameters.map(\.tensor) + [headWeight, headBias] }

  /// One score per sequence, [B], differentiable. `ids` [B, T] hold each sequence followed
  /// by padding; `lengths[b]` is sequence b's real length (1 ... T).
  public func scores(ids: Tensor, lengths: [Int]) throws -> Tensor {
    guard ids.rank == 2, lengths.count == ids.shape[0] else {
      throw TensorError.invalidArgument(
        op: "reward", message: "ids must be [batch, time] with one length per row (ids \(formatShape(ids.shape)), \(lengths.count) lengths)")
    }
    let (b, t, d) = (ids.shape[0], ids.shape[1], body.config.dim)
    if let bad = lengths.first(where: { $0 < 1 || $0 > t }) {
      throw TensorError.invalidArgument(op: "reward", message: "length \(bad) is outside 1 ... \(t)")
    }
    let h = try body.hidden(ids)  // [B, T, D]
    // h[b, lengths[b] − 1, :] for every b, as a gather along time: index [B, 1, D].
    var index = [Float](repeating: 0, count: b * d)
    for (row, n) in lengths.enumerated() { for j in 0..<d { index[row * d + j] = Float(n - 1) } }
    let last = try h.gather(axis: 1, index: Tensor(shape: [b, 1, d], values: index)).squeezed(1)  // [B, D]
    return try last.matmul(headWeight) + headBias
  }

  /// Scores for ragged sequences (padded here), without recording gradients.
  public func scores(_ sequences: [[Int]]) throws -> [Float] {
    try GradMode.withoutGradients {
      let (ids, lengths) = try TokenBatch.padded(sequences)
      return try scores(ids: ids, lengths: lengths).toArray()
    }
  }
}
