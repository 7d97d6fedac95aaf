/// Views: new shapes and strides over the same storage, no element copied (except `reshape`
/// of a non-contiguous tensor, which has to copy).
extension Tensor {
  /// The same elements in a new shape; one dimension may be -1 (inferred).
  public func reshaped(_ newShape: [Int]) throws -> Tensor {
    var target = newShape
    let inferred = target.indices.filter { target[$0] == -1 }
    guard inferred.count <= 1, !target.contains(where: { $0 < -1 }) else {
      throw TensorError.invalidArgument(op: "reshape", message: "invalid shape \(formatShape(newShape)): at most one -1 and no other negative sizes")
    }
    if let i = inferred.first {
      let known = target.enumerated().filter { $0.offset != i }.reduce(1) { $0 * $1.element }
      guard known > 0, count % known == 0 else {
        throw TensorError.shapeMismatch(op: "reshape", shapes: [shape, newShape], reason: "do not match: \(count) elements cannot be split that way")
      }
      target[i] = count / known
    }
    guard Shape.count(target) == count else {
      throw TensorError.shapeMismatch(op: "reshape", shapes: [shape, target], reason: "hold different numbers of elements (\(count) vs \(Shape.count(target)))")
    }
    let source = contiguous()
    let out = Tensor(storage: source.storage, shape: target, strides: Shape.contiguousStrides(target), offset: source.offset)
    let inputShape = shape
    return Autograd.record(out, inputs: [source], op: "reshape") { g in [try g.reshaped(inputShape)] }
  }

  /// All elements in one dimension.
  public func flattened() -> Tensor { try! reshaped([count]) }

  /// Reorders the axes: result axis i is input axis `order[i]`.
  public func permuted(_ order: [Int]) throws -> Tensor {
    guard order.count == rank else {
      throw TensorError.invalidArgument(op: "permute", message: "\(order.count) axes given for a tensor of rank \(rank)")
    }
    let axes = try order.map { try Shape.normalizeAxis($0, rank: rank, op: "permute") }
    guard Set(axes).count == rank else {
      throw TensorError.invalidArgument(op: "permute", message: "axes \(formatShape(order)) repeat an axis")
    }
    var out = self.detached()
    out.shape = axes.map { shape[$0] }
    out.strides = axes.map { strides[$0] }
    var inverse = [Int](repeating: 0, count: rank)
    for (i, a) in axes.enumerated() { inverse[a] = i }
    return Autograd.record(out, inputs: [self], op: "permute") { g in [try g.permuted(inverse)] }
  }

  /// Swaps two axes (default: the last two, a matrix transpose).
  public func transposed(_ axis0: Int = -2, _ axis1: Int = -1) throws -> Tensor {
    // A vector is its own transpose, as in NumPy.
    if rank < 2 && axis0 == -2 && axis1 == -1 { return self }
    let a = try Shape.normalizeAxis(axis0, rank: rank, op: "transpose")
    let b = try Shape.normalizeAxis(axis1, rank: rank, op: "transpose")
    var order = Array(0..<rank)
    order.swapAt(a, b)
    return try permuted(order)
  }

  /// Matrix transpose of the last two axes (a view).
  public var T: Tensor { (try? transposed()) ?? self }

  /// Elements `start, start+step, ...` before `end` along `axis`; negative bounds count from
  /// the end and are clamped like Python's slices. A negative step walks backwards.
  public func sliced(axis: Int, start: Int? = nil, end: Int? = nil, step: Int = 1) throws -> Tensor {
    let ax = try Shape.normalizeAxis(axis, rank: rank, op: "slice")
    guard step != 0 else { throw TensorError.invalidArgument(op: "slice", message: "slice step cannot be zero") }
    let size = shape[ax]
    func clamp(_ v: Int, low: Int, high: Int) -> Int { Swift.min(Swift.max(v, low), high) }
    let lo: Int, hi: Int
    if step > 0 {
      lo = start.map { clamp($0 < 0 ? $0 + size : $0, low: 0, high: size) } ?? 0
      hi = end.map { clamp($0 < 0 ? $0 + size : $0, low: 0, high: size) } ?? size
    } else {
      lo = start.map { clamp($0 < 0 ? $0 + size : $0, low: -1, high: size - 1) } ?? size - 1
      hi = end.map { clamp($0 < 0 ? $0 + size : $0, low: -1, high: size - 1) } ?? -1
    }
    let n = step > 0 ? Swift.max(0, (hi - lo + step - 1) / step) : Swift.max(0, (lo - hi + (-step) - 1) / (-step))
    var out = self.detached()
    out.shape[ax] = n
    out.strides[ax] = strides[ax] * step
    if n > 0 { out.offset = offset + lo * strides[ax] }
    return Autograd.record(out, inputs: [self], op: "slice") { [shape] g in
      [try Tensor.scatteringView(g, intoZerosOf: shape) { try $0.sliced(axis: ax, start: start, end: end, step: step) }]
    }
  }

  /// The sub-tensor at `index` along `axis`, with that axis removed.
  public func selected(axis: Int, index: Int) throws -> Tensor {
    let ax = try Shape.normalizeAxis(axis, rank: rank, op: "select")
    let size = shape[ax]
    let i = index < 0 ? index + size : index
    guard i >= 0 && i < size else { throw TensorError.indexOutOfRange(op: "select", index: index, axis: ax, size: size) }
    var out = self.detached()
    out.offset = offset + i * strides[ax]
    out.shape.remove(at: ax)
    out.strides.remove(at: ax)
    return Autograd.record(out, inputs: [self], op: "select") { [shape] g in
      [try Tensor.scatteringView(g, intoZerosOf: shape) { try $0.selected(axis: ax, index: i) }]
    }
  }

  /// Repeats size-1 dimensions (and prepends new ones) to reach `target`, without copying.
  public func expanded(to target: [Int]) throws -> Tensor {
    let merged = try Shape.broadcast(shape, target, op: "expand")
    guard merged == target else {
      throw TensorError.shapeMismatch(op: "expand", shapes: [shape, target], reason: "cannot be expanded: only size-1 dimensions can grow")
    }
    var out = self.detached()
    out.strides = Kernels.broadcastStrides(self, to: target)
    out.shape = target
    return Autograd.record(out, inputs: [self], op: "expand") { [shape] g in [try g.summed(toShape: shape)] }
  }

  /// Inserts a dimension of size 1 at `axis`.
  public func unsqueezed(_ axis: Int) throws -> Tensor {
    let ax = try Shape.normalizeAxis(axis, rank: rank + 1, op: "unsqueeze")
    var newShape = shape
    newShape.insert(1, at: ax)
    return try reshaped(newShape)
  }

  /// Removes size-1 dimensions: all of them, or just `axis`.
  public func squeezed(_ axis: Int? = nil) throws -> Tensor {
    if let axis {
      let ax = try Shape.normalizeAxis(axis, rank: rank, op: "squeeze")
      guard shape[ax] == 1 else {
        throw TensorError.invalidArgument(op: "squeeze", message: "axis \(axis) has size \(shape[ax]), not 1")
      }
      var s = shape
      s.remove(at: ax)
      return try reshaped(s)
    }
    return try reshaped(shape.filter { $0 != 1 })
  }

  /// The gradient of a view: zeros of the input's shape with `g` written into the same view.
  static func scatteringView(_ g: Tensor, intoZerosOf shape: [Int], view: (Tensor) throws -> Tensor) throws -> Tensor {
    let out = Tensor.zeros(shape)
    let region = try GradMode.withoutGradients { try view(out) }
    let src = g.contiguous()
    withExtendedLifetime(src) { Kernels.scatterStrided(from: src.base, into: region) }
    return out
  }
}
