/// Inference kernels that write into tensors the caller already holds: no autograd and no
/// allocation per call.
///
/// Sampling one token at batch 1 runs a few dozen operations on vectors of a few hundred
/// values. Through the differentiable operations each would allocate its output, build shape
/// arrays and consult the gradient mode, which together cost about as much as the token's
/// arithmetic. These compute the same values (see `GPTModel.Decoder`); outputs must be
/// contiguous tensors that the caller owns alone (they are written in place).
extension Tensor {
  public enum Activation: Sendable { case none, gelu }

  /// `out = activation(x·W + b)`, or with `accumulate`, `out += x·W + b` (a residual add
  /// fused into the product: BLAS adds into `out`). `x` [rows, in] contiguous, `weight`
  /// [in, out] or a transposed view of [out, in], `bias` [out] or nil, `out` [rows, out].
  public static func linear(
    _ x: Tensor, weight: Tensor, bias: Tensor?, into out: inout Tensor,
    accumulate: Bool = false, activation: Activation = .none
  ) throws {
    let region = Profiler.begin(.matmul); defer { Profiler.end(region) }
    guard x.rank == 2, weight.rank == 2, x.isContiguous, x.shape[1] == weight.shape[0],
      out.shape == [x.shape[0], weight.shape[1]], bias.map({ $0.shape == [weight.shape[1]] }) ?? true,
      !(accumulate && activation != .none)
    else {
      throw TensorError.shapeMismatch(
        op: "linear", shapes: [x.shape, weight.shape, bias?.shape ?? [], out.shape],
        reason: "do not fit: x [rows, in], weight [in, out], bias [out] and out [rows, out] (no activation when accumulating)")
    }
    out.makeUniqueContiguous()
    let (m, k, n) = (x.shape[0], x.shape[1], weight.shape[1])
    let w = GEMM.operand(weight)
    let b = bias?.contiguous()
    withExtendedLifetime((x, w.tensor, b)) {
      GEMM.raw(
        transA: false, transB: w.transposed, m: m, n: n, k: k, x.base, lda: k, w.tensor.base, ldb: w.leadingDimension,
        beta: accumulate ? 1 : 0, out.base, ldc: n)
      guard b != nil || activation != .none else { return }
      let po = out.base, pb = b?.base
      for r in 0..<m {
        let row = po + r * n
        var i = 0
        while i + Vec.scalarCount <= n {
          var v = loadVec(row + i)
          if let pb { v += loadVec(pb + i) }
          if activation == .gelu { v = FastMath.geluTanh(v) }
          storeVec(v, row + i)
          i += Vec.scalarCount
        }
        while i < n {
          var v = Vec(repeating: row[i])
          if let pb { v += Vec(repeating: pb[i]) }
          if activation == .gelu { v = FastMath.geluTanh(v) }
          row[i] = v[0]
          i += 1
        }
      }
    }
  }

  /// Layer normalization of every row of `x` into `out` (same shape), as `layerNorm`.
  public func layerNorm(weight: Tensor?, bias: Tensor?, eps: Float = 1e-5, into out: inout Tensor) throws {
    let region = Profiler.begin(.elementwise); defer { Profiler.end(region) }
    let d = shape[rank - 1]
    guard rank >= 1, isContiguous, out.shape == shape, weight.map({ $0.shape == [d] }) ?? true,
      bias.map({ $0.shape == [d] }) ?? true
    else {
      throw TensorError.shapeMismatch(
        op: "layer_norm", shapes: [shape, weight?.shape ?? [], bias?.shape ?? [], out.shape],
        reason: "do not fit: out must have the input's shape, weight and bias [\(d)]")
    }
    out.makeUniqueContiguous()
    let w = weight?.contiguous(), b = bias?.contiguous()
    withExtendedLifetime((self, w, b)) {
      for row in 0..<(count / Swift.max(d, 1)) {
        _ = NormalizationKernels.forwardRow(
          base + row * d, out.base + row * d, d, weight: w?.base, bias: b?.base, eps: eps, centered: true)
      }
    }
  }

  /// Writes `table[row]` (with `accumulate`, adds it) into row `outRow` of `out` [rows, d].
  public static func embeddingRow(
    _ table: Tensor, row: Int, into out: inout Tensor, outRow: Int = 0, accumulate: Bool = false
  ) throws {
    let d = table.rank == 2 ? table.shape[1] : 0
    guard table.rank == 2, table.isContiguous, row >= 0, row < table.shape[0], d > 0, out.count % d == 0, outRow >= 0,
      outRow < out.count / d
    else {
      throw TensorError.invalidArgument(op: "embedding", message: "row \(row) of a \(formatShape(table.shape)) table into row \(outRow) of \(formatShape(out.shape))")
    }
    out.makeUniqueContiguous()
    withExtendedLifetime(table) { copyRow(table.base + row * d, to: out.base + outRow * d, count: d, accumulate: accumulate) }
  }

  // Not inlined into the throwing caller: Swift 6.3.1's release build gave this vectorized
  // loop the error register (r12) as a scratch register there, and the caller then saw a
  // garbage error after a normal return (a crash in the batched decoder, found under gdb).
  @inline(never)
  static func copyRow(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count d: Int, accumulate: Bool) {
    if accumulate {
      for i in 0..<d { dst[i] += src[i] }
    } else {
      dst.update(from: src, count: d)
    }
  }

  /// One new position of causal self-attention for one sequence, against its KV cache.
  ///
  /// Row `row` of `qkv` [rows, 3·D] is the position's fused projection ([q | k | v], `heads`
  /// heads each). Its keys and values are written at `position` of `keys` and `values`
  /// ([heads, capacity, D/heads]); the query then attends to positions 0 ... position, and
  /// the heads' outputs are written side by side into row `row` of `out` [rows, D]. Each
  /// sequence of a batch has its own cache and position: the rows share nothing here.
  public static func attendCached(
    qkv: Tensor, row: Int = 0, heads: Int, keys: inout Tensor, values: inout Tensor, position: Int, into out: inout Tensor
  ) throws {
    let region = Profiler.begin(.attention); defer { Profiler.end(region) }
    let d = qkv.rank == 2 ? qkv.shape[1] / 3 : qkv.count / 3
    let rows = d > 0 ? qkv.count / (3 * d) : 0
    let hd = heads > 0 ? d / heads : 0
    guard heads > 0, d > 0, qkv.isContiguous, qkv.count == rows * 3 * d, row >= 0, row < rows, d == heads * hd, keys.rank == 3,
      keys.shape == values.shape, keys.shape[0] == heads, keys.shape[2] == hd, position >= 0, position < keys.shape[1],
      out.count == rows * d
    else {
      throw TensorError.shapeMismatch(
        op: "attention", shapes: [qkv.shape, keys.shape, values.shape, out.shape],
        reason: "do not fit: qkv [rows, 3·D], keys and values [heads, capacity, D/heads] with room for the position, out [rows, D]")
    }
    keys.makeUniqueContiguous()
    values.makeUniqueContiguous()
    out.makeUniqueContiguous()
    let capacity = keys.shape[1], seen = position + 1
    let scale = 1 / Float(hd).squareRoot()
    withExtendedLifetime(qkv) {
      let px = qkv.base + row * 3 * d, pk = keys.base, pv = values.base, po = out.base + row * d
      withUnsafeTemporaryAllocation(of: Float.self, capacity: seen) { buffer in
        let scores = buffer.baseAddress!
        for h in 0..<heads {
          let q = px + h * hd
          let kh = pk + h * capacity * hd, vh = pv + h * capacity * hd
          (kh + position * hd).update(from: px + d + h * hd, count: hd)
          (vh + position * hd).update(from: px + 2 * d + h * hd, count: hd)
          for j in 0..<seen { scores[j] = scale * SoftmaxKernels.dotRow(q, kh + j * hd, hd) }
          SoftmaxKernels.softmaxRow(scores, scores, seen)
          // out_h = Σ_j p_j · v_j
          let oh = po + h * hd
          oh.initialize(repeating: 0, count: hd)
          for j in 0..<seen {
            let p = Vec(repeating: scores[j]), vj = vh + j * hd
            var i = 0
            while i + Vec.scalarCount <= hd { storeVec(loadVec(oh + i) + p * loadVec(vj + i), oh + i); i += Vec.scalarCount }
            while i < hd { oh[i] += scores[j] * vj[i]; i += 1 }
          }
        }
      }
    }
  }
}
