/// Reading integer indices out of float tensors (the engine's one dtype is float32; token
/// ids, class labels and positions are stored as exact integers in floats).
extension Tensor {
  /// The elements as integers, each checked to be whole and inside `0 ..< limit`.
  /// `allowed` lists extra values accepted outside the range (an ignore index).
  func indices(op: String, limit: Int, axis: Int = 0, allowed: Int? = nil) throws -> [Int32] {
    let c = contiguous()
    var out = [Int32](repeating: 0, count: c.count)
    for i in 0..<c.count {
      let v = c.base[i]
      guard v.isFinite, v == v.rounded() else {
        throw TensorError.invalidArgument(op: op, message: "index \(v) is not a whole number")
      }
      let k = Int(v)
      if let allowed, k == allowed { out[i] = Int32(k); continue }
      guard k >= 0 && k < limit else { throw TensorError.indexOutOfRange(op: op, index: k, axis: axis, size: limit) }
      out[i] = Int32(k)
    }
    return out
  }
}
