import Foundation
import TensorEngine

/// The pieces of PPO's loss (Schulman et al. 2017) over response tokens. Every input is
/// [batch, time] (or any shape, all alike) with a 0/1 `mask` marking the response tokens;
/// averages are over the mask.
public enum PPOLoss {
  /// The clipped surrogate objective and what it did.
  public struct PolicyLoss {
    /// −mean min(ratio·A, clip(ratio, 1 − ε, 1 + ε)·A): a scalar, differentiable.
    public var loss: Tensor
    /// Fraction of response tokens whose ratio is outside [1 − ε, 1 + ε].
    public var clipFraction: Float
    /// mean((ratio − 1) − log ratio): the k3 estimate of KL(π_old ‖ π), how far this update
    /// has moved the policy from the one that sampled the tokens.
    public var approximateKL: Float
  }

  /// ratio = exp(log π − log π_old) at the sampled tokens. When the advantage is positive
  /// the objective stops growing once the ratio passes 1 + ε (no gradient pushes it
  /// further); when negative, once it falls below 1 − ε. In the other direction the
  /// unclipped term is smaller and the gradient remains, so a bad move can always be undone.
  /// `oldLogProbs` and `advantages` are constants (no gradient flows into them).
  public static func policyLoss(
    logProbs: Tensor, oldLogProbs: Tensor, advantages: Tensor, mask: Tensor, clipRange: Float
  ) throws -> PolicyLoss {
    let logRatio = try logProbs - oldLogProbs.detached()
    let ratio = logRatio.exp()
    let a = advantages.detached()
    let unclipped = try ratio * a
    let clipped = try ratio.clamped(min: 1 - clipRange, max: 1 + clipRange) * a
    // On a tie (inside the range) `minimum` passes the gradient to the unclipped term.
    let objective = try unclipped.minimum(clipped)
    let loss = try Masked.mean(objective, mask: mask).negated()
    let (lr, m) = (logRatio.toArray(), try mask.detached().expanded(to: logRatio.shape).toArray())
    let kept = Swift.max(m.reduce(0, +), 1)
    var clippedCount: Float = 0, kl: Double = 0
    for (l, mi) in zip(lr, m) where mi != 0 {
      let d = Double(l)
      if Swift.abs(Foundation.exp(d) - 1) > Double(clipRange) { clippedCount += mi }
      kl += Double(mi) * (Foundation.expm1(d) - d)
    }
    return PolicyLoss(loss: loss, clipFraction: clippedCount / kept, approximateKL: Float(kl / Double(kept)))
  }

  /// The clipped value loss, ½·mean max((V − R)², (clip(V, V_old − ε, V_old + ε) − R)²): the
  /// value model may not profit from moving more than ε away from its old prediction in one
  /// update. `oldValues` and `returns` are constants.
  public static func valueLoss(values: Tensor, oldValues: Tensor, returns: Tensor, mask: Tensor, clipRange: Float) throws -> Tensor {
    let old = oldValues.detached(), target = returns.detached()
    let clippedValues = try old + (values - old).clamped(min: -clipRange, max: clipRange)
    let unclippedLoss = try (values - target).pow(2)
    let clippedLoss = try (clippedValues - target).pow(2)
    return try Masked.mean(unclippedLoss.maximum(clippedLoss), mask: mask) * 0.5
  }

  /// Entropy −Σ p·log p of the policy's distribution at each position, from logits
  /// [..., vocabulary]: shape [...], differentiable. A bonus on it keeps exploration alive;
  /// watching it fall toward 0 shows the policy collapsing onto few tokens.
  public static func entropy(logits: Tensor) throws -> Tensor {
    let logP = try logits.logSoftmax(axis: -1)
    return try (logP.exp() * logP).summed(axes: [-1]).negated()
  }
}
