import TensorEngine

extension GPTModel {
  /// log p(target | everything before it) at each position: [batch, time], differentiable.
  /// Positions whose target is negative (the ignore index) get 0 and no gradient.
  ///
  /// Summed over a response's tokens this is the sequence log-probability that DPO compares
  /// between the policy and the reference, and whose per-token difference is PPO's KL estimate.
  public func tokenLogProbs(ids: Tensor, targets: Tensor, training: Bool = false) throws -> Tensor {
    guard ids.shape == targets.shape else {
      throw TensorError.shapeMismatch(op: "token_logprobs", shapes: [ids.shape, targets.shape], reason: "differ: one target per input position")
    }
    let logits = try forward(ids, training: training)
    let logProbs = try logits.logSoftmax(axis: -1)
    let t = targets.toArray()
    let mask = try Tensor(shape: targets.shape, values: t.map { $0 < 0 ? 0 : 1 })
    let safe = try Tensor(shape: targets.shape + [1], values: t.map { Swift.max($0, 0) })
    let picked = try logProbs.gather(axis: -1, index: safe).squeezed(-1)
    return try picked * mask
  }

  /// Σ over positions of `tokenLogProbs`: one log-probability per sequence, [batch].
  public func sequenceLogProbs(ids: Tensor, targets: Tensor, training: Bool = false) throws -> Tensor {
    try tokenLogProbs(ids: ids, targets: targets, training: training).summed(axes: [1])
  }
}
