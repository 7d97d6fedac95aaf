import Testing
import TensorEngine

/// Reduction results against hand-computed values.
@Suite("Reduction values")
struct ReductionValueTests {
  // [[[0,1,2,3],[4,5,6,7],[8,9,10,11]], [[12,...,15],[16,...,19],[20,...,23]]]
  let x = try! Tensor.arange(0, 24).reshaped([2, 3, 4])

  @Test("sum over every axis set")
  func sums() throws {
    #expect(try x.summed().item() == 276)
    #expect(try x.summed().shape == [])
    expectClose(try x.summed(axis: 0), [12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34], shape: [3, 4])
    expectClose(try x.summed(axis: 1), [12, 15, 18, 21, 48, 51, 54, 57], shape: [2, 4])
    expectClose(try x.summed(axis: -1), [6, 22, 38, 54, 70, 86], shape: [2, 3])
    expectClose(try x.summed(axes: [0, 2]), [60, 92, 124], shape: [3])
    expectClose(try x.summed(axes: [0, 2], keepDims: true), [60, 92, 124], shape: [1, 3, 1])
    expectClose(try x.summed(axes: [1, 2]), [66, 210], shape: [2])
    expectClose(try x.summed(axes: [2, 0, 2]), [60, 92, 124], shape: [3])
    expectClose(try x.summed(keepDims: true), [276], shape: [1, 1, 1])
    expectClose(try x.transposed(0, 2).summed(axis: 0), [6, 54, 22, 70, 38, 86], shape: [3, 2])
    expectClose(try Tensor(scalar: 5).summed(), [5], shape: [])
  }

  @Test("a large column sum (split across threads) is exact")
  func largeColumnSum() throws {
    let t = Tensor.ones([3, 40_000])
    let s = try t.summed(axis: 0)
    #expect(s.toArray().allSatisfy { $0 == 3 })
    let r = try Tensor.ones([40_000, 3]).summed(axis: 0)
    #expect(r.toArray() == [40_000, 40_000, 40_000])
  }

  @Test("mean, variance, standard deviation")
  func moments() throws {
    expectClose(try x.mean().item(), 11.5)
    expectClose(try x.mean(axis: 1), [4, 5, 6, 7, 16, 17, 18, 19], shape: [2, 4])
    let v = try Tensor(shape: [2, 4], values: [1, 2, 3, 4, 2, 4, 6, 8])
    expectClose(try v.variance(axes: [1]), [1.25, 5], shape: [2])
    expectClose(try v.variance(axes: [1], correction: 1), [5.0 / 3, 20.0 / 3], shape: [2])
    expectClose(try v.standardDeviation(axes: [1], keepDims: true), [Float(1.25).squareRoot(), Float(5).squareRoot()], shape: [2, 1])
    expectClose(try v.variance(axes: [0]), [0.25, 1, 2.25, 4], shape: [4])
    #expect(throws: TensorError.self) { try Tensor([1]).variance(correction: 1) }
    #expect(throws: TensorError.self) { try Tensor.zeros([0]).mean() }
  }

  @Test("max and min values")
  func extremes() throws {
    let t = try Tensor(shape: [2, 3], values: [3, -1, 7, 0, 9, -4])
    #expect(try t.max().item() == 9)
    #expect(try t.min().item() == -4)
    expectClose(try t.max(axis: 0), [3, 9, 7], shape: [3])
    expectClose(try t.min(axis: 1, keepDims: true), [-1, -4], shape: [2, 1])
    expectClose(try t.transposed().max(axis: 1), [3, 9, 7], shape: [3])
    #expect(throws: TensorError.self) { try Tensor.zeros([0]).max() }
  }

  @Test("argmax and argmin, ties take the first")
  func argExtremes() throws {
    let t = try Tensor(shape: [2, 3], values: [3, -1, 7, 9, 9, -4])
    #expect(try t.argmax().item() == 3)
    #expect(try t.argmax().shape == [])
    #expect(try t.argmin().item() == 5)
    #expect(try t.argmax(axis: 1).toArray() == [2, 0])
    #expect(try t.argmax(axis: 0).toArray() == [1, 1, 0])
    #expect(try t.argmin(axis: -1, keepDims: true).toArray() == [1, 2])
    #expect(try t.argmin(axis: -1, keepDims: true).shape == [2, 1])
    #expect(try t.transposed().argmax(axis: 0).toArray() == [2, 0])
    #expect(try Tensor([Float.nan, 1]).max().item().isNaN)
  }

  @Test("reductions are not recorded for tensors without gradient")
  func noRecord() throws {
    #expect(try !x.summed().requiresGrad)
  }
}
