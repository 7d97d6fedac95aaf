/// The coefficient β of RLHF's KL penalty, fixed or adaptive.
///
/// The penalty −β·KL(π ‖ π_ref) keeps the policy near the reference, where the reward model
/// was trained and its scores can be trusted. Too small a β and the policy drifts off to
/// exploit the reward model; too large and it cannot move at all. The adaptive controller
/// of Ziegler et al. (2019), as in TRL, steers the measured KL toward a target by
/// proportional control:
///
///     e = clip(KL / target − 1, −0.2, 0.2)        β ← β · (1 + e · n / horizon)
///
/// with n the samples of the step: β grows while the KL is above the target and shrinks
/// while below, by at most 20%·n/horizon per step. Here KL is the mean per response token.
public struct KLController: Sendable {
  public private(set) var beta: Float
  /// The per-token KL the adaptive controller steers toward; nil for a fixed β.
  public let target: Float?
  /// Samples over which a persistent error changes β by about e (a larger horizon reacts slower).
  public let horizon: Int

  public init(beta: Float, target: Float? = nil, horizon: Int = 1000) {
    self.beta = beta
    self.target = target
    self.horizon = Swift.max(1, horizon)
  }

  /// Adjusts β after a step that measured `kl` on `samples` responses (nothing when fixed).
  public mutating func update(kl: Float, samples: Int) {
    guard let target, target > 0, kl.isFinite else { return }
    let error = Swift.min(Swift.max(kl / target - 1, -0.2), 0.2)
    beta *= 1 + error * Float(samples) / Float(horizon)
  }
}
