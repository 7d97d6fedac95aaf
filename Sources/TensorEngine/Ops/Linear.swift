/// A linear layer as one operation: x·W + b (+ a residual), or GELU(x·W + b).
///
/// The same values as composing `matmul`, `+` and `gelu`, with fewer passes over memory:
/// the bias (and residual) are written into the output first and BLAS adds the product onto
/// them (beta = 1, which also spares OpenBLAS zeroing the output); GELU keeps its sigmoid so
/// its backward needs no exponential; the backward reads the output gradient once for the
/// bias gradient (through GELU's derivative), then runs dX and dW side by side.
extension Tensor {
  /// activation(x·weight + bias) + residual, for x [..., in], weight [in, out] (a transposed
  /// view is passed to BLAS as a flag), bias [out], residual of the result's shape.
  /// (`Activation` is the inference kernels' enum.) Other shapes (broadcasting biases, a GELU
  /// with a residual) take the composed path.
  public static func linear(
    _ x: Tensor, weight: Tensor, bias: Tensor? = nil, residual: Tensor? = nil,
    activation: Activation = .none
  ) throws -> Tensor {
    let fused =
      x.rank >= 2 && weight.rank == 2 && x.shape[x.rank - 1] == weight.shape[0]
      && (bias.map { $0.shape == [weight.shape[1]] } ?? true)
      && (residual.map { $0.shape == Array(x.shape.dropLast()) + [weight.shape[1]] } ?? true)
      && !(activation == .gelu && residual != nil)
    guard fused else {
      var y = try x.matmul(weight)
      if let bias { y = try y + bias }
      if activation == .gelu { y = y.gelu() }
      if let residual { y = try residual + y }
      return y
    }
    let (k, n) = (weight.shape[0], weight.shape[1])
    let outShape = Array(x.shape.dropLast()) + [n]
    let input = x.contiguous().detached()
    let rows = Shape.count(Array(x.shape.dropLast()))
    let w = weight.detached()
    let b = bias?.contiguous().detached()
    let pre = Tensor(uninitializedShape: outShape)
    if rows > 0 && n > 0 {
      let region = Profiler.begin(.matmul); defer { Profiler.end(region) }
      let res = residual?.contiguous().detached()
      let opW = GEMM.operand(w)
      withExtendedLifetime((b, res, input, opW.tensor)) {
        let (pb, pr) = (b.map { UnsafePointer($0.base) }, res.map { UnsafePointer($0.base) })
        let fill = { (r: Range<Int>, c: Range<Int>) in LinearKernels.fill(pre.base, n: n, rows: r, columns: c, bias: pb, residual: pr) }
        if k == 0 { fill(0..<rows, 0..<n); return }
        GEMM.raw(
          transA: false, transB: opW.transposed, m: rows, n: n, k: k, input.base, lda: k,
          opW.tensor.base, ldb: opW.leadingDimension, beta: 1, pre.base, ldc: n, prepare: fill)
      }
    }
    // What GELU's backward needs: its input and its gate (nothing is kept without GELU).
    let out: Tensor
    let gelu: (pre: Tensor, gate: Tensor)?
    if activation == .gelu {
      let region = Profiler.begin(.elementwise); defer { Profiler.end(region) }
      out = Tensor(uninitializedShape: outShape)
      let gate = Tensor(uninitializedShape: outShape)
      LinearKernels.geluForward(pre.base, out.base, sigmoid: gate.base, count: pre.count)
      gelu = (pre, gate)
    } else {
      (out, gelu) = (pre, nil)
    }

    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    if let residual { inputs.append(residual) }
    let (wantX, hasBias, hasResidual) = (x.requiresGrad, bias != nil, residual != nil)
    return Autograd.record(out, inputs: inputs, op: "linear") { g in
      let gc = g.contiguous()
      var dpre = gc
      var db: Tensor?
      if gelu != nil || hasBias {
        let region = Profiler.begin(.elementwise); defer { Profiler.end(region) }
        if gelu != nil { dpre = Tensor(uninitializedShape: outShape) }
        let biasGradient = hasBias ? Tensor(uninitializedShape: [n]) : nil
        if rows > 0 && n > 0 {
          withExtendedLifetime((gc, gelu)) {
            LinearKernels.backward(
              gc.base, rows: rows, n: n,
              gelu: gelu.map { (UnsafePointer($0.pre.base), UnsafePointer($0.gate.base), dpre.base) },
              biasGradient: biasGradient?.base)
          }
        } else {
          biasGradient?.base.initialize(repeating: 0, count: n)
        }
        db = biasGradient
      }
      let flatG = try dpre.reshaped([rows, n])
      let flatX = try input.reshaped([rows, k])
      var dx: Tensor?, dw: Tensor
      if wantX {
        let (gx, gw) = try GEMM.multiplyPair(flatG, w.transposed(), flatX.transposed(), flatG)
        (dx, dw) = (try gx.reshaped(x.shape), gw)
      } else {
        dw = try GEMM.multiply(flatX.transposed(), flatG)
      }
      var grads: [Tensor?] = [dx, dw]
      if hasBias { grads.append(db) }
      if hasResidual { grads.append(gc) }
      return grads
    }
  }
}
