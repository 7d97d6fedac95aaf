/// One PPO step's experience: the answers sampled from the policy, and everything the
/// updates need about them, as one ragged row per answer (one number per response token).
///
/// Built in two stages. The models give, without gradients: the policy's log-probabilities
/// log π_old (the policy that sampled), the reference's log π_ref, the value head's V and the
/// entropy. From those and the reward function's scores this type computes, with no model:
///
///     rewards_t    = −β·(log π_old − log π_ref)_t  (+ score on the last token)
///     advantages   = GAE(rewards, V; γ, λ), whitened over the batch
///     returns      = GAE advantages (before whitening) + V: the value head's targets
public struct PPOExperience: Sendable {
  public var rollouts: [Rollout]
  public var scores: [Float]
  public var logProbs: [[Float]]
  public var referenceLogProbs: [[Float]]
  public var values: [[Float]]
  public var entropy: [[Float]]
  public var rewards: [[Float]]
  public var advantages: [[Float]]
  public var returns: [[Float]]
  public var beta: Float

  public init(
    rollouts: [Rollout], scores: [Float], logProbs: [[Float]], referenceLogProbs: [[Float]], values: [[Float]],
    entropy: [[Float]], beta: Float, gamma: Float, lambda: Float, whitenRewards: Bool
  ) {
    precondition(
      [scores.count, logProbs.count, referenceLogProbs.count, values.count, entropy.count].allSatisfy { $0 == rollouts.count },
      "one score and one row of each per rollout")
    self.rollouts = rollouts
    self.scores = scores
    self.logProbs = logProbs
    self.referenceLogProbs = referenceLogProbs
    self.values = values
    self.entropy = entropy
    self.beta = beta
    var rewards = zip(scores, zip(logProbs, referenceLogProbs)).map { score, lp in
      KLEstimator.penalizedRewards(score: score, logProbs: lp.0, referenceLogProbs: lp.1, beta: beta)
    }
    if whitenRewards { rewards = Whitening.whiten(rewards, shiftMean: false) }
    self.rewards = rewards
    let gae = zip(rewards, values).map { GAE.compute(rewards: $0, values: $1, gamma: gamma, lambda: lambda) }
    advantages = Whitening.whiten(gae.map(\.advantages))
    returns = gae.map(\.returns)
  }

  /// Response tokens in the batch.
  public var tokenCount: Int { logProbs.reduce(0) { $0 + $1.count } }

  /// Mean k1 = log π_old − log π_ref over every response token: the estimate of KL(π ‖ π_ref)
  /// per token. Single tokens can be negative; the average over samples from π is not, in
  /// expectation.
  public var kl: Float {
    zip(logProbs, referenceLogProbs).flatMap { KLEstimator.k1($0, $1) }.average
  }

  /// Mean entropy per response token.
  public var meanEntropy: Float { entropy.flatMap { $0 }.average }
}
