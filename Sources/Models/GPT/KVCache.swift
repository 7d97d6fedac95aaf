import TensorEngine

extension GPTModel {
  /// Keys and values of earlier positions, per layer, so that sampling computes only the
  /// newest position: each step costs one position's forward pass.
  ///
  /// Each layer's keys and values live in one buffer of the model's whole context
  /// ([batch, heads, context, head dim]), filled position by position; attention reads the
  /// filled part in place. So a step copies only its own new keys and values, not the
  /// whole history, and allocates nothing once the buffers exist.
  public final class KVCache {
    var keys: [Tensor?]
    var values: [Tensor?]
    public private(set) var length = 0
    public init(layers: Int) {
      keys = Array(repeating: nil, count: layers)
      values = Array(repeating: nil, count: layers)
    }
    func advance(_ n: Int) { length += n }

    /// Adds the new positions' keys and values [batch, heads, time, head dim] of layer `l`
    /// and returns all keys and values so far.
    func append(layer l: Int, keys k: Tensor, values v: Tensor, capacity: Int) throws -> (Tensor, Tensor) {
      if k.requiresGrad || v.requiresGrad {
        // Gradients flow into the new positions: join them as a differentiable concat.
        return (try joined(&keys[l], k), try joined(&values[l], v))
      }
      return (try filled(&keys[l], k, capacity: capacity), try filled(&values[l], v, capacity: capacity))
    }

    private func joined(_ past: inout Tensor?, _ new: Tensor) throws -> Tensor {
      let all = try past.map { try Tensor.concat([$0.sliced(axis: 2, start: 0, end: length), new], axis: 2) } ?? new
      past = all.detached()
      return all
    }

    private func filled(_ buffer: inout Tensor?, _ new: Tensor, capacity: Int) throws -> Tensor {
      let shape = new.shape
      let needed = length + shape[2]
      if buffer == nil || buffer!.shape[0] != shape[0] || buffer!.shape[1] != shape[1] || buffer!.shape[3] != shape[3]
        || buffer!.shape[2] < needed
      {
        var grown = Tensor.zeros([shape[0], shape[1], Swift.max(capacity, needed), shape[3]])
        if let old = buffer, length > 0 { try grown.assign(old.sliced(axis: 2, start: 0, end: length), along: 2, at: 0) }
        buffer = grown
      }
      try buffer!.assign(new, along: 2, at: length)
      return try buffer!.sliced(axis: 2, start: 0, end: needed)
    }
  }
}
