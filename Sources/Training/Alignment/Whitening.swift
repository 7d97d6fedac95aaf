import Foundation

/// Whitening: rescaling numbers to mean 0 and standard deviation 1 over a batch, as PPO does
/// to its advantages (so the step size does not depend on the reward's scale) and, without
/// shifting the mean, to its rewards.
public enum Whitening {
  /// (x − mean)/√(var + ε), with the population variance (dividing by n): the result has
  /// mean 0 and standard deviation 1. With `shiftMean: false` the mean is added back,
  /// (x − mean)/√(var + ε) + mean, as TRL's `whiten` does for rewards: the spread is
  /// normalized but the sign of the average reward survives.
  public static func whiten(_ x: [Float], shiftMean: Bool = true, epsilon: Float = 1e-8) -> [Float] {
    guard !x.isEmpty else { return [] }
    let n = Double(x.count)
    let mean = x.reduce(0.0) { $0 + Double($1) } / n
    let variance = x.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
    let scale = 1 / (variance + Double(epsilon)).squareRoot()
    return x.map { v in
      let w = (Double(v) - mean) * scale
      return Float(shiftMean ? w : w + mean)
    }
  }

  /// Whitens ragged rows (one per response) together: the statistics are over all their
  /// elements, and the rows keep their lengths.
  public static func whiten(_ rows: [[Float]], shiftMean: Bool = true, epsilon: Float = 1e-8) -> [[Float]] {
    var flat = whiten(rows.flatMap { $0 }, shiftMean: shiftMean, epsilon: epsilon)[...]
    return rows.map { row in
      defer { flat = flat.dropFirst(row.count) }
      return Array(flat.prefix(row.count))
    }
  }
}
