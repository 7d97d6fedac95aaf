/// The passes around a linear layer's matrix product (see `Tensor.linear`): the bias and
/// residual written into the output before BLAS adds the product onto them, GELU with its
/// sigmoid kept for the backward, and the bias gradient (through GELU's derivative) as
/// column sums of the output gradient.
enum LinearKernels {
  /// out[r, :] = bias (+ residual[r, :]) for `rows` rows of `n`: the values BLAS then adds
  /// the product onto (beta = 1).
  static func fillRows(
    _ out: UnsafeMutablePointer<Float>, rows: Int, n: Int,
    bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?
  ) {
    parallelFor(rows, grain: Swift.max(1, 32_768 / Swift.max(1, n))) { range in
      for r in range {
        let o = out + r * n
        switch (bias, residual) {
        case let (b?, res?):
          let x = res + r * n
          var j = 0
          while j + Vec.scalarCount <= n { storeVec(loadVec(b + j) + loadVec(x + j), o + j); j += Vec.scalarCount }
          while j < n { o[j] = b[j] + x[j]; j += 1 }
        case let (b?, nil): o.update(from: b, count: n)
        case let (nil, res?): o.update(from: res + r * n, count: n)
        case (nil, nil): o.initialize(repeating: 0, count: n)
        }
      }
    }
  }

  /// out = GELU(pre) in its tanh form, as pre·s with s = sigmoid(2u), u = √(2/π)(x + 0.044715x³);
  /// s is kept so the backward needs no exponential.
  static func geluForward(
    _ pre: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, sigmoid s: UnsafeMutablePointer<Float>,
    count n: Int
  ) {
    parallelFor(n, grain: 1 << 15) { r in
      var i = r.lowerBound
      while i + Vec.scalarCount <= r.upperBound {
        let x = loadVec(pre + i)
        let sv = FastMath.geluSigmoid(x)
        storeVec(sv, s + i)
        storeVec(x * sv, out + i)
        i += Vec.scalarCount
      }
      while i < r.upperBound {
        let sv = FastMath.geluSigmoid(Vec(repeating: pre[i]))[0]
        s[i] = sv
        out[i] = pre[i] * sv
        i += 1
      }
    }
  }

  /// Columns per work item of `backward`: four vectors of sums stay in registers.
  static let columnBlock = 4 * Vec.scalarCount

  /// For the output gradient g (rows × n): with `gelu`, writes dpre = g ⊙ GELU'(pre) into
  /// `gelu.dpre`; with `biasGradient`, writes the column sums of dpre (or of g) there. One
  /// read of g, by blocks of columns, so each block's sums stay in registers.
  static func backward(
    _ g: UnsafePointer<Float>, rows: Int, n: Int,
    gelu: (pre: UnsafePointer<Float>, sigmoid: UnsafePointer<Float>, dpre: UnsafeMutablePointer<Float>)?,
    biasGradient: UnsafeMutablePointer<Float>?
  ) {
    let blocks = (n + columnBlock - 1) / columnBlock
    parallelFor(blocks, grain: Swift.max(1, 32_768 / Swift.max(1, rows * columnBlock))) { range in
      for block in range {
        let c0 = block * columnBlock, c1 = Swift.min(n, c0 + columnBlock)
        var sums = (Vec(), Vec(), Vec(), Vec())
        if c1 - c0 == columnBlock {
          for r in 0..<rows {
            let at = r * n + c0
            sums.0 += gradientVector(g, at, gelu)
            sums.1 += gradientVector(g, at + Vec.scalarCount, gelu)
            sums.2 += gradientVector(g, at + 2 * Vec.scalarCount, gelu)
            sums.3 += gradientVector(g, at + 3 * Vec.scalarCount, gelu)
          }
          if let db = biasGradient {
            storeVec(sums.0, db + c0)
            storeVec(sums.1, db + c0 + Vec.scalarCount)
            storeVec(sums.2, db + c0 + 2 * Vec.scalarCount)
            storeVec(sums.3, db + c0 + 3 * Vec.scalarCount)
          }
        } else {
          // The last, partial block: column by column.
          for c in c0..<c1 {
            var sum: Float = 0
            for r in 0..<rows {
              let at = r * n + c
              var v = g[at]
              if let gelu {
                v *= FastMath.geluDerivative(Vec(repeating: gelu.pre[at]), gate: Vec(repeating: gelu.sigmoid[at]))[0]
                gelu.dpre[at] = v
              }
              sum += v
            }
            biasGradient?[c] = sum
          }
        }
      }
    }
  }

  /// One vector of the output gradient at `at`, through GELU's derivative when given
  /// (and stored as dpre).
  @inline(__always)
  private static func gradientVector(
    _ g: UnsafePointer<Float>, _ at: Int,
    _ gelu: (pre: UnsafePointer<Float>, sigmoid: UnsafePointer<Float>, dpre: UnsafeMutablePointer<Float>)?
  ) -> Vec {
    let v = loadVec(g + at)
    guard let gelu else { return v }
    let d = v * FastMath.geluDerivative(loadVec(gelu.pre + at), gate: loadVec(gelu.sigmoid + at))
    storeVec(d, gelu.dpre + at)
    return d
  }
}
