/// Cross-entropy over the last axis of logits, fused with log-softmax: the forward keeps
/// only each row's log-partition, and the backward forms softmax − target in one pass.
extension Tensor {
  /// Mean negative log-likelihood of `targets` (integer class ids, shape = logits' shape
  /// without its last axis). Rows whose target is `ignoreIndex` add nothing and are not
  /// counted (the loss mask of supervised fine-tuning). With `labelSmoothing` ε, the target
  /// distribution is (1 − ε)·one-hot + ε/C.
  public static func crossEntropy(
    logits: Tensor, targets: Tensor, ignoreIndex: Int = -100, labelSmoothing: Float = 0
  ) throws -> Tensor {
    let region = Profiler.begin(.elementwise); defer { Profiler.end(region) }
    guard logits.rank >= 1 else {
      throw TensorError.invalidArgument(op: "cross_entropy", message: "logits need a class axis")
    }
    let c = logits.shape[logits.rank - 1]
    guard Array(logits.shape.dropLast()) == targets.shape else {
      throw TensorError.shapeMismatch(
        op: "cross_entropy", shapes: [logits.shape, targets.shape],
        reason: "do not fit: targets must have the logits' shape without the last (class) axis")
    }
    guard labelSmoothing >= 0 && labelSmoothing < 1 else {
      throw TensorError.invalidArgument(op: "cross_entropy", message: "label smoothing must be in [0, 1), got \(labelSmoothing)")
    }
    let ids = try targets.indices(op: "cross_entropy", limit: c, allowed: ignoreIndex)
    let x = logits.contiguous().detached()
    let rows = ids.count
    // Each row's log-partition as its parts (max, log Σ exp(x − max)) at [2·row] and
    // [2·row + 1], never summed: see `SoftmaxKernels.logSumExpParts`.
    var lse = [Float](repeating: 0, count: 2 * rows)
    var losses = [Float](repeating: 0, count: rows)
    let eps = labelSmoothing
    withExtendedLifetime(x) {
      lse.withUnsafeMutableBufferPointer { lb in
        losses.withUnsafeMutableBufferPointer { los in
          let px = x.base, pl = lb.baseAddress!, pLoss = los.baseAddress!
          parallelFor(rows, grain: Swift.max(1, 8192 / Swift.max(c, 1))) { r in
            for row in r {
              let t = Int(ids[row])
              if t == ignoreIndex { pLoss[row] = 0; continue }
              let xr = px + row * c
              let (m, logSum) = SoftmaxKernels.logSumExpParts(xr, c)
              pl[2 * row] = m
              pl[2 * row + 1] = logSum
              // z − (1 − ε)·x_t − ε·mean(x) with z = m + logSum, grouped so no term is m-sized.
              var loss = logSum + (1 - eps) * (m - xr[t])
              if eps > 0 { loss += eps * (m - ReductionKernels.rowSum(xr, c) / Float(c)) }
              pLoss[row] = loss
            }
          }
        }
      }
    }
    let counted = ids.reduce(0) { $0 + ($1 == Int32(ignoreIndex) ? 0 : 1) }
    // Sum in a fixed order so the loss is reproducible; NaN when nothing is counted, as in PyTorch.
    var total: Double = 0
    for l in losses { total += Double(l) }
    let out = Tensor(scalar: counted == 0 ? .nan : Float(total / Double(counted)))
    return Autograd.record(out, inputs: [logits], op: "cross_entropy") { g in
      let scale = counted == 0 ? 0 : (try g.item()) / Float(counted)
      let dx = Tensor(uninitializedShape: x.shape)
      let px = x.base, pd = dx.base
      lse.withUnsafeBufferPointer { lb in
        let pl = lb.baseAddress!
        parallelFor(rows, grain: Swift.max(1, 8192 / Swift.max(c, 1))) { r in
          for row in r {
            let t = Int(ids[row])
            let dr = pd + row * c
            if t == ignoreIndex {
              dr.initialize(repeating: 0, count: c)
              continue
            }
            let xr = px + row * c
            let (m, logSum) = (pl[2 * row], pl[2 * row + 1])
            let mv = Vec(repeating: m), lv = Vec(repeating: logSum)
            let sv = Vec(repeating: scale)
            let smooth = Vec(repeating: eps / Float(c))
            var i = 0
            while i + Vec.scalarCount <= c {
              storeVec((FastMath.exp((loadVec(xr + i) - mv) - lv) - smooth) * sv, dr + i)
              i += Vec.scalarCount
            }
            while i < c {
              dr[i] = (FastMath.scalar(FastMath.exp, (xr[i] - m) - logSum) - smooth[0]) * scale
              i += 1
            }
            dr[t] -= (1 - eps) * scale
          }
        }
      }
      return [dx]
    }
  }
}
