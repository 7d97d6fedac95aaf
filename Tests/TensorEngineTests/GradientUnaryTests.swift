import Testing
import TensorEngine

/// One element-wise function under test, with inputs from its smooth domain.
struct UnaryCase: Sendable, CustomTestStringConvertible {
  let name: String
  let input: @Sendable ([Int], UInt64) -> Tensor
  let apply: @Sendable (Tensor) throws -> Tensor
  var testDescription: String { name }

  static let normal: @Sendable ([Int], UInt64) -> Tensor = { TestData.normal($0, seed: $1) }
  static let positive: @Sendable ([Int], UInt64) -> Tensor = { TestData.uniform($0, seed: $1, low: 0.3, high: 3) }
  static let awayFromZero: @Sendable ([Int], UInt64) -> Tensor = { TestData.awayFromZero($0, seed: $1) }
  /// Magnitudes in [0.2, 0.4) ∪ (0.6, 1.5): away from 0 and from the clamp bounds ±0.5.
  static let awayFromClampBounds: @Sendable ([Int], UInt64) -> Tensor = { shape, seed in
    var rng = RandomGenerator(seed: seed)
    let values = (0..<Shape.count(shape)).map { _ -> Float in
      let m = rng.nextUniform() < 0.5 ? 0.2 + 0.2 * rng.nextUniform() : 0.6 + 0.9 * rng.nextUniform()
      return rng.nextUniform() < 0.5 ? -m : m
    }
    return try! Tensor(shape: shape, values: values)
  }
}

@Suite("Gradients: element-wise functions")
struct GradientUnaryTests {
  static let cases: [UnaryCase] = [
    UnaryCase(name: "exp", input: UnaryCase.normal) { $0.exp() },
    UnaryCase(name: "log", input: UnaryCase.positive) { $0.log() },
    UnaryCase(name: "sqrt", input: UnaryCase.positive) { $0.sqrt() },
    UnaryCase(name: "tanh", input: UnaryCase.normal) { $0.tanh() },
    UnaryCase(name: "abs", input: UnaryCase.awayFromZero) { $0.abs() },
    UnaryCase(name: "relu", input: UnaryCase.awayFromZero) { $0.relu() },
    UnaryCase(name: "sigmoid", input: UnaryCase.normal) { $0.sigmoid() },
    UnaryCase(name: "silu", input: UnaryCase.normal) { $0.silu() },
    UnaryCase(name: "gelu (tanh approximation)", input: UnaryCase.normal) { $0.gelu(approximate: true) },
    UnaryCase(name: "gelu (exact erf)", input: UnaryCase.normal) { $0.gelu(approximate: false) },
    UnaryCase(name: "clamped(min: -0.5, max: 0.5)", input: UnaryCase.awayFromClampBounds) { try $0.clamped(min: -0.5, max: 0.5) },
    UnaryCase(name: "clamped(min: -0.5)", input: UnaryCase.awayFromClampBounds) { try $0.clamped(min: -0.5) },
    UnaryCase(name: "clamped(max: 0.5)", input: UnaryCase.awayFromClampBounds) { try $0.clamped(max: 0.5) },
  ]

  /// 37 elements: more than four SIMD blocks of eight plus a tail, so both the vector
  /// and the scalar loop paths of each kernel are checked.
  @Test("element-wise gradient", arguments: cases)
  func elementWise(_ c: UnaryCase) throws {
    try checkGradients([c.input([37], 21)], c.name) { try c.apply($0[0]) }
  }

  @Test("element-wise gradient through a non-contiguous view", arguments: cases)
  func elementWiseOnView(_ c: UnaryCase) throws {
    try checkGradients([c.input([4, 3], 22)], c.name) { try c.apply($0[0].transposed()) }
  }

  @Test("tanh and sigmoid over a wide range, including the small-|x| branch of tanh")
  func wideRange() throws {
    let x = try Tensor.linspace(-4, 4, count: 41)
    try checkGradients([x], "tanh") { $0[0].tanh() }
    try checkGradients([x], "sigmoid") { $0[0].sigmoid() }
    let small = try Tensor.linspace(-0.3, 0.3, count: 13)
    try checkGradients([small], "tanh near 0") { $0[0].tanh() }
  }

  @Test("clamp passes no gradient outside its range")
  func clampOutside() throws {
    let x = Tensor([-2, -0.2, 0.3, 2]).requiringGrad()
    try x.clamped(min: -1, max: 1).summed().backward()
    #expect(x.grad?.toArray() == [0, 1, 1, 0])
  }

  @Test("relu and abs at their kinks use the subgradient 0")
  func kinks() throws {
    let x = Tensor([-1, 0, 1]).requiringGrad()
    try x.relu().summed().backward()
    #expect(x.grad?.toArray() == [0, 0, 1])
    let y = Tensor([-1, 0, 1]).requiringGrad()
    try y.abs().summed().backward()
    #expect(y.grad?.toArray() == [-1, 0, 1])
  }
}
