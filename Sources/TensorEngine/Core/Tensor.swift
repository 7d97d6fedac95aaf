/// A float32 n-dimensional tensor: a view (shape, strides, offset) onto shared storage, plus
/// the autograd record when it takes part in differentiation.
///
/// `Tensor` is a value: copies share storage, and the mutating API copies the storage first
/// unless it is uniquely referenced. A parameter's optimizer updates are the deliberate
/// exception: they write through to every copy of that parameter, as in PyTorch.
public struct Tensor: @unchecked Sendable {
  public internal(set) var storage: TensorStorage
  public internal(set) var shape: [Int]
  public internal(set) var strides: [Int]
  public internal(set) var offset: Int
  /// Present when this tensor requires a gradient (a parameter or a result computed from one).
  var autograd: AutogradCell?

  init(storage: TensorStorage, shape: [Int], strides: [Int], offset: Int = 0) {
    self.storage = storage
    self.shape = shape
    self.strides = strides
    self.offset = offset
  }

  /// A contiguous tensor over fresh storage that the caller fills completely.
  init(uninitializedShape shape: [Int]) {
    self.init(
      storage: TensorStorage(uninitializedCount: Shape.count(shape)),
      shape: shape, strides: Shape.contiguousStrides(shape))
  }

  /// A tensor of the given shape holding `values` in row-major order.
  public init(shape: [Int], values: [Float]) throws {
    try Shape.validate(shape, op: "tensor")
    guard Shape.count(shape) == values.count else {
      throw TensorError.invalidArgument(
        op: "tensor",
        message: "shape \(formatShape(shape)) holds \(Shape.count(shape)) values but \(values.count) were given")
    }
    let storage = values.withUnsafeBufferPointer { TensorStorage(copying: $0) }
    self.init(storage: storage, shape: shape, strides: Shape.contiguousStrides(shape))
  }

  /// A rank-0 tensor holding one value.
  public init(scalar: Float) {
    self.init(uninitializedShape: [])
    storage.base.pointee = scalar
  }

  /// A rank-1 tensor.
  public init(_ values: [Float]) {
    // Cannot fail: the shape is derived from the values.
    try! self.init(shape: [values.count], values: values)
  }

  public var rank: Int { shape.count }
  public var count: Int { Shape.count(shape) }
  /// Always `float32`; kept as a property so displays and the language can name it.
  public var dtype: String { "float32" }

  /// True when the elements lie in row-major order with no gaps (offset may be nonzero).
  public var isContiguous: Bool {
    var expected = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) where shape[i] != 1 {
      if strides[i] != expected { return false }
      expected *= shape[i]
    }
    return true
  }

  /// Pointer to the first element of this view.
  @inline(__always)
  var base: UnsafeMutablePointer<Float> { storage.base + offset }

  /// A contiguous tensor with the same values: `self` when already contiguous, else a copy.
  public func contiguous() -> Tensor {
    if isContiguous { return self }
    var out = Tensor(uninitializedShape: shape)
    Kernels.copyStrided(from: self, into: out.base)
    out.autograd = nil
    return Autograd.record(out, inputs: [self], op: "contiguous") { g in [g] }
  }

  /// The values in row-major order.
  public func toArray() -> [Float] {
    let c = contiguous()
    return Array(UnsafeBufferPointer(start: c.base, count: c.count))
  }

  /// The single value of a one-element tensor.
  public func item() throws -> Float {
    guard count == 1 else {
      throw TensorError.invalidArgument(op: "item", message: "tensor of shape \(formatShape(shape)) has \(count) elements, not 1")
    }
    return base.pointee
  }

  /// The element at a full index (negative indices count from the end).
  public func element(at index: [Int]) throws -> Float {
    guard index.count == rank else {
      throw TensorError.invalidArgument(
        op: "index", message: "\(index.count) indices given for a tensor of rank \(rank)")
    }
    var position = offset
    for (axis, i) in index.enumerated() {
      let size = shape[axis]
      let j = i < 0 ? i + size : i
      guard j >= 0 && j < size else { throw TensorError.indexOutOfRange(op: "index", index: i, axis: axis, size: size) }
      position += j * strides[axis]
    }
    return storage.base[position]
  }

  /// Makes the storage uniquely owned and contiguous before a write (copy-on-write).
  mutating func makeUniqueContiguous() {
    if isKnownUniquelyReferenced(&storage) && isContiguous && storage.count == count { return }
    var copy = Tensor(uninitializedShape: shape)
    Kernels.copyStrided(from: self, into: copy.base)
    copy.autograd = autograd
    self = copy
  }

  /// Writes one element, copying shared storage first.
  public mutating func setElement(_ value: Float, at index: [Int]) throws {
    _ = try element(at: index)  // validates the index
    makeUniqueContiguous()
    var position = 0
    for (axis, i) in index.enumerated() { position += (i < 0 ? i + shape[axis] : i) * strides[axis] }
    storage.base[offset + position] = value
  }

  /// Gives a closure mutable access to this tensor's elements in row-major order, copying
  /// shared storage first.
  public mutating func withMutableElements<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
    makeUniqueContiguous()
    return try body(UnsafeMutableBufferPointer(start: base, count: count))
  }

  /// Read-only access to the elements in row-major order.
  public func withElements<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
    let c = contiguous()
    return try withExtendedLifetime(c) { try body(UnsafeBufferPointer(start: c.base, count: c.count)) }
  }
}
