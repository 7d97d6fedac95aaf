/// The contiguous float buffer behind one or more tensors.
///
/// Views (reshape, transpose, slice, expand) share a storage; writes through the public API
/// copy it first unless it is uniquely referenced (copy-on-write). Kernels read and write
/// `base` directly through unsafe pointers, never element by element through Swift arrays.
public final class TensorStorage: @unchecked Sendable {
  public let base: UnsafeMutablePointer<Float>
  public let count: Int

  /// Uninitialized storage for `count` floats: every caller fills it completely.
  init(uninitializedCount count: Int) {
    self.count = count
    self.base = BufferPool.shared.allocate(count: count)
  }

  convenience init(zeroedCount count: Int) {
    self.init(uninitializedCount: count)
    base.initialize(repeating: 0, count: Swift.max(count, 1))
  }

  convenience init(copying values: UnsafeBufferPointer<Float>) {
    self.init(uninitializedCount: values.count)
    if let src = values.baseAddress { base.update(from: src, count: values.count) }
  }

  deinit { BufferPool.shared.release(base, count: count) }

  /// Bytes held by this storage.
  public var byteCount: Int { count * MemoryLayout<Float>.stride }
}
