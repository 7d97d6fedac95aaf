import Foundation
import Testing
import TensorEngine

/// Results of broadcasting element-wise operations against values computed by hand.
@Suite("Broadcasting values")
struct BroadcastingTests {
  let m = try! Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])

  @Test("matrix with a row vector, a column, a scalar")
  func basic() throws {
    expectClose(try m + Tensor([10, 20, 30]), [11, 22, 33, 14, 25, 36], shape: [2, 3])
    expectClose(try m * Tensor(shape: [2, 1], values: [2, -1]), [2, 4, 6, -4, -5, -6], shape: [2, 3])
    expectClose(try m - Tensor(scalar: 1), [0, 1, 2, 3, 4, 5], shape: [2, 3])
    expectClose(try Tensor(scalar: 12) / m, [12, 6, 4, 3, 2.4, 2], shape: [2, 3])
    expectClose(try Tensor([1]) + m, [2, 3, 4, 5, 6, 7], shape: [2, 3])
  }

  @Test("column times row gives an outer product")
  func outer() throws {
    let col = try Tensor(shape: [3, 1], values: [1, 2, 3]), row = try Tensor(shape: [1, 4], values: [1, 10, 100, 1000])
    expectClose(try col * row, [1, 10, 100, 1000, 2, 20, 200, 2000, 3, 30, 300, 3000], shape: [3, 4])
  }

  @Test("leading axes are added; size-1 axes stretch on both sides")
  func rank3() throws {
    let a = try Tensor(shape: [2, 1, 2], values: [1, 2, 3, 4])
    let b = try Tensor(shape: [3, 1], values: [10, 20, 30])
    let r = try a + b
    #expect(r.shape == [2, 3, 2])
    #expect(r.toArray() == [11, 12, 21, 22, 31, 32, 13, 14, 23, 24, 33, 34])
  }

  @Test("broadcasting with non-contiguous operands")
  func views() throws {
    let t = try m.transposed()  // [[1,4],[2,5],[3,6]]
    expectClose(try t + Tensor([100, 200]), [101, 204, 102, 205, 103, 206], shape: [3, 2])
    let reversed = try Tensor([1, 2, 3]).sliced(axis: 0, step: -1)
    expectClose(try m * reversed, [3, 4, 3, 12, 10, 6], shape: [2, 3])
  }

  @Test("long rows take the vector path and the tail alike")
  func longRows() throws {
    let x = try Tensor.arange(0, 38).reshaped([2, 19])
    let y = try Tensor.arange(0, 19)
    let sum = try x + y
    for i in 0..<2 {
      for j in 0..<19 {
        #expect(try sum.element(at: [i, j]) == Float(19 * i + 2 * j))
      }
    }
    let scaled = try Tensor.arange(0, 37) * Tensor(scalar: 2)
    #expect(scaled.toArray() == (0..<37).map { Float(2 * $0) })
  }

  @Test("comparisons give 1 and 0 and broadcast")
  func comparisons() throws {
    let v = Tensor([1, 5, 3])
    #expect(try (v .> Tensor(scalar: 2)).toArray() == [0, 1, 1])
    #expect(try (v .== Tensor([1, 0, 3])).toArray() == [1, 0, 1])
    #expect(try (v .!= Tensor([1, 0, 3])).toArray() == [0, 1, 0])
    #expect(try (v .<= Tensor(scalar: 3)).toArray() == [1, 0, 1])
    #expect(try (v .< Tensor(scalar: 3)).toArray() == [1, 0, 0])
    #expect(try (v .>= Tensor(shape: [2, 1], values: [3, 6])).toArray() == [0, 1, 1, 0, 0, 0])
    #expect(try Tensor.select(where: Tensor([1, 0, 1]), v, Tensor(scalar: -1)).toArray() == [1, -1, 3])
    #expect(try v.maximum(Tensor(scalar: 2)).toArray() == [2, 5, 3])
    #expect(try v.minimum(Tensor(scalar: 2)).toArray() == [1, 2, 2])
  }

  @Test("element-wise functions against libm")
  func unaryValues() throws {
    let values: [Float] = [-3, -1.5, -0.4, -0.1, 0, 0.05, 0.3, 1, 2.5, 6]
    let x = Tensor(values)
    expectClose(x.exp(), values.map { Foundation.exp($0) }, tolerance: 1e-6)
    expectClose(x.tanh(), values.map { Foundation.tanh($0) }, tolerance: 1e-6)
    expectClose(x.sigmoid(), values.map { 1 / (1 + Foundation.exp(-$0)) }, tolerance: 1e-6)
    expectClose(x.silu(), values.map { $0 / (1 + Foundation.exp(-$0)) }, tolerance: 1e-6)
    expectClose(x.gelu(approximate: false), values.map { 0.5 * $0 * (1 + Foundation.erf($0 / Float(2).squareRoot())) }, tolerance: 1e-6)
    expectClose(
      x.gelu(approximate: true),
      values.map { 0.5 * $0 * (1 + Foundation.tanh(0.7978845608 * ($0 + 0.044715 * $0 * $0 * $0))) }, tolerance: 1e-6)
    expectClose(x.abs(), values.map { Swift.abs($0) })
    expectClose(x.relu(), values.map { Swift.max($0, 0) })
    expectClose(try x.clamped(min: -1, max: 1), values.map { Swift.min(Swift.max($0, -1), 1) })
    let positive = Tensor([0.25, 1, 4, 9])
    expectClose(positive.sqrt(), [0.5, 1, 2, 3])
    expectClose(positive.log(), [0.25, 1, 4, 9].map { Foundation.log($0) })
    expectClose(positive.pow(1.5), [0.125, 1, 8, 27])
    expectClose(try positive.pow(Tensor([2, 0, 0.5, -1])), [0.0625, 1, 2, 1 / 9])
    #expect(throws: TensorError.self) { try x.clamped(min: 1, max: -1) }
  }

  @Test("exp saturates to 0 and stays finite at the edges of the float range")
  func expRange() {
    let x = Tensor([-200, -90, 88, -Float.infinity])
    let y = x.exp().toArray()
    #expect(y[0] == 0 && y[3] == 0)
    #expect(y[1] >= 0 && y[1] < 1e-38)
    #expect(y[2].isFinite && Swift.abs(y[2] / Foundation.exp(Float(88)) - 1) < 1e-5)
  }
}

