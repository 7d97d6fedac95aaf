import Foundation
import TensorEngine

/// Estimates of KL(π ‖ π_ref) from the log-probabilities of sampled tokens (Schulman,
/// "Approximating KL divergence", 2020). The exact KL sums over the whole vocabulary at
/// every position; these use only the token that was sampled from π. With
/// log r = log π_ref(y) − log π(y) at a sampled token y:
///
///     k1 = −log r = log π − log π_ref      unbiased, but negative for many tokens
///     k2 = ½(log r)²                        biased, low variance, ≥ 0
///     k3 = (r − 1) − log r                  unbiased (E_π[r] = 1), low variance, ≥ 0
///
/// k3 ≥ 0 because log r ≤ r − 1 for every r > 0. Near π = π_ref, k3 = ½(log r)² + O((log r)³),
/// so it agrees with k2 to second order, while both k1 and k3 average to the same KL.
public enum KLEstimator {
  /// k1 per token, any shape; differentiable in `logProbs` (the reference is a constant).
  public static func k1(logProbs: Tensor, referenceLogProbs: Tensor) throws -> Tensor {
    try logProbs - referenceLogProbs.detached()
  }

  /// k2 per token.
  public static func k2(logProbs: Tensor, referenceLogProbs: Tensor) throws -> Tensor {
    try (referenceLogProbs.detached() - logProbs).pow(2) * 0.5
  }

  /// k3 per token, differentiable in `logProbs`. Computed as e^d − 1 − d with d = log r;
  /// for small |d| that subtracts nearly equal float32 numbers (e^d rounds to within 6e-8 of
  /// 1 + d, so the result loses its digits and can even come out negative). Below |d| = 0.1
  /// the series d²/2 + d³/6 + d⁴/24 + d⁵/120 is used instead (relative error under 1e-6).
  public static func k3(logProbs: Tensor, referenceLogProbs: Tensor) throws -> Tensor {
    let d = try referenceLogProbs.detached() - logProbs
    let direct = try d.exp() - 1 - d
    let d2 = try d * d
    let series = try d2 * (((d * (1 / 20) + 0.25) * d + 1) * d * (1 / 6) + 0.5)  // d²(1/2 + d/6 + d²/24 + d³/120)
    let small = try d.abs() .< Tensor.full(d.shape, 0.1)
    return try Tensor.select(where: small, series, direct)
  }

  /// k1 per token for plain numbers.
  public static func k1(_ logProbs: [Float], _ referenceLogProbs: [Float]) -> [Float] {
    precondition(logProbs.count == referenceLogProbs.count, "one reference log-probability per token")
    return zip(logProbs, referenceLogProbs).map { $0 - $1 }
  }

  /// k3 per token for plain numbers, in double precision (expm1 has no cancellation).
  public static func k3(_ logProbs: [Float], _ referenceLogProbs: [Float]) -> [Float] {
    precondition(logProbs.count == referenceLogProbs.count, "one reference log-probability per token")
    return zip(logProbs, referenceLogProbs).map { p, q in
      let d = Double(q) - Double(p)
      return Float(Foundation.expm1(d) - d)
    }
  }

  /// The per-token rewards PPO maximizes in RLHF (InstructGPT): a KL penalty at every
  /// response token, −β·k1_t, which keeps the policy near the reference (the SFT model), plus
  /// the reward model's score of the whole response on its last token.
  ///
  /// Summed over the response this is score − β·(log π(y) − log π_ref(y)), a sample of the
  /// objective E[r] − β·KL(π ‖ π_ref).
  public static func penalizedRewards(score: Float, logProbs: [Float], referenceLogProbs: [Float], beta: Float) -> [Float] {
    var rewards = k1(logProbs, referenceLogProbs).map { -beta * $0 }
    if !rewards.isEmpty { rewards[rewards.count - 1] += score }
    return rewards
  }
}
