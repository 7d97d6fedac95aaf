import Testing
import TensorEngine

// Shared helpers: seeded input tensors that never touch the engine's global generator (so
// tests can run in parallel), and value comparisons with float32 tolerances.

/// Test inputs drawn from a private generator: the same seed always gives the same tensor,
/// whatever other tests are doing with `Random`.
enum TestData {
  /// Standard normal values scaled by `scale`.
  static func normal(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    var values = [Float](repeating: 0, count: Shape.count(shape))
    values.withUnsafeMutableBufferPointer { rng.fillNormal($0, std: scale) }
    return try! Tensor(shape: shape, values: values)
  }

  /// Uniform values in [low, high).
  static func uniform(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    var values = [Float](repeating: 0, count: Shape.count(shape))
    values.withUnsafeMutableBufferPointer { rng.fillUniform($0, low: low, high: high) }
    return try! Tensor(shape: shape, values: values)
  }

  /// Values whose magnitude lies in [low, high) with a random sign: safely away from 0, the
  /// kink of relu and abs (and the pole of 1/x).
  static func awayFromZero(_ shape: [Int], seed: UInt64, low: Float = 0.2, high: Float = 1.5) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    let values = (0..<Shape.count(shape)).map { _ -> Float in
      let magnitude = low + (high - low) * rng.nextUniform()
      return rng.nextUniform() < 0.5 ? -magnitude : magnitude
    }
    return try! Tensor(shape: shape, values: values)
  }

  /// Distinct whole multiples of `gap`, in random order: max, min, top-k and sorting pick a
  /// clear winner, and a finite-difference step smaller than gap/2 never changes it. (Adding
  /// gap/2 to another such tensor gives values that never come near these.)
  static func distinct(_ shape: [Int], seed: UInt64, gap: Float = 0.1) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    let n = Shape.count(shape)
    var values = (0..<n).map { Float($0 - n / 2) * gap }
    rng.shuffle(&values)
    return try! Tensor(shape: shape, values: values)
  }

  /// Whole numbers in 0 ..< classes, stored as floats (token ids, class labels).
  static func ids(_ shape: [Int], classes: Int, seed: UInt64) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    let values = (0..<Shape.count(shape)).map { _ in Float(rng.nextInt(below: classes)) }
    return try! Tensor(shape: shape, values: values)
  }
}

/// Expects `actual` to equal `expected` element by element within `tolerance` (absolute
/// plus relative), and the shapes to match.
func expectClose(
  _ actual: Tensor, _ expected: [Float], shape: [Int]? = nil, tolerance: Float = 1e-5,
  _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
  if let shape {
    #expect(actual.shape == shape, comment, sourceLocation: sourceLocation)
  }
  expectClose(actual.toArray(), expected, tolerance: tolerance, comment, sourceLocation: sourceLocation)
}

func expectClose(
  _ actual: [Float], _ expected: [Float], tolerance: Float = 1e-5,
  _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
  guard actual.count == expected.count else {
    Issue.record("\(actual.count) values where \(expected.count) were expected. \(comment.map { "\($0)" } ?? "")",
                 sourceLocation: sourceLocation)
    return
  }
  for (i, (a, e)) in zip(actual, expected).enumerated() {
    let ok = a == e || Swift.abs(a - e) <= tolerance * Swift.max(1, Swift.abs(e))
    if !ok {
      Issue.record("element \(i): \(a) is not close to \(e). \(comment.map { "\($0)" } ?? "")",
                   sourceLocation: sourceLocation)
      return
    }
  }
}

/// Expects two scalars to be close (absolute plus relative tolerance).
func expectClose(
  _ actual: Float, _ expected: Float, tolerance: Float = 1e-5,
  _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
  expectClose([actual], [expected], tolerance: tolerance, comment, sourceLocation: sourceLocation)
}

/// Bit patterns, for "bit-identical" comparisons (NaN-safe, distinguishes -0 from 0).
func bits(_ t: Tensor) -> [UInt32] { t.toArray().map(\.bitPattern) }
