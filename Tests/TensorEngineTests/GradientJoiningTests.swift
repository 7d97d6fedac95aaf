import Testing
import TensorEngine

/// Gradients of concat, split and stack: each piece receives its own slice of the
/// gradient, along any axis.
@Suite("Gradients: concat, split, stack")
struct GradientJoiningTests {
  @Test("concat", arguments: [0, 1, -1])
  func concat(_ axis: Int) throws {
    let ax = axis < 0 ? axis + 2 : axis
    var s1 = [2, 3], s2 = [2, 3], s3 = [2, 3]
    s1[ax] = 1; s2[ax] = 2; s3[ax] = 3
    let inputs = [TestData.normal(s1, seed: 131), TestData.normal(s2, seed: 132), TestData.normal(s3, seed: 133)]
    try checkGradients(inputs, "concat axis \(axis)") { try Tensor.concat($0, axis: axis) }
  }

  @Test("concat of views and of the same tensor twice")
  func concatViews() throws {
    let a = TestData.normal([3, 2], seed: 134), b = TestData.normal([2, 2], seed: 135)
    try checkGradients([a, b], "concat(aᵀ, b) on axis 1") { try Tensor.concat([$0[0].transposed(), $0[1]], axis: 1) }
    try checkGradients([a], "concat(a, a)") { try Tensor.concat([$0[0], $0[0]], axis: 0) }
  }

  @Test("split into sizes and into equal parts; pieces used differently")
  func split() throws {
    let x = TestData.normal([2, 6], seed: 136)
    try checkGradients([x], "split sizes") {
      let parts = try $0[0].split(sizes: [1, 3, 2], axis: 1)
      return try Tensor.concat([parts[2] * 2, parts[0].exp(), parts[1] * parts[1]], axis: 1)
    }
    try checkGradients([x], "split parts") {
      let parts = try $0[0].split(parts: 2, axis: 0)
      return try parts[0] * parts[1]
    }
  }

  @Test("stack", arguments: [0, 1, 2, -1])
  func stack(_ axis: Int) throws {
    let inputs = (0..<3).map { TestData.normal([2, 3], seed: 137 + UInt64($0)) }
    try checkGradients(inputs, "stack axis \(axis)") { try Tensor.stack($0, axis: axis) }
  }
}
