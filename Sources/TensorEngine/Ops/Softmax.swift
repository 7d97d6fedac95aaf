import Foundation

/// Numerically stable softmax and log-softmax: the row maximum is subtracted before `exp`.
enum SoftmaxKernels {
  /// y = softmax(x) for one row of `n` values; returns log Σ exp(x) (the log-partition).
  @inline(__always)
  @discardableResult
  static func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) -> Float {
    let m = maxRow(x, n)
    var acc = Vec(repeating: 0)
    var i = 0
    let mv = Vec(repeating: m)
    while i + Vec.scalarCount <= n {
      let e = FastMath.exp(loadVec(x + i) - mv)
      storeVec(e, y + i)
      acc += e
      i += Vec.scalarCount
    }
    var s = acc.sum()
    while i < n {
      let e = FastMath.scalar(FastMath.exp, x[i] - m)
      y[i] = e
      s += e
      i += 1
    }
    let inv = 1 / s
    scaleRow(y, n, inv)
    return m + logf(s)
  }

  /// log Σ exp(x) of one row, without writing anything.
  @inline(__always)
  static func logSumExpRow(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    let (m, logSum) = logSumExpParts(x, n)
    return m + logSum
  }

  /// log Σ exp(x) of one row as its two parts: the maximum m and log Σ exp(x − m). Callers
  /// forming x − log Σ exp(x) use (x − m) − logSum: the sum m + logSum would be rounded to
  /// the float spacing near m (6e-5 at 1000, 1 at 1e7), swamping the log-probabilities.
  @inline(__always)
  static func logSumExpParts(_ x: UnsafePointer<Float>, _ n: Int) -> (max: Float, logSum: Float) {
    let m = maxRow(x, n)
    if m == -.infinity { return (m, 0) }
    var acc = Vec(repeating: 0)
    let mv = Vec(repeating: m)
    var i = 0
    while i + Vec.scalarCount <= n { acc += FastMath.exp(loadVec(x + i) - mv); i += Vec.scalarCount }
    var s = acc.sum()
    while i < n { s += FastMath.scalar(FastMath.exp, x[i] - m); i += 1 }
    return (m, logf(s))
  }

  @inline(__always)
  static func maxRow(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var mv = Vec(repeating: -.infinity)
    var i = 0
    // A compare-and-blend: the standard library's pointwiseMax is an out-of-line call.
    while i + Vec.scalarCount <= n {
      let v = loadVec(x + i)
      mv = mv.replacing(with: v, where: v .> mv)
      i += Vec.scalarCount
    }
    var m = mv.max()
    while i < n { m = Swift.max(m, x[i]); i += 1 }
    return m
  }

  @inline(__always)
  static func scaleRow(_ y: UnsafeMutablePointer<Float>, _ n: Int, _ c: Float) {
    let cv = Vec(repeating: c)
    var i = 0
    while i + Vec.scalarCount <= n { storeVec(loadVec(y + i) * cv, y + i); i += Vec.scalarCount }
    while i < n { y[i] *= c; i += 1 }
  }

  /// Σ a[i]·b[i] of one row.
  @inline(__always)
  static func dotRow(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = Vec(repeating: 0)
    var i = 0
    while i + Vec.scalarCount <= n { acc += loadVec(a + i) * loadVec(b + i); i += Vec.scalarCount }
    var s = acc.sum()
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
  }
}

extension Tensor {
  /// Runs a last-axis row operation on `axis` by moving that axis last (a view) and back.
  private func alongAxis(_ axis: Int, op: String, _ body: (Tensor) throws -> Tensor) throws -> Tensor {
    guard rank > 0 else { throw TensorError.invalidAxis(op: op, axis: axis, rank: 0) }
    let ax = try Shape.normalizeAxis(axis, rank: rank, op: op)
    if ax == rank - 1 { return try body(self) }
    return try body(transposed(ax, -1)).transposed(ax, -1)
  }

  public func softmax(axis: Int = -1) throws -> Tensor {
    let region = Profiler.begin(.elementwise); defer { Profiler.end(region) }
    return try alongAxis(axis, op: "softmax") { t in
      let x = t.contiguous()
      let n = x.shape[x.rank - 1]
      let rows = x.count / Swift.max(n, 1)
      let out = Tensor(uninitializedShape: x.shape)
      withExtendedLifetime(x) {
        let px = x.base, py = out.base
        parallelFor(rows, grain: Swift.max(1, 8192 / Swift.max(n, 1))) { r in
          for row in r { SoftmaxKernels.softmaxRow(px + row * n, py + row * n, n) }
        }
      }
      let y = out.detached()
      return Autograd.record(out, inputs: [x], op: "softmax") { g in
        // dx = y ⊙ (g − Σ g⊙y)
        let gc = g.contiguous()
        let dx = Tensor(uninitializedShape: y.shape)
        let pg = gc.base, py = y.base, pd = dx.base
        parallelFor(rows, grain: Swift.max(1, 8192 / Swift.max(n, 1))) { r in
          for row in r {
            let o = row * n
            let s = Vec(repeating: SoftmaxKernels.dotRow(pg + o, py + o, n))
            var i = 0
            while i + Vec.scalarCount <= n { storeVec(loadVec(py + o + i) * (loadVec(pg + o + i) - s), pd + o + i); i += Vec.scalarCount }
            while i < n { pd[o + i] = py[o + i] * (pg[o + i] - s[0]); i += 1 }
          }
        }
        return [withExtendedLifetime(gc) { dx }]
      }
    }
  }

  public func logSoftmax(axis: Int = -1) throws -> Tensor {
    let region = Profiler.begin(.elementwise); defer { Profiler.end(region) }
    return try alongAxis(axis, op: "log_softmax") { t in
      let x = t.contiguous()
      let n = x.shape[x.rank - 1]
      let rows = x.count / Swift.max(n, 1)
      let out = Tensor(uninitializedShape: x.shape)
      withExtendedLifetime(x) {
        let px = x.base, py = out.base
        parallelFor(rows, grain: Swift.max(1, 8192 / Swift.max(n, 1))) { r in
          for row in r {
            let (m, logSum) = SoftmaxKernels.logSumExpParts(px + row * n, n)
            let mv = Vec(repeating: m), lv = Vec(repeating: logSum)
            var i = 0
            let o = row * n
            while i + Vec.scalarCount <= n { storeVec((loadVec(px + o + i) - mv) - lv, py + o + i); i += Vec.scalarCount }
            while i < n { py[o + i] = (px[o + i] - m) - logSum; i += 1 }
          }
        }
      }
      let y = out.detached()
      return Autograd.record(out, inputs: [x], op: "log_softmax") { g in
        // dx = g − softmax(x)·Σg
        let gc = g.contiguous()
        let dx = Tensor(uninitializedShape: y.shape)
        let pg = gc.base, py = y.base, pd = dx.base
        parallelFor(rows, grain: Swift.max(1, 8192 / Swift.max(n, 1))) { r in
          for row in r {
            let o = row * n
            let s = ReductionKernels.rowSum(pg + o, n)
            for i in 0..<n { pd[o + i] = pg[o + i] - Foundation.exp(py[o + i]) * s }
          }
        }
        return [withExtendedLifetime(gc) { dx }]
      }
    }
  }
}
