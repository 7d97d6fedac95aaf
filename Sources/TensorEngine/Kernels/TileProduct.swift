/// C = alpha·A·B for small matrices, in registers, without BLAS's per-call cost and packing.
///
/// At attention's sizes for small heads (64×64 by 32) a `cblas_sgemm` call spends as long
/// setting up and packing as multiplying. Here A is read one element at a time and broadcast,
/// so any row and column strides work (Aᵀ costs nothing), and B is read a vector of `lanes`
/// columns at a time, so it must be row-major with unit column stride.
///
/// Every product takes its own range of k per block of rows: attention's causal mask makes
/// most of its products triangular, and the masked part is skipped instead of multiplied by 0.
enum TileProduct {
  /// Rows per tile: 4 rows × 16 columns are 8 ymm accumulators, leaving registers for a row
  /// of B and a broadcast on a 16-register AVX2 machine (more rows spill).
  static let rows = 4
  static let lanes = Vec.scalarCount

  /// `n` rounded up to whole vectors: B's rows (and scratch outputs) are padded to this.
  @inline(__always)
  static func padded(_ n: Int) -> Int { (n + lanes - 1) / lanes * lanes }

  /// C[r, 0..<n] = alpha·Σ_{k0 ≤ k < k1} A[r, k]·B[k, 0..<n] for `count` ≤ `rows` rows, where
  /// A[r, k] = a[r·rsA + k·csA]. B must be readable for `padded(n)` columns in each row;
  /// only the `n` columns of C are written.
  @inline(__always)
  static func rowBlock(
    _ count: Int, n: Int, k0: Int, k1: Int,
    a: UnsafePointer<Float>, rsA: Int, csA: Int, b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float
  ) {
    var j = 0
    while j < n {
      tile(count, cols: Swift.min(lanes, n - j), k0: k0, k1: k1, a: a, rsA: rsA, csA: csA, b: b + j, ldb: ldb, c: c + j, ldc: ldc, alpha: alpha)
      j += lanes
    }
  }

  /// One tile: up to 4 rows × one vector of columns.
  @inline(__always)
  static func tile(
    _ count: Int, cols: Int, k0: Int, k1: Int,
    a: UnsafePointer<Float>, rsA: Int, csA: Int, b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float
  ) {
    // Rows past `count` repeat row 0: computed, never stored, so the loop has no branches.
    let a0 = a, a1 = a + (count > 1 ? rsA : 0), a2 = a + (count > 2 ? 2 * rsA : 0), a3 = a + (count > 3 ? 3 * rsA : 0)
    var c0 = Vec(repeating: 0), c1 = Vec(repeating: 0), c2 = Vec(repeating: 0), c3 = Vec(repeating: 0)
    var ka = k0 * csA
    var pb = b + k0 * ldb
    var k = k0
    // addingProduct compiles to FMAs; `c += a * b` would stay a multiply and an add.
    while k < k1 {
      let bv = loadVec(pb)
      c0 = c0.addingProduct(Vec(repeating: a0[ka]), bv)
      c1 = c1.addingProduct(Vec(repeating: a1[ka]), bv)
      c2 = c2.addingProduct(Vec(repeating: a2[ka]), bv)
      c3 = c3.addingProduct(Vec(repeating: a3[ka]), bv)
      ka += csA
      pb += ldb
      k += 1
    }
    let av = Vec(repeating: alpha)
    store(c0 * av, c, cols)
    if count > 1 { store(c1 * av, c + ldc, cols) }
    if count > 2 { store(c2 * av, c + 2 * ldc, cols) }
    if count > 3 { store(c3 * av, c + 3 * ldc, cols) }
  }

  /// Stores the first `cols` lanes of `v`.
  @inline(__always)
  static func store(_ v: Vec, _ p: UnsafeMutablePointer<Float>, _ cols: Int) {
    if cols == lanes {
      storeVec(v, p)
    } else {
      for l in 0..<cols { p[l] = v[l] }
    }
  }

  /// dst[j, i] = src[i, j] for a rows×cols src, each row of dst zero-padded to `ldDst`.
  /// By 4×4 blocks in SIMD4 registers: element-wise, the strided reads cost several times more.
  static func transpose(
    _ src: UnsafePointer<Float>, ld: Int, rows: Int, cols: Int, into dst: UnsafeMutablePointer<Float>, ldDst: Int
  ) {
    typealias V4 = SIMD4<Float>
    @inline(__always) func load(_ p: UnsafePointer<Float>) -> V4 { UnsafeRawPointer(p).loadUnaligned(as: V4.self) }
    @inline(__always) func store(_ v: V4, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V4.self) }
    var i = 0
    while i + 4 <= rows {
      var j = 0
      while j + 4 <= cols {
        let a = src + i * ld + j
        let r0 = load(a), r1 = load(a + ld), r2 = load(a + 2 * ld), r3 = load(a + 3 * ld)
        let o = dst + j * ldDst + i
        store(V4(r0[0], r1[0], r2[0], r3[0]), o)
        store(V4(r0[1], r1[1], r2[1], r3[1]), o + ldDst)
        store(V4(r0[2], r1[2], r2[2], r3[2]), o + 2 * ldDst)
        store(V4(r0[3], r1[3], r2[3], r3[3]), o + 3 * ldDst)
        j += 4
      }
      while j < cols {
        for r in i..<(i + 4) { dst[j * ldDst + r] = src[r * ld + j] }
        j += 1
      }
      i += 4
    }
    while i < rows {
      for j in 0..<cols { dst[j * ldDst + i] = src[i * ld + j] }
      i += 1
    }
    if rows < ldDst {
      for j in 0..<cols { (dst + j * ldDst + rows).initialize(repeating: 0, count: ldDst - rows) }
    }
  }

  /// Loads one float from each 64-byte line of a rows×cols matrix (row stride `ld`), all
  /// independent of each other, and returns their sum for the caller to keep.
  @inline(__always)
  static func touch(_ p: UnsafePointer<Float>, ld: Int, rows: Int, cols: Int) -> Float {
    var sum = SIMD4<Float>(repeating: 0)
    if cols <= 0 { return 0 }
    for r in 0..<rows {
      let row = p + r * ld
      var c = 0
      while c < cols { sum[c & 3] += row[c]; c += 16 }
      sum[3] += row[cols - 1]
    }
    return sum.sum()
  }

  /// A rows×cols copy of src with each row zero-padded to `ldDst`.
  static func copy(
    _ src: UnsafePointer<Float>, ld: Int, rows: Int, cols: Int, into dst: UnsafeMutablePointer<Float>, ldDst: Int
  ) {
    for i in 0..<rows {
      let out = dst + i * ldDst
      out.update(from: src + i * ld, count: cols)
      if cols < ldDst { (out + cols).initialize(repeating: 0, count: ldDst - cols) }
    }
  }
}
