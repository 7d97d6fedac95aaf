import COpenBLAS
import Foundation
import TensorEngine

/// `llmlab bench ops`: the engine's kernels against the machine's own limits, in one run.
///
/// - Matrix products of one transformer layer (width 384, 4096 tokens, MLP of 4×width):
///   the engine's path (autograd recording included) against raw `cblas_sgemm` on the same
///   shapes. Target ratio ≥ 0.95: the engine adds nothing around BLAS.
/// - Memory-bound kernels (GELU, layer norm forward and backward, softmax, an AdamW update
///   over 10M parameters): bytes moved per second against `memcpy` of the same byte count.
///   Target ratio ≥ 0.5.
public struct OpsBenchmark {
  public var repeats = 7
  public init() {}

  public func run(report: (Measurement) -> Void) throws {
    try matmuls(report: report)
    try memoryBound(report: report)
  }

  // MARK: Matrix products

  func matmuls(report: (Measurement) -> Void) throws {
    let tokens = 4096, width = 384, hidden = 4 * width
    Random.seed(1)
    let x = try Tensor.randn([tokens, width]).requiringGrad()
    let w = try (Tensor.randn([width, hidden]) * 0.02).requiringGrad()
    let dy = try Tensor.randn([tokens, hidden])
    // (name, M, N, K, transA, transB, engine call)
    let cases: [(String, Int, Int, Int, Bool, Bool, () throws -> Tensor)] = [
      ("matmul_forward", tokens, hidden, width, false, false, { try x.matmul(w) }),
      // dX = dY·Wᵀ: W is passed as a transposed view, which must become BLAS's Trans flag.
      ("matmul_backward_input", tokens, width, hidden, false, true, { try dy.matmul(w.transposed()) }),
      // dW = Xᵀ·dY
      ("matmul_backward_weight", width, hidden, tokens, true, false, { try x.transposed().matmul(dy) }),
    ]
    for (name, m, n, k, ta, tb, engineCall) in cases {
      let flops = 2.0 * Double(m) * Double(n) * Double(k)
      let raw = RawSgemm(m: m, n: n, k: k, transA: ta, transB: tb)
      // Engine and raw BLAS alternate, round by round, so that a noisy neighbour slows both.
      let (engine, blas) = try Timing.alternating(repeats: repeats, { _ = try engineCall() }, { EngineThreads.withBLASThreads { raw.run() } })
      report(Measurement([
        ("op", .text(name)),
        ("shape", .text("\(m)x\(k)·\(k)x\(n)")),
        ("gflops", .number(flops / engine / 1e9, digits: 1)),
        ("blas_gflops", .number(flops / blas / 1e9, digits: 1)),
        ("ratio", .number(blas / engine, digits: 3)),
      ]))
    }
  }

  /// `cblas_sgemm` alone on preallocated buffers of the given shapes.
  final class RawSgemm {
    let m: Int, n: Int, k: Int, transA: Bool, transB: Bool
    let a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>

    init(m: Int, n: Int, k: Int, transA: Bool, transB: Bool) {
      (self.m, self.n, self.k, self.transA, self.transB) = (m, n, k, transA, transB)
      a = .allocate(capacity: m * k); a.initialize(repeating: 0.5, count: m * k)
      b = .allocate(capacity: k * n); b.initialize(repeating: 0.25, count: k * n)
      c = .allocate(capacity: m * n); c.initialize(repeating: 0, count: m * n)
    }

    deinit { a.deallocate(); b.deallocate(); c.deallocate() }

    func run() {
      cblas_sgemm(
        CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), 1, a, Int32(transA ? m : k), b, Int32(transB ? k : n), 0, c, Int32(n))
    }
  }

  // MARK: Memory-bound kernels

  func memoryBound(report: (Measurement) -> Void) throws {
    Random.seed(2)
    let rows = 4096, width = 1536
    let n = rows * width
    let x = try Tensor.randn([rows, width])

    // GELU: read x, write y.
    try measureBandwidth("gelu", elements: n, bytes: 8 * n, report: report) { _ = x.gelu() }

    // Layer norm over rows of 1536: forward reads x and writes y.
    let weight = Tensor.ones([width]).requiringGrad(), bias = Tensor.zeros([width]).requiringGrad()
    try measureBandwidth("layer_norm_forward", elements: n, bytes: 8 * n, report: report) {
      _ = try GradMode.withoutGradients { try x.layerNorm(weight: weight, bias: bias) }
    }
    // Backward reads the output gradient and x, writes dx (weight and bias gradients are small).
    let xg = x.requiringGrad()
    let g = try Tensor.randn([rows, width])
    try measureBandwidth("layer_norm_backward", elements: n, bytes: 12 * n, report: report) {
      let y = try xg.layerNorm(weight: weight, bias: bias)
      try y.backward(gradient: g)
    } setup: {
      xg.zeroGrad(); weight.zeroGrad(); bias.zeroGrad()
    }

    // Softmax over rows: read, write.
    try measureBandwidth("softmax", elements: n, bytes: 8 * n, report: report) { _ = try x.softmax() }

    // AdamW over 10M parameters: read p, g, m, v; write p, m, v.
    let count = 10_000_000
    let p = Tensor.zeros([count]).requiringGrad()
    p.setGrad(try Tensor.randn([count]))
    let optimizer = try AdamW(parameters: [p], learningRate: 1e-3, weightDecay: 0.1)
    try measureBandwidth("adamw_step", elements: count, bytes: 28 * count, report: report) { try optimizer.step() }
  }

  /// Times `body` (preceded each time by the untimed `setup`) and compares its bytes per
  /// second with `memcpy` moving the same number of bytes (half read, half written).
  func measureBandwidth(
    _ name: String, elements: Int, bytes: Int, report: (Measurement) -> Void,
    _ body: () throws -> Void, setup: () -> Void = {}
  ) throws {
    let copyBytes = bytes / 2
    let src = UnsafeMutableRawPointer.allocate(byteCount: copyBytes, alignment: 64)
    let dst = UnsafeMutableRawPointer.allocate(byteCount: copyBytes, alignment: 64)
    defer { src.deallocate(); dst.deallocate() }
    memset(src, 1, copyBytes)
    memset(dst, 0, copyBytes)
    // The kernel and memcpy alternate, round by round; `setup` runs untimed before the kernel.
    var engineTimes: [Double] = [], copyTimes: [Double] = []
    for i in 0..<(repeats + 2) {
      setup()
      var t0 = Timing.now()
      try body()
      let e = Timing.now() - t0
      t0 = Timing.now()
      memcpy(dst, src, copyBytes)
      let c = Timing.now() - t0
      if i >= 2 { engineTimes.append(e); copyTimes.append(c) }
    }
    let engine = Timing.medianOf(engineTimes), copy = Timing.medianOf(copyTimes)
    let gbps = Double(bytes) / engine / 1e9
    let memcpyGbps = Double(bytes) / copy / 1e9
    report(Measurement([
      ("op", .text(name)),
      ("elements", .integer(elements)),
      ("gbps", .number(gbps, digits: 2)),
      ("memcpy_gbps", .number(memcpyGbps, digits: 2)),
      ("ratio", .number(gbps / memcpyGbps, digits: 3)),
    ]))
  }
}
