import Testing
import TensorEngine

/// Values of oneHot, topK, gather, indexSelect, embedding, concat, split and stack.
@Suite("Indexing and joining values")
struct IndexingValueTests {
  @Test("oneHot")
  func oneHot() throws {
    let h = try Tensor.oneHot(Tensor([2, 0, 1]), classes: 3)
    #expect(h.shape == [3, 3])
    #expect(h.toArray() == [0, 0, 1, 1, 0, 0, 0, 1, 0])
    let m = try Tensor.oneHot(Tensor(shape: [2, 1], values: [1, 3]), classes: 4)
    #expect(m.shape == [2, 1, 4] && m.toArray() == [0, 1, 0, 0, 0, 0, 0, 1])
    #expect(throws: TensorError.self) { try Tensor.oneHot(Tensor([3]), classes: 3) }
    #expect(throws: TensorError.self) { try Tensor.oneHot(Tensor([0.5]), classes: 3) }
    #expect(throws: TensorError.self) { try Tensor.oneHot(Tensor([0]), classes: 0) }
  }

  @Test("topK, largest and smallest, along either axis")
  func topK() throws {
    let t = try Tensor(shape: [2, 4], values: [1, 9, 3, 9, 5, -2, 8, 0])
    let (v, i) = try t.topK(2)
    #expect(v.shape == [2, 2] && v.toArray() == [9, 9, 8, 5])
    #expect(i.toArray() == [1, 3, 2, 0])  // ties keep the lower index first
    let (sv, si) = try t.topK(3, largest: false)
    #expect(sv.toArray() == [1, 3, 9, -2, 0, 5])
    #expect(si.toArray() == [0, 2, 1, 1, 3, 0])
    let (cv, ci) = try t.topK(1, axis: 0)
    #expect(cv.shape == [1, 4] && cv.toArray() == [5, 9, 8, 9])
    #expect(ci.toArray() == [1, 0, 1, 0])
    #expect(try t.topK(0).values.shape == [2, 0])
    #expect(throws: TensorError.self) { try t.topK(5) }
    let withNaN = try Tensor([1, .nan, 3]).topK(1)
    #expect(withNaN.values.toArray()[0].isNaN)
  }

  @Test("gather and indexSelect")
  func gather() throws {
    let x = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
    let g = try x.gather(axis: 1, index: Tensor(shape: [2, 2], values: [2, 0, 1, 1]))
    #expect(g.toArray() == [3, 1, 5, 5])
    let g0 = try x.gather(axis: 0, index: Tensor(shape: [1, 3], values: [1, 0, 1]))
    #expect(g0.toArray() == [4, 2, 6])
    #expect(try x.transposed().gather(axis: 1, index: Tensor(shape: [3, 1], values: [1, 0, 1])).toArray() == [4, 2, 6])
    #expect(try x.indexSelect(axis: 1, indices: Tensor([2, 2, 0])).toArray() == [3, 3, 1, 6, 6, 4])
    #expect(try x.indexSelect(axis: 0, indices: Tensor([1])).toArray() == [4, 5, 6])
  }

  @Test("embedding picks rows by id")
  func embedding() throws {
    let table = try Tensor(shape: [3, 2], values: [0, 1, 10, 11, 20, 21])
    let e = try Tensor.embedding(table, ids: Tensor(shape: [2, 2], values: [2, 0, 1, 2]))
    #expect(e.shape == [2, 2, 2])
    #expect(e.toArray() == [20, 21, 0, 1, 10, 11, 20, 21])
  }

  @Test("embedding gradient: rows add up for repeated ids")
  func embeddingGradient() throws {
    let table = Tensor.zeros([3, 2]).requiringGrad()
    let e = try Tensor.embedding(table, ids: Tensor([1, 1, 0, 1]))
    try e.backward(gradient: Tensor.ones([4, 2]))
    #expect(table.grad?.toArray() == [1, 1, 3, 3, 0, 0])
  }

  @Test("concat, split, stack")
  func joining() throws {
    let a = try Tensor(shape: [2, 2], values: [1, 2, 3, 4]), b = try Tensor(shape: [2, 1], values: [5, 6])
    let c = try Tensor.concat([a, b], axis: 1)
    #expect(c.shape == [2, 3] && c.toArray() == [1, 2, 5, 3, 4, 6])
    #expect(try Tensor.concat([a, a.transposed()], axis: 0).toArray() == [1, 2, 3, 4, 1, 3, 2, 4])
    let parts = try c.split(sizes: [2, 1], axis: 1)
    #expect(parts[0].toArray() == [1, 2, 3, 4] && parts[1].toArray() == [5, 6])
    let halves = try Tensor.arange(0, 6).split(parts: 3)
    #expect(halves.map { $0.toArray() } == [[0, 1], [2, 3], [4, 5]])
    let s = try Tensor.stack([Tensor([1, 2]), Tensor([3, 4])], axis: 1)
    #expect(s.shape == [2, 2] && s.toArray() == [1, 3, 2, 4])
    #expect(try Tensor.stack([Tensor([1, 2]), Tensor([3, 4])]).toArray() == [1, 2, 3, 4])
  }

  @Test("concat and split with an empty piece")
  func emptyPieces() throws {
    let a = try Tensor(shape: [2, 2], values: [1, 2, 3, 4])
    let c = try Tensor.concat([Tensor.zeros([0, 2]), a, Tensor.zeros([0, 2])], axis: 0)
    #expect(c.shape == [2, 2] && c.toArray() == [1, 2, 3, 4])
    let parts = try a.split(sizes: [0, 2], axis: 1)
    #expect(parts[0].shape == [2, 0] && parts[1].toArray() == [1, 2, 3, 4])
    let p = a.requiringGrad()
    let pieces = try p.split(sizes: [2, 0], axis: 0)
    try (pieces[0].summed() + pieces[1].summed()).backward()
    #expect(p.grad?.toArray() == [1, 1, 1, 1])
  }
}
