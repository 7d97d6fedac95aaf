import TensorEngine

/// Direct Preference Optimization (Rafailov et al. 2023): RLHF's KL-regularized objective
/// has the closed-form optimum π*(y|x) ∝ π_ref(y|x)·exp(r(x, y)/β), so a policy defines an
/// implicit reward r̂(x, y) = β·(log π(y|x) − log π_ref(y|x)) (up to a term that cancels in
/// a pair). Putting r̂ into the Bradley–Terry loss trains the policy directly on the pairs:
///
///     loss = mean −log σ(β·((π_c − ref_c) − (π_r − ref_r)))
///
/// with π_c, π_r the policy's log-probabilities of the chosen and rejected responses (summed
/// over response tokens) and ref_c, ref_r the frozen reference's. At the start the policy is
/// the reference, every margin is 0 and the loss is ln 2.
public enum DPOLoss {
  /// The DPO loss, a scalar. Gradients flow into the policy's log-probabilities only.
  public static func loss(
    policyChosen: Tensor, policyRejected: Tensor, referenceChosen: Tensor, referenceRejected: Tensor, beta: Float
  ) throws -> Tensor {
    let logits = try margins(policyChosen, policyRejected, referenceChosen, referenceRejected, beta: beta)
    return try LogSigmoid.logSigmoid(logits).mean().negated()
  }

  /// β·((π_c − ref_c) − (π_r − ref_r)) per pair, [B]: the argument of σ in the loss.
  public static func margins(
    _ policyChosen: Tensor, _ policyRejected: Tensor, _ referenceChosen: Tensor, _ referenceRejected: Tensor, beta: Float
  ) throws -> Tensor {
    for t in [policyRejected, referenceChosen, referenceRejected] { try BradleyTerry.checkShapes(policyChosen, t, op: "dpo") }
    let chosen = try policyChosen - referenceChosen.detached()
    let rejected = try policyRejected - referenceRejected.detached()
    return try (chosen - rejected) * beta
  }

  /// The implicit rewards β·(π − ref) of the chosen and rejected responses (no gradient).
  public static func implicitRewards(
    policyChosen: Tensor, policyRejected: Tensor, referenceChosen: Tensor, referenceRejected: Tensor, beta: Float
  ) throws -> (chosen: Tensor, rejected: Tensor) {
    try GradMode.withoutGradients {
      (try (policyChosen - referenceChosen) * beta, try (policyRejected - referenceRejected) * beta)
    }
  }

  /// Fraction of pairs whose chosen implicit reward is strictly higher than the rejected one.
  public static func accuracy(
    policyChosen: Tensor, policyRejected: Tensor, referenceChosen: Tensor, referenceRejected: Tensor, beta: Float
  ) throws -> Float {
    let (c, r) = try implicitRewards(
      policyChosen: policyChosen, policyRejected: policyRejected, referenceChosen: referenceChosen,
      referenceRejected: referenceRejected, beta: beta)
    return try BradleyTerry.accuracy(chosen: c, rejected: r)
  }

  /// Mean of the chosen minus the rejected implicit reward.
  public static func margin(
    policyChosen: Tensor, policyRejected: Tensor, referenceChosen: Tensor, referenceRejected: Tensor, beta: Float
  ) throws -> Float {
    let (c, r) = try implicitRewards(
      policyChosen: policyChosen, policyRejected: policyRejected, referenceChosen: referenceChosen,
      referenceRejected: referenceRejected, beta: beta)
    return try BradleyTerry.margin(chosen: c, rejected: r)
  }
}
