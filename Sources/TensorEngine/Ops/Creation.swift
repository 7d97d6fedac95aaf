import Foundation

/// Nested lists of numbers, as written in a tensor literal: `[[1, 2], [3, 4]]`.
public indirect enum NestedValues: Sendable, Equatable {
  case scalar(Float)
  case list([NestedValues])
}

extension Tensor {
  public static func zeros(_ shape: [Int]) -> Tensor { full(shape, 0) }
  public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }

  public static func full(_ shape: [Int], _ value: Float) -> Tensor {
    let t = Tensor(uninitializedShape: shape)
    let n = t.count
    let p = t.base
    parallelFor(n, grain: 1 << 18) { r in (p + r.lowerBound).initialize(repeating: value, count: r.count) }
    return t
  }

  /// Checked versions for user-supplied shapes.
  public static func zeros(checked shape: [Int]) throws -> Tensor {
    try Shape.validate(shape, op: "zeros")
    return zeros(shape)
  }

  /// `start, start+step, ...` up to but excluding `end`.
  public static func arange(_ start: Float, _ end: Float, step: Float = 1) throws -> Tensor {
    guard step != 0, step.isFinite, start.isFinite, end.isFinite else {
      throw TensorError.invalidArgument(op: "arange", message: "step must be finite and nonzero (got \(step))")
    }
    let steps = Double(end - start) / Double(step)
    guard steps <= Double(Shape.maximumCount) else {
      throw TensorError.invalidArgument(op: "arange", message: "\(start) to \(end) by \(step) is more than 2^31 values")
    }
    var n = Swift.max(0, Int(steps.rounded(.up)))
    // Float rounding can make the quotient a hair above a whole number (0.3/0.1 in float32
    // is 3.0000001): drop a last value that would reach `end`, which is excluded.
    while n > 0 && (step > 0 ? start + Float(n - 1) * step >= end : start + Float(n - 1) * step <= end) { n -= 1 }
    let t = Tensor(uninitializedShape: [n])
    for i in 0..<n { t.base[i] = start + Float(i) * step }
    return t
  }

  /// `count` evenly spaced values from `start` to `end`, both included.
  public static func linspace(_ start: Float, _ end: Float, count: Int) throws -> Tensor {
    guard count >= 0 else { throw TensorError.invalidArgument(op: "linspace", message: "count must be ≥ 0 (got \(count))") }
    try Shape.validateCount([count], op: "linspace")
    let t = Tensor(uninitializedShape: [count])
    let step = count > 1 ? (Double(end) - Double(start)) / Double(count - 1) : 0
    for i in 0..<count { t.base[i] = Float(Double(start) + Double(i) * step) }
    if count > 1 { t.base[count - 1] = end }
    return t
  }

  /// Identity matrix with `rows` rows and `columns` columns (default square).
  public static func eye(_ rows: Int, _ columns: Int? = nil) throws -> Tensor {
    let cols = columns ?? rows
    try Shape.validate([rows, cols], op: "eye")
    let t = zeros([rows, cols])
    for i in 0..<Swift.min(rows, cols) { t.base[i * cols + i] = 1 }
    return t
  }

  /// Uniform values in [low, high) from the shared seeded generator.
  public static func rand(_ shape: [Int], low: Float = 0, high: Float = 1) throws -> Tensor {
    try Shape.validate(shape, op: "rand")
    let t = Tensor(uninitializedShape: shape)
    Random.using { $0.fillUniform(UnsafeMutableBufferPointer(start: t.base, count: t.count), low: low, high: high) }
    return t
  }

  /// Normal values from the shared seeded generator.
  public static func randn(_ shape: [Int], mean: Float = 0, std: Float = 1) throws -> Tensor {
    try Shape.validate(shape, op: "randn")
    let t = Tensor(uninitializedShape: shape)
    Random.using { $0.fillNormal(UnsafeMutableBufferPointer(start: t.base, count: t.count), mean: mean, std: std) }
    return t
  }

  /// A tensor from nested lists; every list at one depth must have the same length.
  public init(nested: NestedValues) throws {
    var shape: [Int] = []
    var probe = nested
    while case .list(let items) = probe {
      shape.append(items.count)
      guard let first = items.first else { break }
      probe = first
    }
    var values: [Float] = []
    values.reserveCapacity(Shape.count(shape))
    func walk(_ v: NestedValues, depth: Int, path: [Int]) throws {
      switch v {
      case .scalar(let x):
        guard depth == shape.count else {
          throw TensorError.invalidArgument(
            op: "tensor", message: "ragged nested list: element at \(formatShape(path)) is a number where a list of \(shape[depth]) was expected")
        }
        values.append(x)
      case .list(let items):
        guard depth < shape.count, items.count == shape[depth] else {
          let expected = depth < shape.count ? "\(shape[depth]) elements" : "a number"
          throw TensorError.invalidArgument(
            op: "tensor", message: "ragged nested list: list at \(formatShape(path)) has \(items.count) elements, expected \(expected)")
        }
        for (i, item) in items.enumerated() { try walk(item, depth: depth + 1, path: path + [i]) }
      }
    }
    try walk(nested, depth: 0, path: [])
    try self.init(shape: shape, values: values)
  }
}
