extension GEMM {
  /// Two independent 2-D products, A1·B1 and A2·B2, run side by side when the engine has two
  /// threads: each product whole on one thread. A linear layer's backward is such a pair,
  /// dX = dY·Wᵀ and dW = Xᵀ·dY, of exactly equal work, so the two threads stay balanced
  /// with one handoff instead of two, and each product keeps BLAS's full-size blocking (a
  /// small product cut in half runs below BLAS's best rate). Otherwise one after the other.
  static func multiplyPair(_ a1: Tensor, _ b1: Tensor, _ a2: Tensor, _ b2: Tensor) throws -> (Tensor, Tensor) {
    guard EngineThreads.count == 2, a1.rank == 2, b1.rank == 2, a2.rank == 2, b2.rank == 2,
      a1.shape[1] == b1.shape[0], a2.shape[1] == b2.shape[0]
    else { return (try multiply(a1, b1), try multiply(a2, b2)) }
    let region = Profiler.begin(.matmul); defer { Profiler.end(region) }
    let products = [(a1, b1), (a2, b2)].map { a, b in (operand(a), operand(b), a.shape[0], b.shape[1], a.shape[1]) }
    let outputs = products.map { _, _, m, n, _ in Tensor(uninitializedShape: [m, n]) }
    for (opA, opB, m, n, k) in products {
      Profiler.countGEMM(transA: opA.transposed, transB: opB.transposed, m: m, n: n, k: k)
    }
    withExtendedLifetime((products.map { ($0.0.tensor, $0.1.tensor) }, outputs)) {
      parallelFor(2, grain: 1) { items in
        for i in items {
          let (opA, opB, m, n, k) = products[i]
          if m == 0 || n == 0 { continue }
          if k == 0 { outputs[i].base.initialize(repeating: 0, count: m * n); continue }
          serial(
            transA: opA.transposed, transB: opB.transposed, m: m, n: n, k: k,
            opA.tensor.base, lda: opA.leadingDimension, opB.tensor.base, ldb: opB.leadingDimension,
            outputs[i].base, ldc: n)
        }
      }
    }
    return (outputs[0], outputs[1])
  }
}
