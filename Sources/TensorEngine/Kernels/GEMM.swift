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
    withExtendedLifetime((opA.tensor, opB.tensor)) {
      var index = [Int](repeating: 0, count: batch.count)
      Profiler.countGEMM(transA: opA.transposed, transB: opB.transposed, m: m, n: n, k: k, calls: count)
      for i in 0..<count {
        var offA = 0, offB = 0
        for d in 0..<batch.count {
          offA += index[d] * stridesA[d]
          offB += index[d] * stridesB[d]
        }
        cblas_sgemm(
          CblasRowMajor,
          opA.transposed ? CblasTrans : CblasNoTrans,
          opB.transposed ? CblasTrans : CblasNoTrans,
          Int32(m), Int32(n), Int32(k),
          1, pa + offA, Int32(opA.leadingDimension),
          pb + offB, Int32(opB.leadingDimension),
          0, pc + i * m * n, Int32(n))
        var d = batch.count - 1
        while d >= 0 {
          index[d] += 1
          if index[d] < batch[d] { break }
          index[d] = 0
          d -= 1
        }
      }
    }
    return out
  }
}

extension GEMM {
  /// One row-major `cblas_sgemm` on raw pointers: C = alpha·op(A)·op(B) + beta·C.
  @inline(__always)
  static func raw(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    Profiler.countGEMM(transA: transA, transB: transB, m: m, n: n, k: k)
    cblas_sgemm(
      CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }
}
