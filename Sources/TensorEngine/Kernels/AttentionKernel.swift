/// Scaled dot-product attention for one (batch, head) item on raw pointers: its forward and
/// backward, each on the calling thread (single-threaded BLAS inside), so that the items of a
/// batch can be spread over the engine's threads.
///
/// Queries are taken in blocks of rows. With a causal mask, a block of queries sees only the
/// keys up to its last row, so the products skip the masked upper triangle (about half the
/// work when there are as many keys as queries). Matrices are row-major with their own leading
/// dimensions, so an item can be a head's columns inside a wider activation (no copies).
/// Small items go through register tiles instead of BLAS (`AttentionTiles.swift`).
struct AttentionKernel {
  var t: Int, s: Int, d: Int, e: Int
  var alpha: Float
  var causal: Bool

  /// Rows of queries per block: a block's scores stay in the cache between the products.
  static let block = 64

  /// Keys visible to query row `i` (all of them without the mask).
  @inline(__always)
  func visible(_ i: Int) -> Int { causal ? Swift.min(s, i + (s - t) + 1) : s }

  /// Floating-point operations of one item's forward (the backward does twice as many),
  /// with the masked keys skipped as the path taken skips them.
  var forwardFlops: Double {
    let block = usesTiles ? TileProduct.rows : Self.block
    var total = 0.0
    var r0 = 0
    while r0 < t {
      let r1 = Swift.min(t, r0 + block)
      total += 2 * Double((r1 - r0) * visible(r1 - 1) * (d + e))
      r0 = r1
    }
    return total
  }

  /// Work of one item in multiply-adds, to decide whether spreading items pays.
  var work: Int { t * s * (d + e) }

  /// Row stride of the probabilities that `forward` writes and `backward` reads: the tiles
  /// pad rows to whole vectors.
  var probsStride: Int { usesTiles ? TileProduct.padded(s) : s }

  /// Scratch floats per thread for `forward` and for `backward`.
  var forwardScratch: Int { usesTiles ? tiledForwardScratch : 0 }
  var backwardScratch: Int { usesTiles ? tiledBackwardScratch : Self.block * s }

  /// O = softmax(alpha·Q·Kᵀ + mask)·V. Writes the probabilities to `p` (t rows of stride
  /// `probsStride`) for `backward`; entries past a row's visible keys are zero as far as
  /// the backward reads them.
  func forward(
    q: UnsafePointer<Float>, ldq: Int, k: UnsafePointer<Float>, ldk: Int, v: UnsafePointer<Float>, ldv: Int,
    o: UnsafeMutablePointer<Float>, ldo: Int, p: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
  ) {
    if usesTiles {
      tiledForward(q: q, ldq: ldq, k: k, ldk: ldk, v: v, ldv: ldv, o: o, ldo: ldo, p: p, scratch: scratch)
    } else {
      blasForward(q: q, ldq: ldq, k: k, ldk: ldk, v: v, ldv: ldv, o: o, ldo: ldo, p: p)
    }
  }

  /// `forward` through BLAS, query blocks of `block` rows: entries of a block's rows past
  /// their visible keys are zero up to the block's last visible key, and never read beyond it.
  func blasForward(
    q: UnsafePointer<Float>, ldq: Int, k: UnsafePointer<Float>, ldk: Int, v: UnsafePointer<Float>, ldv: Int,
    o: UnsafeMutablePointer<Float>, ldo: Int, p: UnsafeMutablePointer<Float>
  ) {
    var r0 = 0
    while r0 < t {
      let r1 = Swift.min(t, r0 + Self.block)
      let keys = visible(r1 - 1)
      let pb = p + r0 * s
      GEMM.serial(transA: false, transB: true, m: r1 - r0, n: keys, k: d, alpha: alpha, q + r0 * ldq, lda: ldq, k, ldb: ldk, pb, ldc: s)
      for i in r0..<r1 {
        let row = p + i * s
        let seen = visible(i)
        SoftmaxKernels.softmaxRow(row, row, seen)
        if seen < keys { (row + seen).initialize(repeating: 0, count: keys - seen) }
      }
      GEMM.serial(transA: false, transB: false, m: r1 - r0, n: e, k: keys, pb, lda: s, v, ldb: ldv, o + r0 * ldo, ldc: ldo)
      r0 = r1
    }
  }

  /// dV = Pᵀ·dO, dP = dO·Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = alpha·dS·K, dK = alpha·dSᵀ·Q.
  /// `scratch` holds `backwardScratch` floats; `p` is `forward`'s.
  func backward(
    q: UnsafePointer<Float>, ldq: Int, k: UnsafePointer<Float>, ldk: Int, v: UnsafePointer<Float>, ldv: Int,
    p: UnsafePointer<Float>, go: UnsafePointer<Float>, ldgo: Int,
    dq: UnsafeMutablePointer<Float>, lddq: Int, dk: UnsafeMutablePointer<Float>, lddk: Int,
    dv: UnsafeMutablePointer<Float>, lddv: Int, scratch: UnsafeMutablePointer<Float>
  ) {
    if usesTiles {
      tiledBackward(
        q: q, ldq: ldq, k: k, ldk: ldk, v: v, ldv: ldv, p: p, go: go, ldgo: ldgo,
        dq: dq, lddq: lddq, dk: dk, lddk: lddk, dv: dv, lddv: lddv, scratch: scratch)
    } else {
      blasBackward(
        q: q, ldq: ldq, k: k, ldk: ldk, v: v, ldv: ldv, p: p, go: go, ldgo: ldgo,
        dq: dq, lddq: lddq, dk: dk, lddk: lddk, dv: dv, lddv: lddv, scratch: scratch)
    }
  }

  /// `backward` through BLAS from `blasForward`'s probabilities; `scratch` holds block×s floats.
  func blasBackward(
    q: UnsafePointer<Float>, ldq: Int, k: UnsafePointer<Float>, ldk: Int, v: UnsafePointer<Float>, ldv: Int,
    p: UnsafePointer<Float>, go: UnsafePointer<Float>, ldgo: Int,
    dq: UnsafeMutablePointer<Float>, lddq: Int, dk: UnsafeMutablePointer<Float>, lddk: Int,
    dv: UnsafeMutablePointer<Float>, lddv: Int, scratch: UnsafeMutablePointer<Float>
  ) {
    // dK and dV add up over the blocks of queries.
    for j in 0..<s {
      (dk + j * lddk).initialize(repeating: 0, count: d)
      (dv + j * lddv).initialize(repeating: 0, count: e)
    }
    var r0 = 0
    while r0 < t {
      let r1 = Swift.min(t, r0 + Self.block)
      let rows = r1 - r0, keys = visible(r1 - 1)
      let pb = p + r0 * s, gb = go + r0 * ldgo
      GEMM.serial(transA: true, transB: false, m: keys, n: e, k: rows, pb, lda: s, gb, ldb: ldgo, beta: 1, dv, ldc: lddv)
      GEMM.serial(transA: false, transB: true, m: rows, n: keys, k: e, gb, lda: ldgo, v, ldb: ldv, scratch, ldc: keys)
      for i in 0..<rows {
        let pr = pb + i * s, dr = scratch + i * keys
        let dot = Vec(repeating: SoftmaxKernels.dotRow(pr, dr, keys))
        var j = 0
        while j + Vec.scalarCount <= keys { storeVec(loadVec(pr + j) * (loadVec(dr + j) - dot), dr + j); j += Vec.scalarCount }
        while j < keys { dr[j] = pr[j] * (dr[j] - dot[0]); j += 1 }
      }
      GEMM.serial(transA: false, transB: false, m: rows, n: d, k: keys, alpha: alpha, scratch, lda: keys, k, ldb: ldk, dq + r0 * lddq, ldc: lddq)
      GEMM.serial(transA: true, transB: false, m: keys, n: d, k: rows, alpha: alpha, scratch, lda: keys, q + r0 * ldq, ldb: ldq, beta: 1, dk, ldc: lddk)
      r0 = r1
    }
  }

  /// Runs `body` for items 0 ..< count, spread over the engine's threads when the work pays
  /// for waking them; each call gets its own scratch of `scratchCount` floats.
  func forEachItem(_ count: Int, scratchCount: Int = 0, _ body: (Int, UnsafeMutablePointer<Float>) -> Void) {
    // About half a million multiply-adds per range: less is cheaper inline.
    let grain = Swift.max(1, (1 << 19) / Swift.max(1, work))
    parallelFor(count, grain: grain) { items in
      let scratch = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, scratchCount))
      defer { scratch.deallocate() }
      for i in items { body(i, scratch) }
    }
  }
}
