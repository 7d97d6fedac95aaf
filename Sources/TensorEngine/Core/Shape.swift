/// Shape arithmetic shared by every operation: element counts, strides, axes, broadcasting.
public enum Shape {
  /// Number of elements of a tensor of this shape (1 for a scalar, shape `[]`).
  @inline(__always)
  public static func count(_ shape: [Int]) -> Int {
    var n = 1
    for d in shape { n &*= d }
    return n
  }

  /// Row-major strides of a contiguous tensor of this shape.
  public static func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var s = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
      strides[i] = s
      s *= Swift.max(shape[i], 1)
    }
    return strides
  }

  /// Maps a possibly negative axis into `0 ..< rank`, or throws naming the operation.
  public static func normalizeAxis(_ axis: Int, rank: Int, op: String) throws -> Int {
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0 && a < rank else { throw TensorError.invalidAxis(op: op, axis: axis, rank: rank) }
    return a
  }

  /// NumPy broadcasting: align trailing dimensions; each pair must be equal or contain a 1.
  public static func broadcast(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
    if a == b { return a }
    let rank = Swift.max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
      let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
      let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
      if da == db || db == 1 {
        out[i] = da
      } else if da == 1 {
        out[i] = db
      } else {
        throw TensorError.shapeMismatch(
          op: op, shapes: [a, b],
          reason: "cannot be broadcast together (dimension \(i - rank) is \(da) against \(db))")
      }
    }
    return out
  }

  /// The most elements one tensor may have (2^31 floats, 8 GiB): a larger request from a
  /// user is an error rather than an overflowing count or an allocation that cannot succeed.
  public static let maximumCount = 1 << 31

  /// Validates a shape given by a user: no negative sizes, at most `maximumCount` elements.
  static func validate(_ shape: [Int], op: String) throws {
    for d in shape where d < 0 {
      throw TensorError.invalidArgument(op: op, message: "negative dimension in shape \(formatShape(shape))")
    }
    try validateCount(shape, op: op)
  }

  /// Throws when the shape holds more than `maximumCount` elements (without overflowing).
  /// Sizes of 0 count as 1, as in the strides, which must not overflow either.
  static func validateCount(_ shape: [Int], op: String) throws {
    var n = 1
    for d in shape {
      let (product, overflow) = n.multipliedReportingOverflow(by: Swift.max(d, 1))
      guard !overflow, product <= maximumCount else {
        throw TensorError.invalidArgument(
          op: op, message: "shape \(formatShape(shape)) has too many elements (the limit is 2^31 = \(maximumCount))")
      }
      n = product
    }
  }
}

/// Steps a multi-index to the next position of `shape` in row-major order (the last axis
/// fastest), wrapping to all zeros after the last position.
@inline(__always)
func advanceIndex(_ index: inout [Int], within shape: [Int]) {
  var d = shape.count - 1
  while d >= 0 {
    index[d] += 1
    if index[d] < shape[d] { return }
    index[d] = 0
    d -= 1
  }
}
