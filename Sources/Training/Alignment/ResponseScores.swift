import Models
import TensorEngine

/// What one forward pass of a model says about the response tokens of a `ResponseBatch`:
/// each token's log-probability, and optionally the value head's estimate and the entropy
/// of the distribution the token was drawn from. All [B, T]; zero outside the responses.
public struct ResponseScores {
  public var logProbs: Tensor
  public var values: Tensor?
  public var entropy: Tensor?

  /// One pass: hidden states → logits (divided by the sampling temperature, so that the
  /// log-probabilities are those of the distribution the sampler drew from) → log-softmax →
  /// the log-probability of each target. The value head, if given, reads the same hidden
  /// states. Differentiable unless run under `GradMode.withoutGradients`. Dropout is off:
  /// the ratio π/π_old must be exactly 1 before the first update.
  public init(model: GPTModel, batch: ResponseBatch, temperature: Float = 1, valueHead: ValueHead? = nil, entropy: Bool = false) throws {
    let hidden = try model.hidden(batch.ids)
    var logits = try model.logits(fromHidden: hidden)
    if temperature != 1 { logits = logits * (1 / temperature) }
    let logP = try logits.logSoftmax(axis: -1)
    let t = batch.targets.toArray()
    let safe = try Tensor(shape: batch.targets.shape + [1], values: t.map { Swift.max($0, 0) })
    logProbs = try logP.gather(axis: -1, index: safe).squeezed(-1) * batch.mask
    values = try valueHead.map { try $0.values(hidden: hidden) * batch.mask }
    self.entropy = entropy ? try (logP.exp() * logP).summed(axes: [-1]).negated() * batch.mask : nil
  }
}
