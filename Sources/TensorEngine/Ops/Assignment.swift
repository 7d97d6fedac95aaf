/// Writing part of a tensor in place.
extension Tensor {
  /// Writes `source` into positions `start ..< start + source.shape[axis]` along `axis`
  /// (every other axis must match), copying shared storage first. No gradient is recorded:
  /// this fills buffers, such as a KV cache that grows one position at a time without
  /// copying what it already holds.
  public mutating func assign(_ source: Tensor, along axis: Int, at start: Int) throws {
    let op = "assign"
    let ax = try Shape.normalizeAxis(axis, rank: rank, op: op)
    var expected = shape
    expected[ax] = source.rank == rank ? source.shape[ax] : -1
    guard source.shape == expected, start >= 0, start + source.shape[ax] <= shape[ax] else {
      throw TensorError.shapeMismatch(
        op: op, shapes: [shape, source.shape],
        reason: "do not fit: the source must match every axis but \(ax) and lie inside it from \(start)")
    }
    makeUniqueContiguous()
    let target = try sliced(axis: ax, start: start, end: start + source.shape[ax])
    let src = source.contiguous()
    withExtendedLifetime(src) { Kernels.scatterStrided(from: src.base, into: target) }
  }
}
