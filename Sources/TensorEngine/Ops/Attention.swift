/// Scaled dot-product attention, as batched matrix products over heads.
extension Tensor {
  /// softmax(Q·Kᵀ·scale + mask)·V for q [..., T, D], k [..., S, D], v [..., S, E] with the
  /// same leading (batch, head) axes. With `causal`, query t sees keys up to t + (S − T): the
  /// newest queries line up with the newest keys, as when a KV cache holds earlier tokens.
  ///
  /// The forward saves the attention probabilities (one T×S matrix per head) and uses them
  /// in the backward:
  ///   dV = Pᵀ·dO,  dP = dO·Vᵀ,  dS = P ⊙ (dP − rowsum(dP ⊙ P)),  dQ = s·dS·K,  dK = s·dSᵀ·Q.
  public static func scaledDotProductAttention(
    query: Tensor, key: Tensor, value: Tensor, causal: Bool = true, scale: Float? = nil
  ) throws -> Tensor {
    let region = Profiler.begin(.attention); defer { Profiler.end(region) }
    let op = "attention"
    guard query.rank >= 2, key.rank == query.rank, value.rank == query.rank,
      query.shape.dropLast(2) == key.shape.dropLast(2), key.shape.dropLast(2) == value.shape.dropLast(2)
    else {
      throw TensorError.shapeMismatch(
        op: op, shapes: [query.shape, key.shape, value.shape],
        reason: "do not fit: query, key and value need the same rank (≥ 2) and the same leading axes")
    }
    let r = query.rank
    let t = query.shape[r - 2], d = query.shape[r - 1]
    let s = key.shape[r - 2], e = value.shape[r - 1]
    guard key.shape[r - 1] == d, value.shape[r - 2] == s else {
      throw TensorError.shapeMismatch(
        op: op, shapes: [query.shape, key.shape, value.shape],
        reason: "do not fit: key must be [..., S, \(d)] and value [..., \(s), E]")
    }
    guard !causal || s >= t else {
      throw TensorError.invalidArgument(op: op, message: "causal attention needs at least as many keys (\(s)) as queries (\(t))")
    }
    let alpha = scale ?? 1 / Float(d).squareRoot()
    let heads = Shape.count(Array(query.shape.dropLast(2)))
    let q = query.contiguous().detached(), k = key.contiguous().detached(), v = value.contiguous().detached()
    let probs = Tensor(uninitializedShape: [heads, t, s])
    let out = Tensor(uninitializedShape: Array(query.shape.dropLast(2)) + [t, e])
    let shift = s - t
    withExtendedLifetime((q, k, v)) {
      let pq = q.base, pk = k.base, pv = v.base, pp = probs.base, po = out.base
      for h in 0..<heads {
        let ph = pp + h * t * s
        GEMM.raw(transA: false, transB: true, m: t, n: s, k: d, alpha: alpha,
                 pq + h * t * d, lda: d, pk + h * s * d, ldb: d, ph, ldc: s)
        parallelFor(t, grain: Swift.max(1, 4096 / Swift.max(s, 1))) { rows in
          for i in rows {
            let row = ph + i * s
            let visible = causal ? i + shift + 1 : s
            SoftmaxKernels.softmaxRow(row, row, visible)
            if visible < s { (row + visible).initialize(repeating: 0, count: s - visible) }
          }
        }
        GEMM.raw(transA: false, transB: false, m: t, n: e, k: s,
                 ph, lda: s, pv + h * s * e, ldb: e, po + h * t * e, ldc: e)
      }
    }
    return Autograd.record(out, inputs: [query, key, value], op: op) { g in
      let go = g.contiguous()
      let dq = Tensor(uninitializedShape: q.shape), dk = Tensor(uninitializedShape: k.shape)
      let dv = Tensor(uninitializedShape: v.shape)
      let dscores = Tensor(uninitializedShape: [t, s])
      withExtendedLifetime(go) {
        let pg = go.base, pq = q.base, pk = k.base, pv = v.base, pp = probs.base
        let pdq = dq.base, pdk = dk.base, pdv = dv.base, pds = dscores.base
        for h in 0..<heads {
          let ph = pp + h * t * s, gh = pg + h * t * e
          GEMM.raw(transA: true, transB: false, m: s, n: e, k: t, ph, lda: s, gh, ldb: e, pdv + h * s * e, ldc: e)
          GEMM.raw(transA: false, transB: true, m: t, n: s, k: e, gh, lda: e, pv + h * s * e, ldb: e, pds, ldc: s)
          parallelFor(t, grain: Swift.max(1, 4096 / Swift.max(s, 1))) { rows in
            for i in rows {
              let p = ph + i * s, dp = pds + i * s
              let dot = Vec(repeating: SoftmaxKernels.dotRow(p, dp, s))
              var j = 0
              while j + Vec.scalarCount <= s { storeVec(loadVec(p + j) * (loadVec(dp + j) - dot), dp + j); j += Vec.scalarCount }
              while j < s { dp[j] = p[j] * (dp[j] - dot[0]); j += 1 }
            }
          }
          GEMM.raw(transA: false, transB: false, m: t, n: d, k: s, alpha: alpha, pds, lda: s, pk + h * s * d, ldb: d, pdq + h * t * d, ldc: d)
          GEMM.raw(transA: true, transB: false, m: s, n: d, k: t, alpha: alpha, pds, lda: s, pq + h * t * d, ldb: d, pdk + h * s * d, ldc: d)
        }
      }
      return [dq, dk, dv]
    }
  }
}
