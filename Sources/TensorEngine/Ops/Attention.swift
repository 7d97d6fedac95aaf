/// Scaled dot-product attention over any leading (batch, head) axes, one work item per
/// (batch, head) on the engine's threads (see `AttentionKernel`).
extension Tensor {
  /// softmax(Q·Kᵀ·scale + mask)·V for q [..., T, D], k [..., S, D], v [..., S, E] with the
  /// same leading (batch, head) axes. With `causal`, query t sees keys up to t + (S − T): the
  /// newest queries line up with the newest keys, as when a KV cache holds earlier tokens.
  ///
  /// Inputs whose rows are unit-stride (a head-split view of a projection, a slice of a KV
  /// cache) are read in place. The forward saves the attention probabilities (one T×S matrix
  /// per head) and uses them in the backward:
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
    let kernel = AttentionKernel(t: t, s: s, d: d, e: e, alpha: scale ?? 1 / Float(d).squareRoot(), causal: causal)
    let items = Shape.count(Array(query.shape.dropLast(2)))
    let q = AttentionOperand(query), k = AttentionOperand(key), v = AttentionOperand(value)
    let probs = Tensor(uninitializedShape: [items, t, kernel.probsStride])
    let out = Tensor(uninitializedShape: Array(query.shape.dropLast(2)) + [t, e])
    if items > 0 && t > 0 && s > 0 {
      Profiler.countFlops(Double(items) * kernel.forwardFlops)
      withExtendedLifetime((q, k, v)) {
        let pp = probs.base, po = out.base
        kernel.forEachItem(items, scratchCount: kernel.forwardScratch) { i, scratch in
          kernel.forward(
            q: q.item(i), ldq: q.ld, k: k.item(i), ldk: k.ld, v: v.item(i), ldv: v.ld,
            o: po + i * t * e, ldo: e, p: pp + i * t * kernel.probsStride, scratch: scratch)
        }
      }
    } else if out.count > 0 {
      out.base.initialize(repeating: 0, count: out.count)
    }
    let (qShape, kShape, vShape) = (query.shape, key.shape, value.shape)
    return Autograd.record(out, inputs: [query, key, value], op: op) { g in
      let go = g.contiguous()
      let dq = Tensor(uninitializedShape: qShape), dk = Tensor(uninitializedShape: kShape)
      let dv = Tensor(uninitializedShape: vShape)
      if items == 0 || t == 0 || s == 0 {
        for x in [dq, dk, dv] where x.count > 0 { x.base.initialize(repeating: 0, count: x.count) }
        return [dq, dk, dv]
      }
      Profiler.countFlops(2 * Double(items) * kernel.forwardFlops)
      withExtendedLifetime((go, q, k, v)) {
        let pg = go.base, pp = probs.base, pdq = dq.base, pdk = dk.base, pdv = dv.base
        kernel.forEachItem(items, scratchCount: kernel.backwardScratch) { i, scratch in
          kernel.backward(
            q: q.item(i), ldq: q.ld, k: k.item(i), ldk: k.ld, v: v.item(i), ldv: v.ld,
            p: pp + i * t * kernel.probsStride, go: pg + i * t * e, ldgo: e,
            dq: pdq + i * t * d, lddq: d, dk: pdk + i * s * d, lddk: d, dv: pdv + i * s * e, lddv: e,
            scratch: scratch)
        }
      }
      return [dq, dk, dv]
    }
  }
}

/// One attention input as BLAS sees it: a row-major matrix per (batch, head) item, read in
/// place when its rows are unit-stride, from a contiguous copy otherwise.
struct AttentionOperand {
  let tensor: Tensor
  /// Leading dimension of each item's matrix.
  let ld: Int
  /// Offset of each item's first element from `tensor.base`.
  let offsets: [Int]

  init(_ x: Tensor) {
    let r = x.rank
    let rows = x.shape[r - 2], cols = x.shape[r - 1]
    let rowStride = rows == 1 ? Swift.max(cols, 1) : x.strides[r - 2]
    var t = x.detached()
    if !(x.strides[r - 1] == 1 || cols == 1) || rowStride < cols {
      t = x.contiguous().detached()
    }
    tensor = t
    ld = rows == 1 ? Swift.max(cols, 1) : t.strides[r - 2]
    // Item offsets in row-major order of the leading axes.
    let lead = Array(t.shape.dropLast(2)), strides = Array(t.strides.dropLast(2))
    var offsets = [Int](repeating: 0, count: Shape.count(lead))
    var index = [Int](repeating: 0, count: lead.count)
    for i in offsets.indices {
      var off = 0
      for a in 0..<lead.count { off += index[a] * strides[a] }
      offsets[i] = off
      advanceIndex(&index, within: lead)
    }
    self.offsets = offsets
  }

  @inline(__always)
  func item(_ i: Int) -> UnsafePointer<Float> { UnsafePointer(tensor.base + offsets[i]) }
}
