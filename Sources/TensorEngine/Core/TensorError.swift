/// An error from a tensor operation. Every case names the operation and what was wrong,
/// so that a front end (the REPL, a script runner) can print it and carry on.
public enum TensorError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Two or more operands whose shapes do not fit together.
  case shapeMismatch(op: String, shapes: [[Int]], reason: String)
  /// An axis outside `-rank ..< rank`.
  case invalidAxis(op: String, axis: Int, rank: Int)
  /// An index outside `-size ..< size` along some axis.
  case indexOutOfRange(op: String, index: Int, axis: Int, size: Int)
  /// Any other argument the operation cannot accept.
  case invalidArgument(op: String, message: String)
  /// `backward()` called on something that has no gradient to propagate.
  case notDifferentiable(op: String, message: String)

  public var description: String {
    switch self {
    case .shapeMismatch(let op, let shapes, let reason):
      let list = shapes.map(formatShape).joined(separator: " and ")
      return "\(op): shapes \(list) \(reason)"
    case .invalidAxis(let op, let axis, let rank):
      return "\(op): axis \(axis) is out of range for a tensor of rank \(rank)"
        + " (valid axes: \(-Swift.max(rank, 1)) ... \(Swift.max(rank, 1) - 1))"
    case .indexOutOfRange(let op, let index, let axis, let size):
      return "\(op): index \(index) is out of range for axis \(axis) of size \(size)"
    case .invalidArgument(let op, let message):
      return "\(op): \(message)"
    case .notDifferentiable(let op, let message):
      return "\(op): \(message)"
    }
  }
}

/// `[2, 3]`: the way shapes appear in every message.
public func formatShape(_ shape: [Int]) -> String {
  "[" + shape.map(String.init).joined(separator: ", ") + "]"
}
