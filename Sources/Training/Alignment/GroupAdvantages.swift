/// GRPO's advantages (Shao et al. 2024, DeepSeekMath): no value model; instead each prompt
/// gets a group of G sampled completions, and each completion's advantage is its reward
/// measured against its own group:
///
///     A_i = (r_i − mean(r)) / (std(r) + ε)
///
/// with the sample standard deviation (dividing by G − 1, as TRL does). Every token of a
/// completion gets that completion's advantage. A group whose rewards are all equal teaches
/// nothing about which completion was better, and gets zeros.
public enum GroupAdvantages {
  public static func normalize(_ rewards: [Float], epsilon: Float = 1e-4) -> [Float] {
    guard rewards.count >= 2, let first = rewards.first, rewards.contains(where: { $0 != first }) else {
      return [Float](repeating: 0, count: rewards.count)
    }
    let n = Double(rewards.count)
    let mean = rewards.reduce(0.0) { $0 + Double($1) } / n
    let variance = rewards.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / (n - 1)
    let denominator = variance.squareRoot() + Double(epsilon)
    return rewards.map { Float((Double($0) - mean) / denominator) }
  }

  /// One group per prompt, each normalized on its own.
  public static func normalize(groups: [[Float]], epsilon: Float = 1e-4) -> [[Float]] {
    groups.map { normalize($0, epsilon: epsilon) }
  }

  /// `rewards` laid out prompt by prompt, `groupSize` completions each.
  public static func normalize(_ rewards: [Float], groupSize: Int, epsilon: Float = 1e-4) -> [Float] {
    precondition(groupSize >= 1 && rewards.count % groupSize == 0, "rewards must come in whole groups of \(groupSize)")
    return stride(from: 0, to: rewards.count, by: groupSize).flatMap {
      normalize(Array(rewards[$0..<($0 + groupSize)]), epsilon: epsilon)
    }
  }
}
