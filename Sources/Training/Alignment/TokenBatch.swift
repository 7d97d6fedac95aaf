import TensorEngine

/// Ragged token sequences as the rectangular tensors a model reads.
///
/// Padding goes after each sequence. Causal attention never lets a position see later ones,
/// so whatever fills the padding cannot change the states of real tokens; it only has to be
/// excluded from what is read (the reward head reads the last real token; log-probabilities
/// give padding the ignore index).
public enum TokenBatch {
  /// The id written into padding (any valid id works; see above).
  public static let padding = 0
  /// Targets that take no part in a log-probability or a loss (as in cross-entropy).
  public static let ignoreIndex = -100

  /// ids [B, T] with T the longest length, and each sequence's length.
  public static func padded(_ sequences: [[Int]]) throws -> (ids: Tensor, lengths: [Int]) {
    let t = sequences.map(\.count).max() ?? 0
    var values: [Float] = []
    values.reserveCapacity(sequences.count * t)
    for s in sequences {
      values += s.map(Float.init)
      values += [Float](repeating: Float(padding), count: t - s.count)
    }
    return (try Tensor(shape: [sequences.count, t], values: values), sequences.map(\.count))
  }

  /// Inputs and next-token targets for scoring responses: for each prompt + response the
  /// inputs are every token but the last, and the target at position t is token t + 1 when
  /// that token belongs to the response, the ignore index otherwise (prompt and padding).
  /// `model.sequenceLogProbs(ids:targets:)` then sums log p over response tokens only.
  ///
  ///     prompt [1, 2], response [3, 4]:  ids [1, 2, 3],  targets [-100, 3, 4]
  public static func responseTargets(prompts: [[Int]], responses: [[Int]]) throws -> (ids: Tensor, targets: Tensor) {
    precondition(prompts.count == responses.count, "one prompt per response")
    let t = zip(prompts, responses).map { $0.count + $1.count - 1 }.max() ?? 0
    var ids: [Float] = [], targets: [Float] = []
    ids.reserveCapacity(prompts.count * t)
    targets.reserveCapacity(prompts.count * t)
    for (p, r) in zip(prompts, responses) {
      let s = p + r
      for i in 0..<t {
        ids.append(Float(i < s.count - 1 ? s[i] : padding))
        targets.append(Float(i + 1 >= p.count && i + 1 < s.count ? s[i + 1] : ignoreIndex))
      }
    }
    return (try Tensor(shape: [prompts.count, t], values: ids), try Tensor(shape: [prompts.count, t], values: targets))
  }
}
