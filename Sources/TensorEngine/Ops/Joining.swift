/// Concatenation, splitting and stacking along an axis.
extension Tensor {
  /// Joins tensors whose shapes agree except along `axis`.
  public static func concat(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
    let region = Profiler.begin(.elementwise); defer { Profiler.end(region) }
    guard let first = tensors.first else {
      throw TensorError.invalidArgument(op: "concat", message: "needs at least one tensor")
    }
    let ax = try Shape.normalizeAxis(axis, rank: first.rank, op: "concat")
    for t in tensors.dropFirst() {
      var a = first.shape, b = t.shape
      guard a.count == b.count else {
        throw TensorError.shapeMismatch(op: "concat", shapes: [first.shape, t.shape], reason: "have different ranks")
      }
      a[ax] = 0; b[ax] = 0
      guard a == b else {
        throw TensorError.shapeMismatch(op: "concat", shapes: [first.shape, t.shape], reason: "differ outside the concatenation axis \(axis)")
      }
    }
    var shape = first.shape
    shape[ax] = tensors.reduce(0) { $0 + $1.shape[ax] }
    let out = Tensor(uninitializedShape: shape)
    var start = 0
    var sizes: [Int] = []
    for t in tensors {
      let size = t.shape[ax]
      let region = try GradMode.withoutGradients { try out.sliced(axis: ax, start: start, end: start + size) }
      let src = t.contiguous()
      withExtendedLifetime(src) { Kernels.scatterStrided(from: src.base, into: region) }
      sizes.append(size)
      start += size
    }
    return Autograd.record(out, inputs: tensors, op: "concat") { g in
      var at = 0
      return try sizes.map { size in
        defer { at += size }
        return try g.sliced(axis: ax, start: at, end: at + size)
      }
    }
  }

  /// Splits into pieces of the given sizes along `axis` (views).
  public func split(sizes: [Int], axis: Int = 0) throws -> [Tensor] {
    let ax = try Shape.normalizeAxis(axis, rank: rank, op: "split")
    guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == shape[ax] else {
      throw TensorError.invalidArgument(op: "split", message: "sizes \(formatShape(sizes)) do not add up to \(shape[ax]), the size of axis \(axis)")
    }
    var at = 0
    return try sizes.map { size in
      defer { at += size }
      return try sliced(axis: ax, start: at, end: at + size)
    }
  }

  /// Splits into `parts` equal pieces along `axis`.
  public func split(parts: Int, axis: Int = 0) throws -> [Tensor] {
    let ax = try Shape.normalizeAxis(axis, rank: rank, op: "split")
    guard parts > 0, shape[ax] % parts == 0 else {
      throw TensorError.invalidArgument(op: "split", message: "axis \(axis) of size \(shape[ax]) cannot be split into \(parts) equal parts")
    }
    return try split(sizes: Array(repeating: shape[ax] / parts, count: parts), axis: ax)
  }

  /// Joins tensors of one shape along a new axis.
  public static func stack(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
    guard let first = tensors.first else {
      throw TensorError.invalidArgument(op: "stack", message: "needs at least one tensor")
    }
    for t in tensors where t.shape != first.shape {
      throw TensorError.shapeMismatch(op: "stack", shapes: [first.shape, t.shape], reason: "differ: stacked tensors must have one shape")
    }
    let ax = try Shape.normalizeAxis(axis, rank: first.rank + 1, op: "stack")
    return try concat(tensors.map { try $0.unsqueezed(ax) }, axis: ax)
  }
}
