import Foundation
import Testing
import TensorEngine

/// Tensors large enough that the kernels split their loops across threads (parallelFor,
/// column splits, per-thread partial sums), checked against plain reference loops. The
/// gradient checks use tiny tensors and never reach these paths.
@Suite("Large tensors (threaded kernel paths)")
struct LargeTensorTests {
  @Test("broadcast add, contiguous and transposed, against a reference")
  func broadcastAdd() throws {
    let a = TestData.uniform([600, 130], seed: 181), b = TestData.uniform([130], seed: 182)
    let av = a.toArray(), bv = b.toArray()
    let sum = try (a + b).toArray()
    #expect(sum.indices.allSatisfy { sum[$0] == av[$0] + bv[$0 % 130] })
    // A transposed operand takes the strided row loop.
    let t = try a.transposed() + Tensor.ones([130, 1])
    let tv = t.toArray()
    #expect(t.shape == [130, 600])
    #expect((0..<130).allSatisfy { j in (0..<600).allSatisfy { i in tv[j * 600 + i] == av[i * 130 + j] + 1 } })
  }

  @Test("element-wise map over 70 000 elements")
  func map() throws {
    let x = TestData.uniform([70_001], seed: 183, low: -5, high: 5)
    let xv = x.toArray(), y = x.exp().toArray()
    #expect(xv.indices.allSatisfy { Swift.abs(y[$0] - Foundation.exp(xv[$0])) <= 2e-6 * Foundation.exp(xv[$0]) })
  }

  @Test("copy of a large transposed view")
  func copyStrided() throws {
    let x = try Tensor.arange(0, 300_000).reshaped([600, 500])
    let c = try x.transposed().contiguous().toArray()
    #expect((0..<500).allSatisfy { j in (0..<600).allSatisfy { i in c[j * 600 + i] == Float(i * 500 + j) } })
  }

  @Test("softmax over many rows sums to 1 and matches a reference row")
  func softmaxRows() throws {
    let x = TestData.normal([3000, 10], seed: 184, scale: 3)
    let y = try x.softmax()
    let sums = try y.summed(axis: 1).toArray()
    #expect(sums.allSatisfy { Swift.abs($0 - 1) < 1e-5 })
    let row = try x.selected(axis: 0, index: 2999).toArray().map(Double.init)
    let m = row.max()!, e = row.map { Foundation.exp($0 - m) }, s = e.reduce(0, +)
    expectClose(try y.selected(axis: 0, index: 2999), e.map { Float($0 / s) }, tolerance: 1e-6)
  }

  @Test("gradient of a large parameter: sum(x·x) gives 2x")
  func largeGradient() throws {
    let x = TestData.normal([70_000], seed: 185).requiringGrad()
    try (x * x).summed().backward()
    let g = try #require(x.grad).toArray(), xv = x.toArray()
    #expect(g.indices.allSatisfy { g[$0] == 2 * xv[$0] })
  }

  @Test("embedding backward with columns split across threads")
  func embeddingWide() throws {
    let table = Tensor.zeros([10, 256]).requiringGrad()
    let ids = TestData.ids([50], classes: 10, seed: 186)
    try Tensor.embedding(table, ids: ids).backward(gradient: Tensor.ones([50, 256]))
    let g = try #require(table.grad)
    let counts = ids.toArray().reduce(into: [Float](repeating: 0, count: 10)) { $0[Int($1)] += 1 }
    for row in 0..<10 {
      #expect(try g.selected(axis: 0, index: row).toArray().allSatisfy { $0 == counts[row] })
    }
  }

  @Test("layer norm gradients over many rows (per-thread partial sums)")
  func layerNormManyRows() throws {
    let x = TestData.normal([400, 16], seed: 187)
    let w = TestData.normal([16], seed: 188).requiringGrad(), b = TestData.normal([16], seed: 189).requiringGrad()
    let up = TestData.normal([400, 16], seed: 190)
    try x.layerNorm(weight: w, bias: b).backward(gradient: up)
    // db = Σ_rows g and dw = Σ_rows g·x̂, with x̂ from the plain layer norm.
    let xhat = try x.layerNorm(weight: nil, bias: nil)
    expectClose(try #require(b.grad), try up.summed(axis: 0).toArray(), tolerance: 1e-4)
    expectClose(try #require(w.grad), try (up * xhat).summed(axis: 0).toArray(), tolerance: 1e-4)
  }
}
