/// Causal self-attention straight from a fused query-key-value projection (GPT-2's
/// `c_attn`), with the heads merged back in the output: no head-split copies forward, and
/// one gradient for the projection backward instead of three scattered into zeros.
extension Tensor {
  /// For `qkv` of shape [B, T, 3·D] holding [q | k | v] along the last axis, each split into
  /// `heads` heads of D/heads: the [B, T, D] result of causal scaled dot-product attention
  /// per head, heads side by side (the same as splitting, permuting to [B, heads, T, D/heads],
  /// calling `scaledDotProductAttention` and merging back).
  public static func causalSelfAttention(qkv: Tensor, heads: Int) throws -> Tensor {
    let region = Profiler.begin(.attention); defer { Profiler.end(region) }
    let op = "attention"
    guard qkv.rank == 3, heads > 0, qkv.shape[2] % (3 * heads) == 0 else {
      throw TensorError.invalidArgument(
        op: op, message: "qkv must be [batch, time, 3·dim] with dim divisible by \(heads) heads, got \(formatShape(qkv.shape))")
    }
    let (b, t, width) = (qkv.shape[0], qkv.shape[1], qkv.shape[2])
    let d = width / 3, hd = d / heads
    let kernel = AttentionKernel(t: t, s: t, d: hd, e: hd, alpha: 1 / Float(hd).squareRoot(), causal: true)
    let x = qkv.contiguous().detached()
    let items = b * heads
    let probs = Tensor(uninitializedShape: [items, t, kernel.probsStride])
    let out = Tensor(uninitializedShape: [b, t, d])
    // Item i = (batch i / heads, head i % heads): its q, k, v and output are column blocks.
    @inline(__always) func at(_ i: Int, _ part: Int) -> Int { (i / heads) * t * width + part * d + (i % heads) * hd }
    @inline(__always) func outAt(_ i: Int) -> Int { (i / heads) * t * d + (i % heads) * hd }
    if items > 0 && t > 0 {
      Profiler.countFlops(Double(items) * kernel.forwardFlops)
      withExtendedLifetime(x) {
        let px = x.base, pp = probs.base, po = out.base
        kernel.forEachItem(items, scratchCount: kernel.forwardScratch) { i, scratch in
          kernel.forward(
            q: px + at(i, 0), ldq: width, k: px + at(i, 1), ldk: width, v: px + at(i, 2), ldv: width,
            o: po + outAt(i), ldo: d, p: pp + i * t * kernel.probsStride, scratch: scratch)
        }
      }
    }
    return Autograd.record(out, inputs: [qkv], op: op) { g in
      let go = g.contiguous()
      let dx = Tensor(uninitializedShape: [b, t, width])
      if items == 0 || t == 0 { return [dx] }
      Profiler.countFlops(2 * Double(items) * kernel.forwardFlops)
      withExtendedLifetime((go, x)) {
        let px = x.base, pg = go.base, pp = probs.base, pd = dx.base
        kernel.forEachItem(items, scratchCount: kernel.backwardScratch) { i, scratch in
          kernel.backward(
            q: px + at(i, 0), ldq: width, k: px + at(i, 1), ldk: width, v: px + at(i, 2), ldv: width,
            p: pp + i * t * kernel.probsStride, go: pg + outAt(i), ldgo: d,
            dq: pd + at(i, 0), lddq: width, dk: pd + at(i, 1), lddk: width, dv: pd + at(i, 2), lddv: width,
            scratch: scratch)
        }
      }
      return [dx]
    }
  }
}
