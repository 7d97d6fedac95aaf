/// Layer normalization and RMS normalization over the last axis, each one fused kernel
/// forward and one backward. Forward saves only the per-row statistics (mean and 1/σ), not
/// the normalized activations.
extension Tensor {
  /// (x − mean) / √(var + eps) · weight + bias over the last axis.
  public func layerNorm(weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) throws -> Tensor {
    try normalize(weight: weight, bias: bias, eps: eps, centered: true, op: "layer_norm")
  }

  /// x / √(mean(x²) + eps) · weight over the last axis.
  public func rmsNorm(weight: Tensor?, eps: Float = 1e-6) throws -> Tensor {
    try normalize(weight: weight, bias: nil, eps: eps, centered: false, op: "rms_norm")
  }

  private func normalize(weight: Tensor?, bias: Tensor?, eps: Float, centered: Bool, op: String) throws -> Tensor {
    let region = Profiler.begin(.elementwise); defer { Profiler.end(region) }
    guard rank >= 1 else { throw TensorError.invalidArgument(op: op, message: "needs at least one axis") }
    let d = shape[rank - 1]
    for (name, p) in [("weight", weight), ("bias", bias)] {
      if let p, p.shape != [d] {
        throw TensorError.shapeMismatch(
          op: op, shapes: [shape, p.shape], reason: "do not fit: the \(name) must have shape [\(d)], the last axis of the input")
      }
    }
    let x = contiguous().detached()
    let w = weight?.contiguous().detached()
    let b = bias?.contiguous().detached()
    let rows = count / Swift.max(d, 1)
    let out = Tensor(uninitializedShape: shape)
    var mean = [Float](repeating: 0, count: rows)
    var rstd = [Float](repeating: 0, count: rows)
    withExtendedLifetime((x, w, b)) {
      mean.withUnsafeMutableBufferPointer { meanBuf in
        rstd.withUnsafeMutableBufferPointer { rstdBuf in
          let px = x.base, py = out.base, pw = w?.base, pb = b?.base
          let pm = meanBuf.baseAddress!, pr = rstdBuf.baseAddress!
          parallelFor(rows, grain: Swift.max(1, 16_384 / Swift.max(d, 1))) { range in
            for row in range {
              (pm[row], pr[row]) = NormalizationKernels.forwardRow(
                px + row * d, py + row * d, d, weight: pw, bias: pb, eps: eps, centered: centered)
            }
          }
        }
      }
    }
    var inputs = [self]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    let hasWeight = weight != nil, hasBias = bias != nil
    return Autograd.record(out, inputs: inputs, op: op) { g in
      let grads = NormalizationBackward.run(
        g: g.contiguous(), x: x, weight: w, mean: mean, rstd: rstd, rows: rows, d: d,
        centered: centered, wantBias: hasBias)
      var result: [Tensor?] = [grads.dx]
      if hasWeight { result.append(grads.dw) }
      if hasBias { result.append(grads.db) }
      return result
    }
  }
}

enum NormalizationKernels {
  /// Normalizes one row of `d` values from `xr` into `yr`; returns its mean (0 when not
  /// centered) and 1/σ, what the backward needs.
  @inline(__always)
  static func forwardRow(
    _ xr: UnsafePointer<Float>, _ yr: UnsafeMutablePointer<Float>, _ d: Int,
    weight pw: UnsafePointer<Float>?, bias pb: UnsafePointer<Float>?, eps: Float, centered: Bool
  ) -> (mean: Float, rstd: Float) {
    let mu = centered ? ReductionKernels.rowSum(xr, d) / Float(d) : 0
    var acc = Vec(repeating: 0)
    let mv = Vec(repeating: mu)
    var i = 0
    while i + Vec.scalarCount <= d { let c = loadVec(xr + i) - mv; acc += c * c; i += Vec.scalarCount }
    var ss = acc.sum()
    while i < d { let c = xr[i] - mu; ss += c * c; i += 1 }
    let r = 1 / (ss / Float(d) + eps).squareRoot()
    let rv = Vec(repeating: r)
    i = 0
    while i + Vec.scalarCount <= d {
      var v = (loadVec(xr + i) - mv) * rv
      if let pw { v *= loadVec(pw + i) }
      if let pb { v += loadVec(pb + i) }
      storeVec(v, yr + i)
      i += Vec.scalarCount
    }
    while i < d {
      var v = (xr[i] - mu) * r
      if let pw { v *= pw[i] }
      if let pb { v += pb[i] }
      yr[i] = v
      i += 1
    }
    return (mu, r)
  }
}

enum NormalizationBackward {
  /// With x̂ = (x − μ)·r and ĝ = g·w:
  ///   layer norm: dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),  RMS norm: dx = r·(ĝ − x̂·mean(ĝ·x̂)),
  ///   dw = Σ_rows g·x̂,  db = Σ_rows g.
  /// Weight and bias gradients are summed per thread, then combined in a fixed order so the
  /// result is bit-identical run to run.
  static func run(
    g: Tensor, x: Tensor, weight: Tensor?, mean: [Float], rstd: [Float], rows: Int, d: Int,
    centered: Bool, wantBias: Bool
  ) -> (dx: Tensor, dw: Tensor?, db: Tensor?) {
    let dx = Tensor(uninitializedShape: x.shape)
    // A fixed number of row blocks, each with its own weight/bias partial sums, claimed by
    // the worker threads dynamically; the partials are summed in block order afterwards,
    // so the result does not depend on which thread ran which block.
    let chunks = Swift.max(1, Swift.min(EngineThreads.count * 4, rows / 16))
    let partialW = Tensor.zeros([chunks, d])
    let partialB = Tensor.zeros([chunks, d])
    // A missing weight acts as ones: one code path, no optional in the inner loops.
    let w = weight ?? Tensor.ones([d])
    withExtendedLifetime((g, x, w)) {
      mean.withUnsafeBufferPointer { meanBuf in
        rstd.withUnsafeBufferPointer { rstdBuf in
          let pg = g.base, px = x.base, pw = w.base, pd = dx.base
          let pm = meanBuf.baseAddress!, pr = rstdBuf.baseAddress!
          let ppw = partialW.base, ppb = partialB.base
          parallelFor(chunks, grain: 1) { blocks in for c in blocks {
            let lo = rows * c / chunks, hi = rows * (c + 1) / chunks
            let accW = ppw + c * d, accB = ppb + c * d
            for row in lo..<hi {
              let gr = pg + row * d, xr = px + row * d, dr = pd + row * d
              let mu = Vec(repeating: pm[row]), r = Vec(repeating: pr[row])
              // Pass 1: the two row means, and the weight/bias gradient contributions.
              var sumG = Vec(repeating: 0), sumGX = Vec(repeating: 0)
              var i = 0
              while i + Vec.scalarCount <= d {
                let gv = loadVec(gr + i)
                let xh = (loadVec(xr + i) - mu) * r
                let gh = gv * loadVec(pw + i)
                sumG += gh
                sumGX += gh * xh
                storeVec(loadVec(accW + i) + gv * xh, accW + i)
                storeVec(loadVec(accB + i) + gv, accB + i)
                i += Vec.scalarCount
              }
              var sG = sumG.sum(), sGX = sumGX.sum()
              while i < d {
                let xh = (xr[i] - mu[0]) * r[0]
                let gh = gr[i] * pw[i]
                sG += gh
                sGX += gh * xh
                accW[i] += gr[i] * xh
                accB[i] += gr[i]
                i += 1
              }
              let meanG = Vec(repeating: centered ? sG / Float(d) : 0)
              let meanGX = Vec(repeating: sGX / Float(d))
              // Pass 2: the input gradient.
              i = 0
              while i + Vec.scalarCount <= d {
                let xh = (loadVec(xr + i) - mu) * r
                let gh = loadVec(gr + i) * loadVec(pw + i)
                storeVec(r * (gh - meanG - xh * meanGX), dr + i)
                i += Vec.scalarCount
              }
              while i < d {
                let xh = (xr[i] - mu[0]) * r[0]
                let gh = gr[i] * pw[i]
                dr[i] = r[0] * (gh - meanG[0] - xh * meanGX[0])
                i += 1
              }
            }
          } }
        }
      }
    }
    let dw = weight == nil ? nil : try? partialW.summed(axes: [0])
    let db = wantBias ? try? partialB.summed(axes: [0]) : nil
    return (dx, dw, db)
  }
}

