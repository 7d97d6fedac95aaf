import Testing
import TensorEngine

/// Gradients of + − × ÷ and pow, including every broadcasting pattern: the gradient of a
/// broadcast operand must be summed back to that operand's own shape.
@Suite("Gradients: arithmetic")
struct GradientArithmeticTests {
  /// Shape pairs covering same shape, trailing vector, row × column, leading axes, and a
  /// one-element tensor on either side.
  static let shapePairs: [([Int], [Int])] = [
    ([2, 3], [2, 3]),
    ([2, 3], [3]),
    ([2, 1], [1, 3]),
    ([3], [2, 4, 3]),
    ([2, 1, 4], [3, 1]),
    ([], [2, 3]),
    ([2, 3], [1]),
  ]

  @Test("add", arguments: shapePairs)
  func add(_ a: [Int], _ b: [Int]) throws {
    try checkGradients([TestData.normal(a, seed: 1), TestData.normal(b, seed: 2)], "add \(a) \(b)") { try $0[0] + $0[1] }
  }

  @Test("subtract", arguments: shapePairs)
  func subtract(_ a: [Int], _ b: [Int]) throws {
    try checkGradients([TestData.normal(a, seed: 3), TestData.normal(b, seed: 4)], "subtract \(a) \(b)") { try $0[0] - $0[1] }
  }

  @Test("multiply", arguments: shapePairs)
  func multiply(_ a: [Int], _ b: [Int]) throws {
    try checkGradients([TestData.normal(a, seed: 5), TestData.normal(b, seed: 6)], "multiply \(a) \(b)") { try $0[0] * $0[1] }
  }

  @Test("divide", arguments: shapePairs)
  func divide(_ a: [Int], _ b: [Int]) throws {
    // The divisor stays away from the pole at 0.
    let x = TestData.normal(a, seed: 7), y = TestData.awayFromZero(b, seed: 8, low: 0.5, high: 2)
    try checkGradients([x, y], "divide \(a) \(b)") { try $0[0] / $0[1] }
  }

  @Test("the same tensor on both sides (x·x, x + x, x / x)")
  func sameOperandTwice() throws {
    let x = TestData.awayFromZero([2, 3], seed: 9, low: 0.5, high: 2)
    try checkGradients([x], "x*x") { try $0[0] * $0[0] }
    try checkGradients([x], "x+x") { try $0[0] + $0[0] }
    try checkGradients([x], "x*x + x") { try $0[0] * $0[0] + $0[0] }
    try checkGradients([x], "x/x + x") { try $0[0] / $0[0] + $0[0] }
  }

  @Test("tensor with a constant, on either side")
  func withConstant() throws {
    let x = TestData.awayFromZero([2, 3], seed: 10, low: 0.5, high: 2)
    try checkGradients([x], "x + 2") { $0[0] + 2 }
    try checkGradients([x], "2 + x") { 2 + $0[0] }
    try checkGradients([x], "x - 2") { $0[0] - 2 }
    try checkGradients([x], "2 - x") { 2 - $0[0] }
    try checkGradients([x], "x * 3") { $0[0] * 3 }
    try checkGradients([x], "3 * x") { 3 * $0[0] }
    try checkGradients([x], "x / 4") { $0[0] / 4 }
    try checkGradients([x], "4 / x") { 4 / $0[0] }
  }

  @Test("negated and prefix minus")
  func negate() throws {
    let x = TestData.normal([2, 3], seed: 11)
    try checkGradients([x], "negated") { $0[0].negated() }
    try checkGradients([x], "prefix -") { -$0[0] }
  }

  @Test("pow with a constant exponent", arguments: [2, 3, 0.5, -1.5, 1] as [Float])
  func powConstant(_ p: Float) throws {
    // Positive bases, so fractional and negative exponents are defined and smooth.
    let x = TestData.uniform([2, 3], seed: 12, low: 0.5, high: 2)
    try checkGradients([x], "pow \(p)") { $0[0].pow(p) }
  }

  @Test("pow with a tensor exponent, broadcast", arguments: [([2, 3], [2, 3]), ([2, 3], [3]), ([3], [2, 3]), ([2, 3], [])])
  func powTensor(_ a: [Int], _ b: [Int]) throws {
    let x = TestData.uniform(a, seed: 13, low: 0.5, high: 2)
    let e = TestData.uniform(b, seed: 14, low: -1.5, high: 2.5)
    try checkGradients([x, e], "pow tensor \(a) \(b)") { try $0[0].pow($0[1]) }
  }

  @Test("broadcast operand that is also a non-contiguous view")
  func broadcastView() throws {
    let a = TestData.normal([3, 2], seed: 15), b = TestData.normal([2, 1, 3], seed: 16)
    try checkGradients([a, b], "a.T * b") { try $0[0].transposed() * $0[1] }
    try checkGradients([a, b], "a.T + b (step slice)") {
      try $0[0].transposed() + $0[1].sliced(axis: 2, start: 0, end: 3, step: 2).summed(axis: 2, keepDims: true)
    }
  }
}
