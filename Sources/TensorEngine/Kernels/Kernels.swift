/// The engine's element-wise kernels: copies, maps and broadcasting binary operations over
/// raw pointers, vectorized eight lanes at a time and split across threads when large.
enum Kernels {
  /// Copies any strided view into contiguous memory at `dst` (row-major order).
  static func copyStrided(from src: Tensor, into dst: UnsafeMutablePointer<Float>) {
    let region = Profiler.begin(.elementwise); defer { Profiler.end(region) }
    let n = src.count
    if n == 0 { return }
    if src.isContiguous {
      let s = src.base
      parallelFor(n, grain: 1 << 18) { r in (dst + r.lowerBound).update(from: s + r.lowerBound, count: r.count) }
      return
    }
    let layout = StridedLayout(shape: src.shape, strides: [src.strides, Shape.contiguousStrides(src.shape)])
    let s = src.base
    let len = layout.rowLength
    let inner = layout.innerStride(0)
    let rows = layout.rowCount
    parallelFor(rows, grain: Swift.max(1, 65_536 / len)) { range in
      layout.forEachRow(in: range) { off in
        let from = s + off[0]
        let to = dst + off[1]
        if inner == 1 {
          to.update(from: from, count: len)
        } else {
          for i in 0..<len { to[i] = from[i * inner] }
        }
      }
    }
  }

  /// Writes contiguous values at `src` into the positions of the strided view `dst`.
  static func scatterStrided(from src: UnsafePointer<Float>, into dst: Tensor) {
    if dst.count == 0 { return }  // an empty layout has no rows (and would divide by zero)
    let layout = StridedLayout(shape: dst.shape, strides: [dst.strides, Shape.contiguousStrides(dst.shape)])
    let d = dst.base
    let len = layout.rowLength
    let inner = layout.innerStride(0)
    layout.forEachRow(in: 0..<layout.rowCount) { off in
      let to = d + off[0]
      let from = src + off[1]
      for i in 0..<len { to[i * inner] = from[i] }
    }
  }

  /// dst[i] += src[i] for a contiguous `src` of `count` elements.
  static func addInPlace(_ dst: UnsafeMutablePointer<Float>, _ src: Tensor, count: Int) {
    let region = Profiler.begin(.elementwise); defer { Profiler.end(region) }
    withExtendedLifetime(src) {
      let s = src.base
      parallelFor(count, grain: 1 << 16) { r in
        var i = r.lowerBound
        while i + Vec.scalarCount <= r.upperBound {
          storeVec(loadVec(dst + i) + loadVec(s + i), dst + i)
          i += Vec.scalarCount
        }
        while i < r.upperBound { dst[i] += s[i]; i += 1 }
      }
    }
  }

  /// out[i] = f(x[i]) over a contiguous range of `n` elements.
  ///
  /// Generic over the function's type, not a closure, so that each kernel is specialized
  /// with `f` inlined into the vector loop (a closure would cost a call per eight lanes).
  @inline(__always)
  static func mapContiguous<F: UnaryVectorFunction>(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count n: Int,
    grain: Int = 1 << 15, _ f: F
  ) {
    parallelFor(n, grain: grain) { r in
      var i = r.lowerBound
      while i + Vec.scalarCount <= r.upperBound {
        storeVec(f(loadVec(x + i)), out + i)
        i += Vec.scalarCount
      }
      if i < r.upperBound {
        var tail = Vec(repeating: 0)
        for j in 0..<(r.upperBound - i) { tail[j] = x[i + j] }
        let y = f(tail)
        for j in 0..<(r.upperBound - i) { out[i + j] = y[j] }
      }
    }
  }

  /// out[i] = f(a[i], b[i]) over contiguous ranges.
  @inline(__always)
  static func zipContiguous<F: BinaryVectorFunction>(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
    count n: Int, grain: Int = 1 << 15, _ f: F
  ) {
    parallelFor(n, grain: grain) { r in
      var i = r.lowerBound
      while i + Vec.scalarCount <= r.upperBound {
        storeVec(f(loadVec(a + i), loadVec(b + i)), out + i)
        i += Vec.scalarCount
      }
      if i < r.upperBound {
        var ta = Vec(repeating: 1), tb = Vec(repeating: 1)
        for j in 0..<(r.upperBound - i) { ta[j] = a[i + j]; tb[j] = b[i + j] }
        let y = f(ta, tb)
        for j in 0..<(r.upperBound - i) { out[i + j] = y[j] }
      }
    }
  }

  /// A new contiguous tensor holding f applied to every element of `x`.
  @inline(__always)
  static func map<F: UnaryVectorFunction>(_ x: Tensor, _ f: F) -> Tensor {
    let region = Profiler.begin(.elementwise); defer { Profiler.end(region) }
    let c = x.contiguous()
    let out = Tensor(uninitializedShape: x.shape)
    withExtendedLifetime(c) { mapContiguous(c.base, out.base, count: c.count, f) }
    return out
  }

  static func map(_ x: Tensor, _ f: @escaping (Vec) -> Vec) -> Tensor { map(x, UnaryClosure(f: f)) }

  static func zip(_ a: Tensor, _ b: Tensor, op: String, _ f: @escaping (Vec, Vec) -> Vec) throws -> Tensor {
    try zip(a, b, op: op, BinaryClosure(f: f))
  }

  /// f applied pairwise with NumPy broadcasting; the result is contiguous.
  @inline(__always)
  static func zip<F: BinaryVectorFunction>(_ a: Tensor, _ b: Tensor, op: String, _ f: F) throws -> Tensor {
    let region = Profiler.begin(.elementwise); defer { Profiler.end(region) }
    let shape = try Shape.broadcast(a.shape, b.shape, op: op)
    let out = Tensor(uninitializedShape: shape)
    let n = out.count
    if n == 0 { return out }
    let o = out.base
    withExtendedLifetime((a, b)) {
      if a.shape == b.shape && a.isContiguous && b.isContiguous {
        zipContiguous(a.base, b.base, o, count: n, f)
        return
      }
      if b.count == 1 && a.isContiguous && a.shape == shape {
        mapContiguous(a.base, o, count: n, BoundRight(f: f, b: Vec(repeating: b.base.pointee)))
        return
      }
      if a.count == 1 && b.isContiguous && b.shape == shape {
        mapContiguous(b.base, o, count: n, BoundLeft(f: f, a: Vec(repeating: a.base.pointee)))
        return
      }
      let layout = StridedLayout(
        shape: shape,
        strides: [
          broadcastStrides(a, to: shape), broadcastStrides(b, to: shape), Shape.contiguousStrides(shape),
        ])
      let len = layout.rowLength
      let sa = layout.innerStride(0)
      let sb = layout.innerStride(1)
      let pa = a.base
      let pb = b.base
      parallelFor(layout.rowCount, grain: Swift.max(1, 32_768 / len)) { range in
        layout.forEachRow(in: range) { off in
          zipRow(pa + off[0], sa, pb + off[1], sb, o + off[2], len, f)
        }
      }
    }
    return out
  }

  /// One row of a broadcasting binary operation: unit or zero strides take the vector path.
  @inline(__always)
  static func zipRow<F: BinaryVectorFunction>(
    _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
    _ o: UnsafeMutablePointer<Float>, _ n: Int, _ f: F
  ) {
    var i = 0
    if sa == 1 && sb == 1 {
      while i + Vec.scalarCount <= n { storeVec(f(loadVec(a + i), loadVec(b + i)), o + i); i += Vec.scalarCount }
    } else if sa == 1 && sb == 0 {
      let bv = Vec(repeating: b.pointee)
      while i + Vec.scalarCount <= n { storeVec(f(loadVec(a + i), bv), o + i); i += Vec.scalarCount }
    } else if sa == 0 && sb == 1 {
      let av = Vec(repeating: a.pointee)
      while i + Vec.scalarCount <= n { storeVec(f(av, loadVec(b + i)), o + i); i += Vec.scalarCount }
    }
    while i < n {
      o[i] = f(Vec(repeating: a[i * sa]), Vec(repeating: b[i * sb]))[0]
      i += 1
    }
  }

  /// Strides of `t` seen as a tensor of the (broadcast) `shape`: 0 along broadcast dimensions.
  static func broadcastStrides(_ t: Tensor, to shape: [Int]) -> [Int] {
    let lead = shape.count - t.rank
    var out = [Int](repeating: 0, count: shape.count)
    for d in 0..<t.rank where t.shape[d] != 1 || shape[lead + d] == 1 {
      out[lead + d] = t.shape[d] == 1 ? 0 : t.strides[d]
    }
    return out
  }
}
