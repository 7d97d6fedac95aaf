import COpenBLAS

/// The single road from the engine to `cblas_sgemm`.
///
/// A matrix operand is the last two axes of a tensor. When those are laid out row-major
/// (unit column stride) the operand is passed as is; when they are a transposed view (unit
/// row stride) the transpose becomes BLAS's `Trans` flag. Only other layouts (a broadcast
/// gradient with zero strides, a stepped slice) are copied first.
enum GEMM {
  struct Operand {
    var tensor: Tensor
    var transposed: Bool
    var leadingDimension: Int
  }

  /// Describes the last two axes of `t` for BLAS, copying only if no flag can express them.
  static func operand(_ t: Tensor) -> Operand {
    let r = t.rank
    let rows = t.shape[r - 2], cols = t.shape[r - 1]
    let sr = t.strides[r - 2], sc = t.strides[r - 1]
    if (sc == 1 || cols == 1) && (sr >= Swift.max(cols, 1) || rows == 1) {
      return Operand(tensor: t, transposed: false, leadingDimension: rows == 1 ? Swift.max(cols, 1) : sr)
    }
    if (sr == 1 || rows == 1) && (sc >= Swift.max(rows, 1) || cols == 1) {
      return Operand(tensor: t, transposed: true, leadingDimension: cols == 1 ? Swift.max(rows, 1) : sc)
    }
    let c = t.contiguous().detached()
    return Operand(tensor: c, transposed: false, leadingDimension: Swift.max(cols, 1))
  }

  /// C = A·B for `a` of shape [..., M, K] and `b` of shape [..., K, N] (rank ≥ 2, batch axes
  /// broadcast). No autograd: callers record their own gradients.
  static func multiply(_ a: Tensor, _ b: Tensor, op: String = "matmul") throws -> Tensor {
    let region = Profiler.begin(.matmul); defer { Profiler.end(region) }
    let ra = a.rank, rb = b.rank
    let m = a.shape[ra - 2], k = a.shape[ra - 1]
    let k2 = b.shape[rb - 2], n = b.shape[rb - 1]
    guard k == k2 else {
      throw TensorError.shapeMismatch(
        op: op, shapes: [a.shape, b.shape],
        reason: "cannot be multiplied: the inner dimensions differ (\(k) vs \(k2))")
    }
    let batchA = Array(a.shape[0..<(ra - 2)])
    let batchB = Array(b.shape[0..<(rb - 2)])
    guard let batch = try? Shape.broadcast(batchA, batchB, op: op) else {
      throw TensorError.shapeMismatch(
        op: op, shapes: [a.shape, b.shape],
        reason: "cannot be multiplied: the batch axes \(formatShape(batchA)) and \(formatShape(batchB)) do not broadcast")
    }
    guard m < Int(Int32.max), n < Int(Int32.max), k < Int(Int32.max) else {
      throw TensorError.invalidArgument(op: op, message: "matrix dimensions exceed BLAS's 32-bit limit")
    }

    // A weight matrix shared by every batch element: fold the batch into the rows of one
    // large product, which BLAS runs far more efficiently than many small ones.
    if batchB.isEmpty && !batchA.isEmpty && a.isContiguous {
      let flat = Tensor(storage: a.storage, shape: [Shape.count(batchA) * m, k], strides: [k, 1], offset: a.offset)
      var out = try multiply(flat, b, op: op)
      out.shape = batch + [m, n]
      out.strides = Shape.contiguousStrides(out.shape)
      return out
    }

    let out = Tensor(uninitializedShape: batch + [m, n])
    let count = Shape.count(batch)
    if m == 0 || n == 0 || count == 0 { return out }
    if k == 0 {
      out.base.initialize(repeating: 0, count: out.count)
      return out
    }
    let opA = operand(a), opB = operand(b)
    let stridesA = Array(Kernels.broadcastStrides(opA.tensor, to: batch + [m, k]).prefix(batch.count))
    let stridesB = Array(Kernels.broadcastStrides(opB.tensor, to: batch + [k, n]).prefix(batch.count))
    let pa = opA.tensor.base, pb = opB.tensor.base, pc = out.base
    let ta = opA.transposed, tb = opB.transposed
    let lda = opA.leadingDimension, ldb = opB.leadingDimension
    Profiler.countGEMM(transA: ta, transB: tb, m: m, n: n, k: k, calls: count)
    // Offsets of each product's operands (batch axes may broadcast).
    var offsets = [(Int, Int)](repeating: (0, 0), count: count)
    var index = [Int](repeating: 0, count: batch.count)
    for i in 0..<count {
      var offA = 0, offB = 0
      for d in 0..<batch.count {
        offA += index[d] * stridesA[d]
        offB += index[d] * stridesB[d]
      }
      offsets[i] = (offA, offB)
      advanceIndex(&index, within: batch)
    }
    withExtendedLifetime((opA.tensor, opB.tensor)) {
      if count == 1 {
        sgemm(transA: ta, transB: tb, m: m, n: n, k: k, pa, lda: lda, pb, ldb: ldb, pc, ldc: n)
        return
      }
      // Several products: one per work item, each on one thread.
      offsets.withUnsafeBufferPointer { off in
        parallelFor(count, grain: Swift.max(1, splitWork / Swift.max(1, m * n * k))) { items in
          for i in items {
            serial(transA: ta, transB: tb, m: m, n: n, k: k, pa + off[i].0, lda: lda, pb + off[i].1, ldb: ldb,
                   pc + i * m * n, ldc: n)
          }
        }
      }
    }
    return out
  }
}

extension GEMM {
  /// m·n·k below which a product runs on one thread: waking another costs more than it saves.
  static let splitWork = 1 << 20

  /// C = alpha·op(A)·op(B) + beta·C, row-major, split across the engine's threads when large.
  ///
  /// OpenBLAS itself always runs single-threaded (see `EngineThreads`): the engine cuts the
  /// product into one block of rows (or columns) of C per thread, so BLAS's threads never
  /// spin beside the engine's and one thread pool does all the work. `prepare(rows, columns)`,
  /// when given, runs on each block of C just before its product, on the same thread (to
  /// write the values beta = 1 adds onto while they stay in that core's cache).
  static func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int,
    prepare: ((Range<Int>, Range<Int>) -> Void)? = nil
  ) {
    let threads = EngineThreads.count
    // A one-row product streams B from memory at a few flops per byte: worth splitting at
    // a sixteenth of the size.
    let work = m == 1 ? 16 * n * k : m * n * k
    let parts = Swift.min(threads, work / splitWork)
    if parts <= 1 || (m < 32 && n < 32) || (m == 1 && n < 64 * parts) {
      prepare?(0..<m, 0..<n)
      serial(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a, lda: lda, b, ldb: ldb, beta: beta, c, ldc: ldc)
      return
    }
    // Cut the longer side of C, at multiples of 16 so each block keeps whole vector tiles.
    let alongRows = m >= n
    let length = alongRows ? m : n
    parallelFor(parts, grain: 1) { range in
      for p in range {
        let lo = (length * p / parts) & ~15, hi = p == parts - 1 ? length : (length * (p + 1) / parts) & ~15
        if hi <= lo { continue }
        prepare?(alongRows ? lo..<hi : 0..<m, alongRows ? 0..<n : lo..<hi)
        if alongRows {
          serial(transA: transA, transB: transB, m: hi - lo, n: n, k: k, alpha: alpha,
                 a + (transA ? lo : lo * lda), lda: lda, b, ldb: ldb, beta: beta, c + lo * ldc, ldc: ldc)
        } else {
          serial(transA: transA, transB: transB, m: m, n: hi - lo, k: k, alpha: alpha,
                 a, lda: lda, b + (transB ? lo * ldb : lo), ldb: ldb, beta: beta, c + lo, ldc: ldc)
        }
      }
    }
  }

  /// One row-major `cblas_sgemm` on the calling thread (OpenBLAS runs single-threaded).
  @inline(__always)
  static func serial(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    if m == 1 && n > 1 && k > 1 {
      // A row vector times a matrix (sampling one position): a matrix-vector product reads
      // B once, where sgemm would first pack a copy of it. c = op(B)ᵀ·a. (c is zeroed
      // first when beta = 0: it may hold NaNs from a reused buffer, and 0·NaN is NaN.)
      if beta == 0 { c.initialize(repeating: 0, count: n) }
      cblas_sgemv(
        CblasRowMajor, transB ? CblasNoTrans : CblasTrans, Int32(transB ? n : k), Int32(transB ? k : n),
        alpha, b, Int32(ldb), a, Int32(transA ? lda : 1), beta, c, 1)
      return
    }
    cblas_sgemm(
      CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  /// One product counted by the profiler and split across threads when large.
  @inline(__always)
  static func raw(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int,
    prepare: ((Range<Int>, Range<Int>) -> Void)? = nil
  ) {
    Profiler.countGEMM(transA: transA, transB: transB, m: m, n: n, k: k)
    sgemm(
      transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a, lda: lda, b, ldb: ldb, beta: beta, c,
      ldc: ldc, prepare: prepare)
  }
}
