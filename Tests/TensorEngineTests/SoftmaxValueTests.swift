import Foundation
import Testing
import TensorEngine

/// Softmax, log-softmax and cross-entropy values: numerically stable on huge inputs and
/// equal to a hand computation in Double.
@Suite("Softmax and cross-entropy values")
struct SoftmaxValueTests {
  /// Softmax of one row in Double, by the textbook formula with the max subtracted.
  static func softmax(_ row: [Double]) -> [Double] {
    let m = row.max()!
    let e = row.map { Foundation.exp($0 - m) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
  }

  @Test("huge logits do not overflow", arguments: [[1000, 1001], [-1000, -1001], [1e30, 1e30 - 3e24, -1e30]] as [[Float]])
  func huge(_ row: [Float]) throws {
    let x = Tensor(row)
    let y = try x.softmax().toArray()
    let expected = Self.softmax(row.map(Double.init)).map(Float.init)
    #expect(y.allSatisfy { $0.isFinite })
    expectClose(y, expected, tolerance: 1e-6)
    let ls = try x.logSoftmax().toArray()
    #expect(ls.allSatisfy { $0.isFinite })
    expectClose(ls.map { Foundation.exp($0) }, expected, tolerance: 1e-6)
  }

  @Test("[1000, 1001] exactly")
  func pair() throws {
    let y = try Tensor([1000, 1001]).softmax().toArray()
    expectClose(y, [1 / (1 + Float(M_E)), Float(M_E) / (1 + Float(M_E))], tolerance: 1e-6)
    let ls = try Tensor([1000, 1001]).logSoftmax().toArray()
    let lse = 1001 + Foundation.log(1 + Foundation.exp(-1.0))
    expectClose(ls, [Float(1000 - lse), Float(1001 - lse)], tolerance: 1e-6)
  }

  @Test("rows sum to 1 along any axis; -infinity gets probability 0")
  func normalization() throws {
    let x = TestData.normal([3, 4, 19], seed: 161, scale: 5)
    for axis in [0, 1, 2] {
      let s = try x.softmax(axis: axis).summed(axis: axis).toArray()
      expectClose(s, [Float](repeating: 1, count: s.count), tolerance: 1e-5, "axis \(axis)")
    }
    let masked = try Tensor([0, -.infinity, 0]).softmax().toArray()
    #expect(masked == [0.5, 0, 0.5])
    // Middle-axis softmax equals softmax of the transposed tensor, transposed back.
    let direct = try x.softmax(axis: 1)
    let viaTranspose = try x.transposed(1, 2).contiguous().softmax().transposed(1, 2)
    expectClose(direct, viaTranspose.toArray(), tolerance: 1e-6)
  }

  @Test("cross-entropy against a hand computation")
  func crossEntropy() throws {
    let rows: [[Double]] = [[2, 1, 0.1], [0.5, 2.5, -1], [1000, 1001, 999]]
    let targets = [0, 2, 1]
    var total = 0.0
    for (row, t) in zip(rows, targets) { total -= Foundation.log(Self.softmax(row)[t]) }
    let logits = try Tensor(shape: [3, 3], values: rows.flatMap { $0.map(Float.init) })
    let loss = try Tensor.crossEntropy(logits: logits, targets: Tensor(targets.map(Float.init)))
    #expect(loss.shape == [])
    expectClose(try loss.item(), Float(total / 3), tolerance: 1e-5)
    // Row 0 alone: log(e² + e + e^0.1) − 2.
    let single = try Tensor.crossEntropy(logits: Tensor([2, 1, 0.1]), targets: Tensor(scalar: 0))
    expectClose(try single.item(), Float(Foundation.log(Foundation.exp(2.0) + Foundation.exp(1.0) + Foundation.exp(0.1)) - 2), tolerance: 1e-6)
  }

  @Test("cross-entropy with ignored rows averages over the counted rows only")
  func ignored() throws {
    let logits = try Tensor(shape: [3, 2], values: [0, 0, 5, -5, 1, 2])
    let loss = try Tensor.crossEntropy(logits: logits, targets: Tensor([1, -100, 0]))
    let expected = (Foundation.log(2.0) + (Foundation.log(Foundation.exp(1.0) + Foundation.exp(2.0)) - 1)) / 2
    expectClose(try loss.item(), Float(expected), tolerance: 1e-6)
    let none = try Tensor.crossEntropy(logits: logits, targets: Tensor([-100, -100, -100]))
    #expect(try none.item().isNaN)
  }

  @Test("cross-entropy with label smoothing against a hand computation")
  func smoothed() throws {
    let row: [Double] = [1, 3, -2, 0.5]
    let eps = 0.2
    let p = Self.softmax(row)
    var expected = 0.0
    for i in 0..<4 { expected -= ((i == 1 ? 1 - eps : 0) + eps / 4) * Foundation.log(p[i]) }
    let loss = try Tensor.crossEntropy(logits: Tensor(row.map(Float.init)), targets: Tensor(scalar: 1), labelSmoothing: Float(eps))
    expectClose(try loss.item(), Float(expected), tolerance: 1e-6)
    #expect(throws: TensorError.self) {
      try Tensor.crossEntropy(logits: Tensor([1, 2]), targets: Tensor(scalar: 0), labelSmoothing: 1)
    }
  }

  @Test("cross-entropy gradient is (softmax − one-hot) / rows")
  func gradient() throws {
    let logits = try Tensor(shape: [2, 3], values: [1000, 1001, 999, 0, 0, 0]).requiringGrad()
    try Tensor.crossEntropy(logits: logits, targets: Tensor([1, 2])).backward()
    let p0 = Self.softmax([1000, 1001, 999]), third = 1.0 / 3
    let expected = [p0[0], p0[1] - 1, p0[2], third, third, third - 1].map { Float($0 / 2) }
    expectClose(try #require(logits.grad), expected, tolerance: 1e-6)
  }

  @Test("cross-entropy rejects out-of-range and fractional targets")
  func invalidTargets() {
    let logits = Tensor.zeros([2, 3])
    #expect(throws: TensorError.self) { try Tensor.crossEntropy(logits: logits, targets: Tensor([0, 3])) }
    #expect(throws: TensorError.self) { try Tensor.crossEntropy(logits: logits, targets: Tensor([0, -1])) }
    #expect(throws: TensorError.self) { try Tensor.crossEntropy(logits: logits, targets: Tensor([0, 1.5])) }
    #expect(throws: TensorError.self) { try Tensor.crossEntropy(logits: logits, targets: Tensor([0, 1, 2])) }
  }
}

/// Log-probabilities of logits so large that the float spacing near them exceeds the
/// log-probabilities themselves: log Σ exp must not be formed as max + log Σ exp(x − max).
@Suite("Log-softmax precision at large logits")
struct LogSoftmaxPrecisionTests {
  @Test("logSoftmax and cross-entropy of two equal huge logits are −log 2", arguments: [1e3, 1e5, 1e7] as [Float])
  func equalHugeLogits(_ big: Float) throws {
    let logits = Tensor([big, big])
    expectClose(try logits.logSoftmax(), [-Float(M_LN2), -Float(M_LN2)], tolerance: 1e-6)
    expectClose(try Tensor.crossEntropy(logits: logits, targets: Tensor(scalar: 1)).item(), Float(M_LN2), tolerance: 1e-6)
    let smoothed = try Tensor.crossEntropy(logits: logits, targets: Tensor(scalar: 1), labelSmoothing: 0.3)
    expectClose(try smoothed.item(), Float(M_LN2), tolerance: 1e-6)
    let p = logits.requiringGrad()
    try Tensor.crossEntropy(logits: p, targets: Tensor(scalar: 0)).backward()
    expectClose(try #require(p.grad), [-0.5, 0.5], tolerance: 1e-6)
  }
}
