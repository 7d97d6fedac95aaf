import Testing
import TensorEngine

/// The fused linear layer (`Tensor.linear`): its gradients, and its values against the same
/// layer composed from matmul, +, and gelu.
@Suite("Gradients: linear layer")
struct GradientLinearTests {
  /// (bias, residual, gelu): every combination the fused path takes, and a GELU with a
  /// residual, which takes the composed path.
  static let variants: [(Bool, Bool, Bool)] = [
    (false, false, false), (true, false, false), (false, true, false), (true, true, false),
    (true, false, true), (false, false, true), (true, true, true),
  ]

  /// 70 outputs: one full block of 64 columns in the backward's column sums and a tail of 6.
  static let (inputs, outputs) = (5, 70)

  static func operands(transposedWeight: Bool) throws -> [Tensor] {
    let w = transposedWeight
      ? try TestData.normal([outputs, inputs], seed: 62).transposed()
      : TestData.normal([inputs, outputs], seed: 62)
    return [
      TestData.normal([2, 3, inputs], seed: 61), w, TestData.normal([outputs], seed: 63),
      TestData.normal([2, 3, outputs], seed: 64),
    ]
  }

  static func fused(_ t: [Tensor], _ variant: (Bool, Bool, Bool)) throws -> Tensor {
    let (bias, residual, gelu) = variant
    return try Tensor.linear(
      t[0], weight: t[1], bias: bias ? t[2] : nil, residual: residual ? t[3] : nil, activation: gelu ? .gelu : .none)
  }

  static func composed(_ t: [Tensor], _ variant: (Bool, Bool, Bool)) throws -> Tensor {
    let (bias, residual, gelu) = variant
    var y = try t[0].matmul(t[1])
    if bias { y = try y + t[2] }
    if gelu { y = y.gelu() }
    if residual { y = try t[3] + y }
    return y
  }

  @Test("gradients of x, weight, bias and residual", arguments: variants)
  func gradients(_ bias: Bool, _ residual: Bool, _ gelu: Bool) throws {
    for transposed in [false, true] {
      let t = try Self.operands(transposedWeight: transposed)
      let used: Set<Int> = Set([0, 1] + (bias ? [2] : []) + (residual ? [3] : []))
      try checkGradients(t, "linear bias \(bias) residual \(residual) gelu \(gelu) transposed \(transposed)", checked: used) {
        try Self.fused($0, (bias, residual, gelu))
      }
    }
  }

  @Test("the same values and gradients as the composed layer", arguments: variants)
  func matchesComposed(_ bias: Bool, _ residual: Bool, _ gelu: Bool) throws {
    for transposed in [false, true] {
      var results: [[[Float]]] = []
      for f in [Self.fused, Self.composed] {
        let t = try Self.operands(transposedWeight: transposed).map { $0.requiringGrad() }
        let y = try f(t, (bias, residual, gelu))
        try (y * TestData.normal(y.shape, seed: 65)).summed().backward()
        results.append([y.toArray()] + t.map { $0.grad?.toArray() ?? [] })
      }
      for (a, b) in zip(results[0], results[1]) {
        #expect(a.count == b.count)
        let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        #expect(worst < 1e-5, "bias \(bias) residual \(residual) gelu \(gelu) transposed \(transposed): off by \(worst)")
      }
    }
  }

  @Test("shapes the fused path does not take still work, and wrong ones are refused")
  func otherShapes() throws {
    let x = TestData.normal([4, 3], seed: 66), w = TestData.normal([3, 2], seed: 67)
    // A bias broadcast as a row [1, out] goes through the composed operations.
    let y = try Tensor.linear(x, weight: w, bias: TestData.normal([1, 2], seed: 68))
    #expect(y.shape == [4, 2])
    #expect(throws: TensorError.self) { try Tensor.linear(x, weight: TestData.normal([4, 2], seed: 69)) }
  }
}
