import Testing
import TensorEngine

/// Views share storage with their base; writes through the public API copy first
/// (copy-on-write), so neither a view nor its base ever sees the other's writes.
@Suite("Views and copy-on-write")
struct ViewStorageTests {
  let base = try! Tensor(shape: [2, 3], values: [0, 1, 2, 3, 4, 5])

  @Test("views share their base's storage")
  func sharing() throws {
    #expect(try base.reshaped([3, 2]).storage === base.storage)
    #expect(try base.transposed().storage === base.storage)
    #expect(try base.sliced(axis: 1, start: 1).storage === base.storage)
    #expect(try base.selected(axis: 0, index: 1).storage === base.storage)
    #expect(try base.unsqueezed(0).expanded(to: [4, 2, 3]).storage === base.storage)
    #expect(try base.permuted([1, 0]).storage === base.storage)
    #expect(base.contiguous().storage === base.storage)
    #expect(try base.transposed().contiguous().storage !== base.storage)
  }

  @Test("setElement on a view copies; the base is unchanged")
  func writeView() throws {
    var view = try base.transposed()
    try view.setElement(100, at: [2, 1])
    #expect(view.storage !== base.storage)
    #expect(view.toArray() == [0, 3, 1, 4, 2, 100])
    #expect(base.toArray() == [0, 1, 2, 3, 4, 5])
  }

  @Test("setElement on the base copies; an existing view is unchanged")
  func writeBase() throws {
    var b = base
    let view = try b.sliced(axis: 1, start: 1)
    try b.setElement(-1, at: [0, 1])
    #expect(view.toArray() == [1, 2, 4, 5])
    #expect(b.toArray() == [0, -1, 2, 3, 4, 5])
    #expect(base.toArray() == [0, 1, 2, 3, 4, 5])
  }

  @Test("a uniquely owned tensor is written in place")
  func uniqueInPlace() throws {
    var t = try Tensor(shape: [2], values: [1, 2])
    let before = t.storage.base
    try t.setElement(9, at: [-1])
    #expect(t.storage.base == before)
    #expect(t.toArray() == [1, 9])
  }

  @Test("withMutableElements copies shared storage and hands out row-major order")
  func mutableElements() throws {
    var view = try base.transposed()
    view.withMutableElements { buffer in
      #expect(Array(buffer) == [0, 3, 1, 4, 2, 5])
      buffer[0] = 42
    }
    #expect(view.isContiguous)
    #expect(view.toArray() == [42, 3, 1, 4, 2, 5])
    #expect(base.toArray() == [0, 1, 2, 3, 4, 5])
    var copy = base
    copy.withMutableElements { $0[5] = -5 }
    #expect(copy.toArray() == [0, 1, 2, 3, 4, -5])
    #expect(base.toArray() == [0, 1, 2, 3, 4, 5])
  }

  @Test("toArray and element(at:) of non-contiguous views")
  func readViews() throws {
    let x = try Tensor.arange(0, 24).reshaped([2, 3, 4])
    #expect(try x.transposed().toArray() == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, 12, 16, 20, 13, 17, 21, 14, 18, 22, 15, 19, 23])
    #expect(try x.permuted([2, 0, 1]).toArray().prefix(6) == [0, 4, 8, 12, 16, 20])
    #expect(try x.sliced(axis: 2, start: 1, step: 2).toArray() == [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23])
    #expect(try x.sliced(axis: 2, step: -1).selected(axis: 0, index: 0).toArray() == [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8])
    #expect(try x.sliced(axis: 1, start: -1, end: 0, step: -2).selected(axis: 0, index: 1).toArray() == [20, 21, 22, 23])
    #expect(try x.sliced(axis: 1, start: 5).shape == [2, 0, 4])
    #expect(try x.sliced(axis: 1, start: 5).toArray() == [])
    #expect(try x.selected(axis: 2, index: -1).toArray() == [3, 7, 11, 15, 19, 23])
    #expect(try Tensor([1, 2, 3]).unsqueezed(1).expanded(to: [3, 2]).toArray() == [1, 1, 2, 2, 3, 3])
    #expect(try x.transposed(0, 2).element(at: [3, 1, 0]) == 7)
    let v = try x.sliced(axis: 2, step: -2)
    #expect(try v.element(at: [1, 2, 0]) == 23)
    #expect(try v.element(at: [1, 2, 1]) == 21)
    #expect(!v.isContiguous)
    // withElements reads a view in row-major order too.
    #expect(try x.transposed().withElements { Array($0.prefix(3)) } == [0, 4, 8])
  }

  @Test("reshape of a non-contiguous view copies the values in row-major order")
  func reshapeView() throws {
    let x = try Tensor.arange(0, 6).reshaped([2, 3])
    let r = try x.transposed().reshaped([6])
    #expect(r.toArray() == [0, 3, 1, 4, 2, 5])
    #expect(try x.reshaped([3, -1]).shape == [3, 2])
  }

  @Test("squeezed, unsqueezed, flattened shapes")
  func shapes() throws {
    let x = Tensor.zeros([1, 3, 1, 2])
    #expect(try x.squeezed().shape == [3, 2])
    #expect(try x.squeezed(2).shape == [1, 3, 2])
    #expect(try x.unsqueezed(-1).shape == [1, 3, 1, 2, 1])
    #expect(try x.unsqueezed(0).shape == [1, 1, 3, 1, 2])
    #expect(x.flattened().shape == [6])
    #expect(try Tensor([1, 2]).transposed().shape == [2])
  }

  @Test("requiringGrad of a view makes an independent contiguous parameter")
  func parameterFromView() throws {
    let p = try base.transposed().requiringGrad()
    #expect(p.isContiguous && p.shape == [3, 2])
    #expect(p.toArray() == [0, 3, 1, 4, 2, 5])
    let q = try base.sliced(axis: 1, start: 1).requiringGrad()
    #expect(q.toArray() == [1, 2, 4, 5])
    #expect(q.storage.count == 4)
  }
}
