import Foundation
import Testing
@testable import TensorEngine

/// The profiler is process-wide state, so its tests run serially (and the suite as a whole
/// runs with `swift test --no-parallel`).
@Suite("Profiler", .serialized)
struct ProfilerTests {
  @Test("categories never add up to more than the wall time")
  func categoriesWithinWallTime() throws {
    let x = TestData.normal([64, 96], seed: 1).requiringGrad()
    let w = TestData.normal([96, 48], seed: 2).requiringGrad()
    let q = TestData.normal([2, 16, 8], seed: 3).requiringGrad()
    Profiler.start()
    let start = Profiler.now()
    let y = try x.matmul(w).gelu().layerNorm(weight: nil, bias: nil)
    let a = try Tensor.scaledDotProductAttention(query: q, key: q, value: q)
    try (y.summed() + a.summed()).backward()
    let wall = Profiler.now() - start
    let report = Profiler.stop()
    #expect(report.totalSeconds <= wall)
    for c in Profiler.Category.allCases where c != .optimizer { #expect(report.seconds(c) > 0, "\(c.name)") }
    #expect(report.seconds(.optimizer) == 0)
  }

  @Test("a matmul's FLOPs: 2·m·n·k forward, twice that backward")
  func matmulFlops() throws {
    let (m, k, n) = (5, 7, 3)
    let a = TestData.normal([m, k], seed: 4).requiringGrad()
    let b = TestData.normal([k, n], seed: 5).requiringGrad()
    Profiler.start()
    let c = try a.matmul(b)
    let forward = Profiler.stop()
    #expect(forward.flops(.matmul) == Double(2 * m * n * k))
    #expect(forward.gemmCalls == [Profiler.GEMMShape(transA: false, transB: false, m: m, n: n, k: k): 1])
    #expect(forward.flops(.attention) == 0)

    Profiler.start()
    try c.backward(gradient: TestData.normal([m, n], seed: 6))
    let backward = Profiler.stop()
    // dA = dC·Bᵀ and dB = Aᵀ·dC: the same FLOPs each.
    #expect(backward.flops(.matmul) == Double(4 * m * n * k))
    #expect(backward.gemmCalls.values.reduce(0, +) == 2)
  }

  @Test("a batched matmul counts every product in the batch")
  func batchedFlops() throws {
    let a = TestData.normal([4, 5, 6], seed: 7), b = TestData.normal([4, 6, 2], seed: 8)
    Profiler.start()
    _ = try a.matmul(b)
    let report = Profiler.stop()
    #expect(report.flops(.matmul) == Double(4 * 2 * 5 * 2 * 6))
  }

  @Test("an attention's products count as attention, not matmul")
  func attentionFlops() throws {
    let q = TestData.normal([3, 4, 8], seed: 9)
    Profiler.start()
    _ = try Tensor.scaledDotProductAttention(query: q, key: q, value: q)
    let report = Profiler.stop()
    #expect(report.flops(.matmul) == 0)
    #expect(report.flops(.attention) >= Double(3 * 2 * (2 * 4 * 4 * 8)) * 0.5)
    #expect(report.gemmCalls.isEmpty)
  }

  @Test("nothing is recorded while the profiler is off")
  func offRecordsNothing() throws {
    _ = Profiler.stop()
    let a = TestData.normal([3, 3], seed: 10)
    _ = try a.matmul(a)
    Profiler.start()
    let report = Profiler.stop()
    #expect(report.totalSeconds == 0)
    #expect(report.flops(.matmul) == 0)
  }
}
