import Testing
import TensorEngine

/// Gradients of the operations that pick elements by index: embedding, gather, indexSelect
/// and the values of topK. Repeated indices must accumulate their gradients.
@Suite("Gradients: embedding, gather, indexSelect, topK")
struct GradientIndexingTests {
  @Test("embedding, with repeated ids", arguments: [[5], [2, 3], [2, 2, 3]])
  func embedding(_ idShape: [Int]) throws {
    var ids = TestData.ids(idShape, classes: 4, seed: 91)
    // Force a repeat: the same row picked twice must receive both gradients.
    ids.withMutableElements { $0[0] = 2; $0[1] = 2 }
    let table = TestData.normal([4, 3], seed: 92)
    // Rows never picked get a zero gradient, so the nonzero requirement applies table-wide.
    try checkGradients([table], "embedding ids \(idShape)") { try Tensor.embedding($0[0], ids: ids) }
  }

  @Test("embedding of a non-contiguous table")
  func embeddingOfView() throws {
    let table = TestData.normal([3, 4], seed: 93)
    let ids = Tensor([0, 3, 1, 3])
    try checkGradients([table], "embedding(tableᵀ)") { try Tensor.embedding($0[0].transposed(), ids: ids) }
  }

  @Test("gather along each axis", arguments: [0, 1, -1])
  func gather(_ axis: Int) throws {
    let x = TestData.normal([3, 4], seed: 94)
    let size = x.shape[axis < 0 ? axis + 2 : axis]
    // The index may be smaller than the input on the other axis and may repeat positions.
    let index = TestData.ids(axis == 0 ? [5, 3] : [2, 6], classes: size, seed: 95)
    try checkGradients([x], "gather axis \(axis)") { try $0[0].gather(axis: axis, index: index) }
  }

  @Test("gather from a non-contiguous view")
  func gatherOfView() throws {
    let x = TestData.normal([4, 3], seed: 96)
    let index = try Tensor(shape: [3, 2], values: [3, 0, 1, 1, 2, 3])
    try checkGradients([x], "gather(xᵀ)") { try $0[0].transposed().gather(axis: 1, index: index) }
  }

  @Test("indexSelect along each axis, with repeats", arguments: [0, 1, 2])
  func indexSelect(_ axis: Int) throws {
    let x = TestData.normal([3, 4, 2], seed: 97)
    let indices = Tensor([Float(x.shape[axis] - 1), 0, 0])
    try checkGradients([x], "indexSelect axis \(axis)") { try $0[0].indexSelect(axis: axis, indices: indices) }
  }

  @Test("topK values", arguments: [(-1, true), (0, true), (-1, false), (1, false)])
  func topK(_ axis: Int, largest: Bool) throws {
    let x = TestData.distinct([3, 5], seed: 98)
    try checkGradients([x], "topK axis \(axis) largest \(largest)") { try $0[0].topK(2, axis: axis, largest: largest).values }
  }
}
