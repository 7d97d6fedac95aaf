import Testing
import TensorEngine

/// Gradients of softmax and log-softmax along the last axis and along a middle axis (which
/// runs through a transposed view), for rows shorter and longer than one SIMD block.
@Suite("Gradients: softmax")
struct GradientSoftmaxTests {
  static let cases: [([Int], Int)] = [
    ([5], -1),
    ([3, 4], -1),
    ([2, 11], 1),  // a SIMD block of eight plus a tail
    ([2, 3, 4], 1),  // middle axis
    ([2, 3, 4], 0),
    ([2, 3, 4], -2),
  ]

  @Test("softmax", arguments: cases)
  func softmax(_ shape: [Int], axis: Int) throws {
    try checkGradients([TestData.normal(shape, seed: 71)], "softmax \(shape) axis \(axis)") { try $0[0].softmax(axis: axis) }
  }

  @Test("logSoftmax", arguments: cases)
  func logSoftmax(_ shape: [Int], axis: Int) throws {
    try checkGradients([TestData.normal(shape, seed: 72)], "logSoftmax \(shape) axis \(axis)") { try $0[0].logSoftmax(axis: axis) }
  }

  @Test("softmax of a non-contiguous input, followed by more work")
  func softmaxOfView() throws {
    let x = TestData.normal([4, 3], seed: 73)
    try checkGradients([x], "softmax(xᵀ)·2 + x ᵀ") { try $0[0].transposed().softmax() * 2 + $0[0].transposed() }
  }
}
