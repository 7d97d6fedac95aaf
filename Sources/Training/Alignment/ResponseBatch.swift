import TensorEngine

/// Prompts with their sampled responses as one padded batch, for a single forward pass that
/// scores every response token of every row.
///
/// Row b holds prompt + response minus its last token; the target at column t is token
/// t + 1 when that token belongs to the response and the ignore index otherwise (prompt and
/// padding), as in `TokenBatch.responseTargets`. Response token j of row b is therefore
/// predicted at column `starts[b] + j`, with `starts[b]` = prompt length − 1. The per-token
/// numbers of RL (log-probabilities, values, advantages) live as ragged rows, one per
/// response; `padded` lays them out in this batch's columns and `rows` reads them back.
public struct ResponseBatch {
  /// [B, T] inputs.
  public let ids: Tensor
  /// [B, T] targets, -100 outside the responses.
  public let targets: Tensor
  /// [B, T]: 1 at response tokens, 0 elsewhere.
  public let mask: Tensor
  /// The column of each row's first response token.
  public let starts: [Int]
  /// Response lengths.
  public let lengths: [Int]

  public init(prompts: [[Int]], responses: [[Int]]) throws {
    guard prompts.count == responses.count, !prompts.isEmpty else {
      throw TensorError.invalidArgument(op: "response_batch", message: "needs one response per prompt, and at least one row")
    }
    if prompts.contains(where: \.isEmpty) || responses.contains(where: \.isEmpty) {
      throw TensorError.invalidArgument(op: "response_batch", message: "prompts and responses must not be empty")
    }
    let (ids, targets) = try TokenBatch.responseTargets(prompts: prompts, responses: responses)
    self.ids = ids
    self.targets = targets
    mask = try Masked.mask(fromTargets: targets)
    starts = prompts.map { $0.count - 1 }
    lengths = responses.map(\.count)
  }

  public var rowCount: Int { starts.count }
  public var width: Int { ids.shape[1] }
  /// Response tokens in the batch.
  public var tokenCount: Int { lengths.reduce(0, +) }

  /// Ragged per-token rows (row b has `lengths[b]` numbers) as [B, T], zero elsewhere.
  public func padded(_ rows: [[Float]]) throws -> Tensor {
    precondition(rows.count == rowCount, "one row per response")
    let t = width
    var values = [Float](repeating: 0, count: rowCount * t)
    for (b, row) in rows.enumerated() {
      precondition(row.count == lengths[b], "row \(b) has \(row.count) numbers for \(lengths[b]) response tokens")
      for (j, v) in row.enumerated() { values[b * t + starts[b] + j] = v }
    }
    return try Tensor(shape: [rowCount, t], values: values)
  }

  /// One number per row repeated over that row's response tokens, as [B, T].
  public func broadcast(_ perRow: [Float]) throws -> Tensor {
    try padded(zip(perRow, lengths).map { [Float](repeating: $0, count: $1) })
  }

  /// The response columns of a [B, T] tensor, row by row.
  public func rows(_ x: Tensor) -> [[Float]] {
    precondition(x.shape == [rowCount, width], "expected [\(rowCount), \(width)]")
    let v = x.toArray(), t = width
    return (0..<rowCount).map { b in Array(v[(b * t + starts[b])..<(b * t + starts[b] + lengths[b])]) }
  }
}
