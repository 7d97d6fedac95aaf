/// The passes around a linear layer's matrix product (see `Tensor.linear`): the bias and
/// residual written into the output before BLAS adds the product onto them, GELU with its
/// sigmoid kept for the backward, and the bias gradient (through GELU's derivative) as
/// column sums of the output gradient.
enum LinearKernels {
  /// out[r, c] = bias[c] (+ residual[r, c]) over a block of rows and columns of a row-major
  /// [rows, n] output: the values BLAS then adds the product onto (beta = 1).
  static func fill(
    _ out: UnsafeMutablePointer<Float>, n: Int, rows: Range<Int>, columns: Range<Int>,
    bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?
  ) {
    let width = columns.count, c0 = columns.lowerBound
    for r in rows {
      let o = out + r * n + c0
      switch (bias.map { $0 + c0 }, residual.map { $0 + r * n + c0 }) {
      case let (b?, x?):
        var j = 0
        while j + Vec.scalarCount <= width { storeVec(loadVec(b + j) + loadVec(x + j), o + j); j += Vec.scalarCount }
        while j < width { o[j] = b[j] + x[j]; j += 1 }
      case let (b?, nil): o.update(from: b, count: width)
      case let (nil, x?): o.update(from: x, count: width)
      case (nil, nil): o.initialize(repeating: 0, count: width)
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

  /// For the output gradient g (rows × n): with `gelu`, writes dpre = g ⊙ GELU'(pre) into
  /// `gelu.dpre`; with `biasGradient`, writes the column sums of dpre (or of g) there. One
  /// pass over the rows in order (streams the prefetcher follows), each block of rows
  /// summing into its own partial row; the partial rows are added at the end. The blocks
  /// depend on the sizes only, so the sums are the same on any number of threads.
  static func backward(
    _ g: UnsafePointer<Float>, rows: Int, n: Int,
    gelu: (pre: UnsafePointer<Float>, sigmoid: UnsafePointer<Float>, dpre: UnsafeMutablePointer<Float>)?,
    biasGradient: UnsafeMutablePointer<Float>?
  ) {
    let blocks = Swift.max(1, Swift.min(8, rows * n / 32_768))
    let partials = UnsafeMutablePointer<Float>.allocate(capacity: blocks * n)
    defer { partials.deallocate() }
    partials.initialize(repeating: 0, count: blocks * n)
    parallelFor(blocks, grain: 1) { range in
      for block in range {
        let sums = partials + block * n
        for r in (rows * block / blocks)..<(rows * (block + 1) / blocks) {
          let row = r * n
          var j = 0
          while j + Vec.scalarCount <= n {
            var v = loadVec(g + row + j)
            if let gelu {
              v *= FastMath.geluDerivative(loadVec(gelu.pre + row + j), gate: loadVec(gelu.sigmoid + row + j))
              storeVec(v, gelu.dpre + row + j)
            }
            storeVec(loadVec(sums + j) + v, sums + j)
            j += Vec.scalarCount
          }
          while j < n {
            var v = g[row + j]
            if let gelu {
              v *= FastMath.geluDerivative(Vec(repeating: gelu.pre[row + j]), gate: Vec(repeating: gelu.sigmoid[row + j]))[0]
              gelu.dpre[row + j] = v
            }
            sums[j] += v
            j += 1
          }
        }
      }
    }
    guard let db = biasGradient else { return }
    db.update(from: partials, count: n)
    for block in 1..<blocks { for j in 0..<n { db[j] += partials[block * n + j] } }
  }
}
