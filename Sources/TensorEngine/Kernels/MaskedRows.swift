/// Row steps of tiled attention on rows padded to whole vectors: the first `n` entries are
/// the row, the rest up to the padding are masked. Whole vectors with a lane mask replace
/// scalar tails, which for softmax would cost a vector `exp` per tail element.
enum MaskedRows {
  static let lanes = Vec.scalarCount
  @inline(__always)
  static var laneIndex: Vec { Vec(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) }

  /// Lanes of the vector at `j` that lie before `n`.
  @inline(__always)
  static func mask(_ j: Int, _ n: Int) -> SIMDMask<SIMD16<Int32>> { laneIndex .< Vec(repeating: Float(n - j)) }

  @inline(__always)
  static func sum(_ v: Vec) -> Float {
    let h8 = v.lowHalf + v.highHalf, h4 = h8.lowHalf + h8.highHalf
    return (h4[0] + h4[1]) + (h4[2] + h4[3])
  }

  @inline(__always)
  static func max(_ v: Vec) -> Float {
    let h8 = v.lowHalf.replacing(with: v.highHalf, where: v.highHalf .> v.lowHalf)
    let h4 = h8.lowHalf.replacing(with: h8.highHalf, where: h8.highHalf .> h8.lowHalf)
    return Swift.max(Swift.max(h4[0], h4[1]), Swift.max(h4[2], h4[3]))
  }

  /// Softmax in place of each of `count` ≤ 4 rows at `rows` (stride `ld`, a multiple of the
  /// vector width): row r's first `seen(r)` ≥ 1 entries, max subtracted as in
  /// `SoftmaxKernels.softmaxRow` (with `FastMath.exp`), the rest of the row zero. The rows advance together, so
  /// their short latency-bound chains (an `exp` is a dozen dependent steps) overlap and
  /// every loop runs the same number of times for the block. Rows past `count` repeat
  /// row 0: loaded and computed, never stored.
  @inline(__always)
  static func softmax(_ rows: UnsafeMutablePointer<Float>, count: Int, ld: Int, seen: (Int) -> Int) {
    let p0 = rows, p1 = count > 1 ? rows + ld : rows, p2 = count > 2 ? rows + 2 * ld : rows, p3 = count > 3 ? rows + 3 * ld : rows
    let n0 = seen(0), n1 = count > 1 ? seen(1) : n0, n2 = count > 2 ? seen(2) : n0, n3 = count > 3 ? seen(3) : n0
    let n = Swift.max(Swift.max(n0, n1), Swift.max(n2, n3))
    @inline(__always) func masked(_ p: UnsafeMutablePointer<Float>, _ j: Int, _ n: Int, _ fill: Float) -> Vec {
      loadVec(p + j).replacing(with: fill, where: .!mask(j, n))
    }
    @inline(__always) func larger(_ a: Vec, _ b: Vec) -> Vec { a.replacing(with: b, where: b .> a) }
    var m0 = Vec(repeating: -.infinity), m1 = m0, m2 = m0, m3 = m0
    var j = 0
    while j < n {
      m0 = larger(m0, masked(p0, j, n0, -.infinity))
      m1 = larger(m1, masked(p1, j, n1, -.infinity))
      m2 = larger(m2, masked(p2, j, n2, -.infinity))
      m3 = larger(m3, masked(p3, j, n3, -.infinity))
      j += lanes
    }
    m0 = Vec(repeating: max(m0)); m1 = Vec(repeating: max(m1)); m2 = Vec(repeating: max(m2)); m3 = Vec(repeating: max(m3))
    var s0 = Vec(repeating: 0), s1 = s0, s2 = s0, s3 = s0
    j = 0
    while j < n {
      // All loads before any store: a repeated row 0 must read its inputs, not its outputs.
      let x0 = loadVec(p0 + j), x1 = loadVec(p1 + j), x2 = loadVec(p2 + j), x3 = loadVec(p3 + j)
      let e0 = FastMath.exp(x0 - m0).replacing(with: 0, where: .!mask(j, n0))
      let e1 = FastMath.exp(x1 - m1).replacing(with: 0, where: .!mask(j, n1))
      let e2 = FastMath.exp(x2 - m2).replacing(with: 0, where: .!mask(j, n2))
      let e3 = FastMath.exp(x3 - m3).replacing(with: 0, where: .!mask(j, n3))
      s0 += e0; s1 += e1; s2 += e2; s3 += e3
      storeVec(e0, p0 + j)
      if count > 1 { storeVec(e1, p1 + j) }
      if count > 2 { storeVec(e2, p2 + j) }
      if count > 3 { storeVec(e3, p3 + j) }
      j += lanes
    }
    let inv = 1 / SIMD4<Float>(sum(s0), sum(s1), sum(s2), sum(s3))
    for r in 0..<count {
      let row = rows + r * ld, scale = Vec(repeating: inv[r])
      var j = 0
      while j < n { storeVec(loadVec(row + j) * scale, row + j); j += lanes }
      while j < ld { storeVec(Vec(repeating: 0), row + j); j += lanes }
    }
  }

  /// dS = P ⊙ (dP − Σ dP ⊙ P) in place of dP for each of `count` ≤ 4 rows (stride `ld` in
  /// both, a multiple of the vector width): softmax's backward over row r's first `seen(r)`
  /// entries, zero in the rest of the row.
  @inline(__always)
  static func softmaxBackward(
    _ p: UnsafePointer<Float>, _ dp: UnsafeMutablePointer<Float>, count: Int, ld: Int, seen: (Int) -> Int
  ) {
    var dots = SIMD4<Float>(repeating: 0)
    for r in 0..<count {
      let pr = p + r * ld, dr = dp + r * ld, n = seen(r)
      var acc = Vec(repeating: 0)
      var j = 0
      while j < n {
        let g = loadVec(dr + j).replacing(with: 0, where: .!mask(j, n))
        acc = acc.addingProduct(loadVec(pr + j), g)
        j += lanes
      }
      dots[r] = sum(acc)
    }
    for r in 0..<count {
      let pr = p + r * ld, dr = dp + r * ld, n = seen(r)
      let dot = Vec(repeating: dots[r])
      var j = 0
      while j < n {
        let ds = loadVec(pr + j) * (loadVec(dr + j) - dot)
        storeVec(ds.replacing(with: 0, where: .!mask(j, n)), dr + j)
        j += lanes
      }
      while j < ld { storeVec(Vec(repeating: 0), dr + j); j += lanes }
    }
  }
}
