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

  /// Softmax in place of each of `count` rows at `rows` (stride `ld`, a multiple of the
  /// vector width): row r's first `seen(r)` ≥ 1 entries, max subtracted as in
  /// `SoftmaxKernels.softmaxRow`, the rest of the row zero. Each pass runs over all the rows
  /// so that their short, latency-bound chains overlap.
  @inline(__always)
  static func softmax(_ rows: UnsafeMutablePointer<Float>, count: Int, ld: Int, seen: (Int) -> Int) {
    var scale = SIMD8<Float>(repeating: 0)
    for r in 0..<count {
      let row = rows + r * ld, n = seen(r)
      var mv = Vec(repeating: -.infinity)
      var j = 0
      while j < n {
        let x = loadVec(row + j).replacing(with: -.infinity, where: .!mask(j, n))
        mv = mv.replacing(with: x, where: x .> mv)
        j += lanes
      }
      scale[r] = max(mv)
    }
    for r in 0..<count {
      let row = rows + r * ld, n = seen(r)
      let m = Vec(repeating: scale[r])
      var acc = Vec(repeating: 0)
      var j = 0
      while j < n {
        let e = FastMath.exp(loadVec(row + j) - m).replacing(with: 0, where: .!mask(j, n))
        storeVec(e, row + j)
        acc += e
        j += lanes
      }
      scale[r] = sum(acc)
    }
    scale = 1 / scale
    for r in 0..<count {
      let row = rows + r * ld, n = seen(r)
      let inv = Vec(repeating: scale[r])
      var j = 0
      while j < n { storeVec(loadVec(row + j) * inv, row + j); j += lanes }
      while j < ld { storeVec(Vec(repeating: 0), row + j); j += lanes }
    }
  }

  /// dS = P ⊙ (dP − Σ dP ⊙ P) in place of dP for each of `count` rows (stride `ld` in both,
  /// a multiple of the vector width): softmax's backward over row r's first `seen(r)`
  /// entries, zero in the rest of the row.
  @inline(__always)
  static func softmaxBackward(
    _ p: UnsafePointer<Float>, _ dp: UnsafeMutablePointer<Float>, count: Int, ld: Int, seen: (Int) -> Int
  ) {
    var dots = SIMD8<Float>(repeating: 0)
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
