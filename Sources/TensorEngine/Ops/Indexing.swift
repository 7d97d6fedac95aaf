/// Gathering by index, one-hot encoding, top-k and multinomial sampling.
extension Tensor {
  /// PyTorch's `gather`: out[i₀…] = self[i₀, …, index[i₀…], …] with the index along `axis`.
  /// `index` has this tensor's rank and no larger sizes on the other axes.
  public func gather(axis: Int, index: Tensor) throws -> Tensor {
    let ax = try Shape.normalizeAxis(axis, rank: rank, op: "gather")
    guard index.rank == rank else {
      throw TensorError.shapeMismatch(op: "gather", shapes: [shape, index.shape], reason: "differ in rank: the index must have the input's rank")
    }
    for d in 0..<rank where d != ax && index.shape[d] > shape[d] {
      throw TensorError.shapeMismatch(op: "gather", shapes: [shape, index.shape], reason: "do not fit: index axis \(d) is larger than the input's")
    }
    let ids = try index.indices(op: "gather", limit: shape[ax], axis: ax)
    let outShape = index.shape
    let x = detached()
    let offsets = Tensor.gatherOffsets(outShape: outShape, strides: strides, axis: ax, ids: ids)
    let out = Tensor(uninitializedShape: outShape)
    for (i, o) in offsets.enumerated() { out.base[i] = x.base[o] }
    let inputShape = shape
    return Autograd.record(out, inputs: [self], op: "gather") { g in
      let gc = g.contiguous()
      let dx = Tensor.zeros(inputShape)
      let local = Tensor.gatherOffsets(outShape: outShape, strides: Shape.contiguousStrides(inputShape), axis: ax, ids: ids)
      for (i, o) in local.enumerated() { dx.base[o] += gc.base[i] }
      return [dx]
    }
  }

  /// Element offsets (relative to the view's base) read by `gather`.
  private static func gatherOffsets(outShape: [Int], strides: [Int], axis: Int, ids: [Int32]) -> [Int] {
    var result = [Int](repeating: 0, count: ids.count)
    var index = [Int](repeating: 0, count: outShape.count)
    for i in 0..<ids.count {
      var o = 0
      for d in 0..<outShape.count { o += (d == axis ? Int(ids[i]) : index[d]) * strides[d] }
      result[i] = o
      advanceIndex(&index, within: outShape)
    }
    return result
  }

  /// The slices at `indices` (a list of positions) along `axis`, in that order.
  public func indexSelect(axis: Int, indices: Tensor) throws -> Tensor {
    let ax = try Shape.normalizeAxis(axis, rank: rank, op: "index_select")
    guard indices.rank <= 1 else {
      throw TensorError.invalidArgument(op: "index_select", message: "indices must be a list (rank 1), got shape \(formatShape(indices.shape))")
    }
    let ids = try indices.indices(op: "index_select", limit: shape[ax], axis: ax)
    var indexShape = shape
    indexShape[ax] = ids.count
    // Express as a gather with the positions broadcast along every other axis.
    var idShape = [Int](repeating: 1, count: rank)
    idShape[ax] = ids.count
    let idTensor = try Tensor(shape: idShape, values: ids.map(Float.init)).expanded(to: indexShape).contiguous()
    return try gather(axis: ax, index: idTensor)
  }

  /// One-hot rows: shape + [classes], 1 at each id.
  public static func oneHot(_ ids: Tensor, classes: Int) throws -> Tensor {
    guard classes > 0 else { throw TensorError.invalidArgument(op: "one_hot", message: "classes must be positive") }
    let idx = try ids.indices(op: "one_hot", limit: classes)
    let out = Tensor.zeros(ids.shape + [classes])
    for (i, k) in idx.enumerated() { out.base[i * classes + Int(k)] = 1 }
    return out
  }

  /// The `k` largest (or smallest) values along `axis`, sorted, and their positions.
  public func topK(_ k: Int, axis: Int = -1, largest: Bool = true) throws -> (values: Tensor, indices: Tensor) {
    let ax = try Shape.normalizeAxis(axis, rank: rank, op: "topk")
    guard k >= 0 && k <= shape[ax] else {
      throw TensorError.invalidArgument(op: "topk", message: "k = \(k) is outside 0 ... \(shape[ax]) (the size of axis \(axis))")
    }
    let moved = try transposed(ax, -1).contiguous().detached()
    let n = moved.shape[moved.rank - 1]
    let rows = moved.count / Swift.max(n, 1)
    var picked = [Float](repeating: 0, count: rows * k)
    var order = [Int](repeating: 0, count: n)
    for r in 0..<rows {
      let row = moved.base + r * n
      for i in 0..<n { order[i] = i }
      // NaN sorts first when largest, as in PyTorch; ties keep the lower index.
      order.sort { a, b in
        let (x, y) = (row[a], row[b])
        if x.isNaN || y.isNaN { return x.isNaN && !y.isNaN ? largest : (!x.isNaN && y.isNaN ? !largest : a < b) }
        return x == y ? a < b : (largest ? x > y : x < y)
      }
      for j in 0..<k { picked[r * k + j] = Float(order[j]) }
    }
    var idShape = moved.shape
    idShape[idShape.count - 1] = k
    let idx = try Tensor(shape: idShape, values: picked).transposed(ax, -1).contiguous()
    return (try gather(axis: ax, index: idx), idx)
  }

  /// Draws `samples` class ids from each row of non-negative weights (last axis), with
  /// replacement, from the shared seeded generator. Rows need not sum to 1.
  public func multinomial(samples: Int = 1) throws -> Tensor {
    guard rank >= 1, samples >= 0 else {
      throw TensorError.invalidArgument(op: "multinomial", message: "needs a tensor with a class axis and samples ≥ 0")
    }
    let p = contiguous()
    let c = shape[rank - 1]
    let rows = count / Swift.max(c, 1)
    var out = [Float](repeating: 0, count: rows * samples)
    var cumulative = [Double](repeating: 0, count: c)
    for r in 0..<rows {
      var total = 0.0
      for i in 0..<c {
        let w = p.base[r * c + i]
        guard w >= 0 && w.isFinite else {
          throw TensorError.invalidArgument(op: "multinomial", message: "weights must be finite and ≥ 0 (row \(r) has \(w))")
        }
        total += Double(w)
        cumulative[i] = total
      }
      guard total > 0 else {
        throw TensorError.invalidArgument(op: "multinomial", message: "row \(r) has no positive weight to sample from")
      }
      for s in 0..<samples {
        let u = Double(Random.using { $0.nextUniform() }) * total
        // First class whose cumulative weight exceeds u (binary search).
        var lo = 0, hi = c - 1
        while lo < hi {
          let mid = (lo + hi) / 2
          if cumulative[mid] > u { hi = mid } else { lo = mid + 1 }
        }
        out[r * samples + s] = Float(lo)
      }
    }
    return try Tensor(shape: Array(shape.dropLast()) + [samples], values: out)
  }
}
