/// Generalized advantage estimation (Schulman et al. 2016) over one response.
///
/// The TD error δ_t = r_t + γ·V_{t+1} − V_t says how much better step t went than the value
/// model expected; the advantage blends them with weights (γλ)^k:
///
///     A_t = δ_t + γλ·A_{t+1}        (A after the last token is 0, and so is V_T)
///
/// λ = 0 gives the one-step TD error (low variance, biased by V); λ = 1 gives the full
/// discounted return minus V_t (unbiased, high variance). The returns A_t + V_t are the value
/// model's regression targets.
public enum GAE {
  public static func compute(
    rewards: [Float], values: [Float], gamma: Float, lambda: Float
  ) -> (advantages: [Float], returns: [Float]) {
    precondition(rewards.count == values.count, "GAE: one value per reward")
    let n = rewards.count
    var advantages = [Float](repeating: 0, count: n)
    var next: Float = 0  // A_{t+1}
    for t in stride(from: n - 1, through: 0, by: -1) {
      let nextValue: Float = t + 1 < n ? values[t + 1] : 0
      let delta = rewards[t] + gamma * nextValue - values[t]
      next = delta + gamma * lambda * next
      advantages[t] = next
    }
    return (advantages, zip(advantages, values).map { $0 + $1 })
  }
}
