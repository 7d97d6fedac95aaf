import Testing
import TensorEngine

/// Gradients of the element-wise choices: maximum, minimum and select(where:), each of
/// which routes the gradient to the operand it picked (summed back where broadcast).
@Suite("Gradients: maximum, minimum, where")
struct GradientSelectionTests {
  /// Two operands whose elements differ by at least 0.1 wherever they meet, so a step of
  /// 1e-2 never flips which one wins.
  static func separatedPair(_ a: [Int], _ b: [Int], seed: UInt64) -> (Tensor, Tensor) {
    let x = TestData.distinct(a, seed: seed, gap: 0.25)
    let y = TestData.distinct(b, seed: seed + 1, gap: 0.25)
    // x holds multiples of 0.25 and y odd multiples of 0.125: they differ by ≥ 0.125 everywhere.
    return (x, y + 0.125)
  }

  static let shapePairs: [([Int], [Int])] = [([2, 3], [2, 3]), ([2, 3], [3]), ([2, 1], [1, 3]), ([2, 3], [])]

  @Test("maximum", arguments: shapePairs)
  func maximum(_ a: [Int], _ b: [Int]) throws {
    let (x, y) = Self.separatedPair(a, b, seed: 31)
    try checkGradients([x, y], "maximum \(a) \(b)") { try $0[0].maximum($0[1]) }
  }

  @Test("minimum", arguments: shapePairs)
  func minimum(_ a: [Int], _ b: [Int]) throws {
    let (x, y) = Self.separatedPair(a, b, seed: 33)
    try checkGradients([x, y], "minimum \(a) \(b)") { try $0[0].minimum($0[1]) }
  }

  @Test("select(where:) with a broadcast condition and broadcast operands")
  func select() throws {
    let condition = try Tensor(shape: [2, 1, 3], values: [1, 0, 1, 0, 0, 1])
    let a = TestData.normal([4, 3], seed: 35), b = TestData.normal([2, 4, 1], seed: 36)
    try checkGradients([a, b], "where") { try Tensor.select(where: condition, $0[0], $0[1]) }
  }

  @Test("select(where:) with a condition computed from the data")
  func selectFromComparison() throws {
    let x = TestData.awayFromZero([3, 4], seed: 37)
    try checkGradients([x], "where(x > 0, x², -x)") {
      try Tensor.select(where: try $0[0] .> Tensor(scalar: 0), $0[0] * $0[0], $0[0].negated())
    }
  }

  @Test("ties: maximum and minimum send the whole gradient to the first operand")
  func ties() throws {
    let a = Tensor([1, 2]).requiringGrad(), b = Tensor([1, 2]).requiringGrad()
    try a.maximum(b).summed().backward()
    #expect(a.grad?.toArray() == [1, 1])
    #expect(b.grad?.toArray() == [0, 0])
  }
}
