/// Reductions along axes: sum, mean, max, min, argmax, variance, standard deviation.
///
/// Every reduction is planned as `outer × reduce × inner` over contiguous memory: reduced
/// axes that are adjacent need no copy (summing a bias gradient over the batch, a softmax
/// denominator over the last axis); scattered axes are first permuted to the end.
struct ReductionPlan {
  var input: Tensor
  var outer: Int
  var reduce: Int
  var inner: Int
  /// The result's shape with reduced axes kept as 1, and with them dropped.
  var keptShape: [Int]
  var outShape: [Int]

  init(_ x: Tensor, axes: [Int]?, keepDims: Bool, op: String) throws {
    let rank = x.rank
    var list = try (axes ?? Array(0..<rank)).map { try Shape.normalizeAxis($0, rank: Swift.max(rank, 1), op: op) }
    if rank == 0 { list = [] }
    list = Array(Set(list)).sorted()
    let reduced = Set(list)
    keptShape = x.shape.enumerated().map { reduced.contains($0.offset) ? 1 : $0.element }
    outShape = keepDims ? keptShape : x.shape.enumerated().filter { !reduced.contains($0.offset) }.map(\.element)
    let isBlock = list.isEmpty || list.last! - list.first! + 1 == list.count
    if isBlock {
      input = x.contiguous()
      let first = list.first ?? rank
      let last = list.last ?? (rank - 1)
      outer = Shape.count(Array(x.shape[0..<first]))
      reduce = list.isEmpty ? 1 : Shape.count(Array(x.shape[first...last]))
      inner = list.isEmpty ? 1 : Shape.count(Array(x.shape[(last + 1)...]))
      if list.isEmpty { outer = x.count }
    } else {
      let kept = (0..<rank).filter { !reduced.contains($0) }
      input = try x.permuted(kept + list).contiguous()
      outer = Shape.count(kept.map { x.shape[$0] })
      reduce = Shape.count(list.map { x.shape[$0] })
      inner = 1
    }
  }
}

enum ReductionKernels {
  /// out[o, i] = Σ_r x[o, r, i].
  static func sum(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, outer: Int, reduce: Int, inner: Int) {
    if inner == 1 {
      parallelFor(outer, grain: Swift.max(1, 16_384 / Swift.max(reduce, 1))) { range in
        for o in range { out[o] = rowSum(x + o * reduce, reduce) }
      }
      return
    }
    if outer >= EngineThreads.count * 2 || inner < 64 {
      parallelFor(outer, grain: Swift.max(1, 16_384 / Swift.max(reduce * inner, 1))) { range in
        for o in range { columnSums(x + o * reduce * inner, out + o * inner, reduce: reduce, inner: inner, stride: inner) }
      }
    } else {
      // Few outer blocks (a bias gradient): split the columns across threads instead.
      for o in 0..<outer {
        let base = x + o * reduce * inner
        let dst = out + o * inner
        parallelFor(inner, grain: 64) { cols in
          columnSums(base + cols.lowerBound, dst + cols.lowerBound, reduce: reduce, inner: cols.count, stride: inner)
        }
      }
    }
  }

  /// Σ of `n` contiguous floats, eight lanes at a time.
  @inline(__always)
  static func rowSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = Vec(repeating: 0)
    var i = 0
    while i + Vec.scalarCount <= n { acc += loadVec(p + i); i += Vec.scalarCount }
    var s = acc.sum()
    while i < n { s += p[i]; i += 1 }
    return s
  }

  /// dst[c] = Σ_r src[r·stride + c] for c < inner.
  @inline(__always)
  static func columnSums(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, reduce: Int, inner: Int, stride: Int) {
    dst.initialize(repeating: 0, count: inner)
    for r in 0..<reduce {
      let row = src + r * stride
      var c = 0
      while c + Vec.scalarCount <= inner { storeVec(loadVec(dst + c) + loadVec(row + c), dst + c); c += Vec.scalarCount }
      while c < inner { dst[c] += row[c]; c += 1 }
    }
  }

  /// Position (0 ..< reduce) and value of the largest (or smallest) element of each
  /// `outer × inner` fibre; the first one wins ties. NaN propagates, as in NumPy.
  static func extreme(_ x: UnsafePointer<Float>, outer: Int, reduce: Int, inner: Int, largest: Bool,
                      values: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>) {
    parallelFor(outer * inner, grain: Swift.max(1, 8192 / Swift.max(reduce, 1))) { range in
      for f in range {
        let o = f / inner, i = f % inner
        let p = x + o * reduce * inner + i
        var best = p[0]
        var at = 0
        if !best.isNaN {
          for r in 1..<Swift.max(reduce, 1) {
            let v = p[r * inner]
            if v.isNaN { best = v; at = r; break }
            if largest ? v > best : v < best { best = v; at = r }
          }
        }
        values[f] = best
        indices[f] = Int32(at)
      }
    }
  }
}

extension Tensor {
  /// Sum over `axes` (all axes when nil).
  public func summed(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
    let region = Profiler.begin(.elementwise); defer { Profiler.end(region) }
    let plan = try ReductionPlan(self, axes: axes, keepDims: keepDims, op: "sum")
    let out = Tensor(uninitializedShape: plan.outShape)
    withExtendedLifetime(plan.input) {
      ReductionKernels.sum(plan.input.base, out.base, outer: plan.outer, reduce: plan.reduce, inner: plan.inner)
    }
    let kept = plan.keptShape
    let inputShape = shape
    return Autograd.record(out, inputs: [self], op: "sum") { g in
      [try g.reshaped(kept).expanded(to: inputShape)]
    }
  }

  public func summed(axis: Int, keepDims: Bool = false) throws -> Tensor { try summed(axes: [axis], keepDims: keepDims) }

  /// Mean over `axes` (all axes when nil).
  public func mean(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
    let plan = try ReductionPlan(self, axes: axes, keepDims: keepDims, op: "mean")
    guard plan.reduce > 0 else {
      throw TensorError.invalidArgument(op: "mean", message: "mean of an empty tensor of shape \(formatShape(shape))")
    }
    return try summed(axes: axes, keepDims: keepDims) * (1 / Float(plan.reduce))
  }

  public func mean(axis: Int, keepDims: Bool = false) throws -> Tensor { try mean(axes: [axis], keepDims: keepDims) }

  /// Sums a broadcast gradient back down to `target` (the shape an operand had before
  /// broadcasting): leading axes are summed away, size-1 axes summed with keepdim.
  public func summed(toShape target: [Int]) throws -> Tensor {
    let region = Profiler.begin(.elementwise); defer { Profiler.end(region) }
    if shape == target { return self }
    let lead = rank - target.count
    var axes = Array(0..<Swift.max(lead, 0))
    for (i, d) in target.enumerated() where d == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
    let s = try summed(axes: axes, keepDims: true)
    return try s.reshaped(target)
  }

  private func extreme(axis: Int?, keepDims: Bool, largest: Bool, op: String) throws -> (Tensor, [Int32], ReductionPlan) {
    guard count > 0 else { throw TensorError.invalidArgument(op: op, message: "\(op) of an empty tensor") }
    let plan = try ReductionPlan(self, axes: axis.map { [$0] }, keepDims: keepDims, op: op)
    let out = Tensor(uninitializedShape: plan.outShape)
    var indices = [Int32](repeating: 0, count: plan.outer * plan.inner)
    withExtendedLifetime(plan.input) {
      indices.withUnsafeMutableBufferPointer { idx in
        ReductionKernels.extreme(
          plan.input.base, outer: plan.outer, reduce: plan.reduce, inner: plan.inner, largest: largest,
          values: out.base, indices: idx.baseAddress!)
      }
    }
    return (out, indices, plan)
  }

  private func extremeValue(axis: Int?, keepDims: Bool, largest: Bool, op: String) throws -> Tensor {
    let (out, indices, plan) = try extreme(axis: axis, keepDims: keepDims, largest: largest, op: op)
    let source = plan.input
    let inputShape = shape
    // The gradient flows to the winning element of each fibre only.
    return Autograd.record(out, inputs: [source], op: op) { g in
      let gc = g.contiguous()
      let dx = Tensor.zeros(source.shape)
      for f in 0..<(plan.outer * plan.inner) {
        let o = f / plan.inner, i = f % plan.inner
        dx.base[o * plan.reduce * plan.inner + Int(indices[f]) * plan.inner + i] = gc.base[f]
      }
      _ = inputShape
      return [dx]
    }
  }

  public func max(axis: Int? = nil, keepDims: Bool = false) throws -> Tensor {
    try extremeValue(axis: axis, keepDims: keepDims, largest: true, op: "max")
  }

  public func min(axis: Int? = nil, keepDims: Bool = false) throws -> Tensor {
    try extremeValue(axis: axis, keepDims: keepDims, largest: false, op: "min")
  }

  /// Index of the largest element along `axis` (of the flattened tensor when nil), as floats.
  public func argmax(axis: Int? = nil, keepDims: Bool = false) throws -> Tensor {
    let source = axis == nil ? flattened() : self
    let (_, indices, plan) = try source.extreme(axis: axis == nil ? 0 : axis, keepDims: keepDims, largest: true, op: "argmax")
    return try Tensor(shape: axis == nil && !keepDims ? [] : plan.outShape, values: indices.map(Float.init))
  }

  /// Index of the smallest element along `axis`, as floats.
  public func argmin(axis: Int? = nil, keepDims: Bool = false) throws -> Tensor {
    let source = axis == nil ? flattened() : self
    let (_, indices, plan) = try source.extreme(axis: axis == nil ? 0 : axis, keepDims: keepDims, largest: false, op: "argmin")
    return try Tensor(shape: axis == nil && !keepDims ? [] : plan.outShape, values: indices.map(Float.init))
  }

  /// Variance with `correction` (0: population, 1: sample/Bessel).
  public func variance(axes: [Int]? = nil, keepDims: Bool = false, correction: Int = 0) throws -> Tensor {
    let plan = try ReductionPlan(self, axes: axes, keepDims: keepDims, op: "var")
    let n = plan.reduce - correction
    guard n > 0 else {
      throw TensorError.invalidArgument(op: "var", message: "\(plan.reduce) elements are too few for correction \(correction)")
    }
    let centered = try self - mean(axes: axes, keepDims: true)
    return try (centered * centered).summed(axes: axes, keepDims: keepDims) * (1 / Float(n))
  }

  /// Standard deviation, the square root of `variance`.
  public func standardDeviation(axes: [Int]? = nil, keepDims: Bool = false, correction: Int = 0) throws -> Tensor {
    try variance(axes: axes, keepDims: keepDims, correction: correction).sqrt()
  }
}
