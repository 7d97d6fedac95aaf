import Testing
import TensorEngine

/// Gradients of matmul for every shape combination it supports: 2-D, batched, broadcast
/// batch axes, a shared 2-D weight, vectors on either side, and transposed views that
/// reach BLAS as a transpose flag.
@Suite("Gradients: matmul")
struct GradientMatMulTests {
  static let shapePairs: [([Int], [Int])] = [
    ([3, 4], [4, 2]),  // 2-D
    ([2, 3, 4], [2, 4, 5]),  // batched 3-D
    ([2, 2, 3, 4], [2, 2, 4, 3]),  // batched 4-D
    ([2, 1, 3, 4], [3, 4, 2]),  // broadcast batch on both sides
    ([1, 3, 4], [2, 4, 2]),  // size-1 batch broadcast
    ([2, 3, 4], [4, 5]),  // shared 2-D weight (folded into one product)
    ([2, 2, 3, 4], [4, 5]),  // shared weight under two batch axes
    ([3, 4], [2, 4, 5]),  // 2-D left operand broadcast over a batch
    ([4], [4, 3]),  // vector · matrix
    ([3, 4], [4]),  // matrix · vector
    ([4], [4]),  // dot product
    ([4], [2, 4, 3]),  // vector · batched matrix
    ([2, 3, 4], [4]),  // batched matrix · vector
    ([1, 4], [4, 1]),  // single row and column
  ]

  @Test("matmul", arguments: shapePairs)
  func matmul(_ a: [Int], _ b: [Int]) throws {
    try checkGradients([TestData.normal(a, seed: 51), TestData.normal(b, seed: 52)], "matmul \(a) \(b)") {
      try $0[0].matmul($0[1])
    }
  }

  @Test("transposed-view operands (BLAS transpose flags)")
  func transposedOperands() throws {
    let a = TestData.normal([4, 3], seed: 53), b = TestData.normal([2, 4], seed: 54)
    try checkGradients([a, b], "aᵀ·bᵀ") { try $0[0].transposed().matmul($0[1].transposed()) }
    try checkGradients([a], "aᵀ·a (same tensor twice)") { try $0[0].transposed().matmul($0[0]) }
    let c = TestData.normal([2, 4, 3], seed: 55), d = TestData.normal([2, 5, 4], seed: 56)
    try checkGradients([c, d], "batched cᵀ·dᵀ") { try $0[0].transposed().matmul($0[1].transposed()) }
    try checkGradients([c, d], "batched (cᵀ·dᵀ)ᵀ") { try $0[0].transposed().matmul($0[1].transposed()).transposed() }
  }

  @Test("operands that need a copy: stepped, reversed, expanded, permuted batch")
  func stridedOperands() throws {
    let a = TestData.normal([3, 6], seed: 57), b = TestData.normal([4, 3], seed: 58)
    try checkGradients([a, b], "stepped columns") { try $0[0].sliced(axis: 1, step: 2).matmul($0[1].transposed()) }
    try checkGradients([a, b], "reversed rows") { try $0[1].sliced(axis: 0, step: -1).matmul($0[0]) }
    try checkGradients([a, b], "column slice (leading dimension > columns)") {
      try $0[1].matmul($0[0].sliced(axis: 1, start: 1, end: 4))
    }
    let row = TestData.normal([1, 3], seed: 59)
    try checkGradients([row, a], "expanded rows") { try $0[0].expanded(to: [5, 3]).matmul($0[1]) }
    let c = TestData.normal([3, 2, 4], seed: 60), d = TestData.normal([2, 4, 3], seed: 61)
    try checkGradients([c, d], "permuted batch axis") { try $0[0].permuted([1, 0, 2]).matmul($0[1]) }
    let e = TestData.normal([2, 3, 4, 5], seed: 63)
    try checkGradients([e, d], "selected batch (strided batch axis, contiguous matrices)") {
      try $0[1].transposed().matmul($0[0].selected(axis: 1, index: 1))
    }
    try checkGradients([c, TestData.normal([4, 5], seed: 62)], "non-contiguous batch with shared weight") {
      try $0[0].permuted([1, 0, 2]).matmul($0[1])
    }
  }

  @Test("matmul values against a hand computation")
  func values() throws {
    let a = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
    let b = try Tensor(shape: [3, 2], values: [7, 8, 9, 10, 11, 12])
    expectClose(try a.matmul(b), [58, 64, 139, 154], shape: [2, 2])
    expectClose(try a.transposed().matmul(a), [17, 22, 27, 22, 29, 36, 27, 36, 45], shape: [3, 3])
    expectClose(try Tensor([1, 2, 3]).matmul(Tensor([4, 5, 6])), [32], shape: [])
  }
}
