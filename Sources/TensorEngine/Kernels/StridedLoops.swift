/// Loops over strided n-d layouts, one contiguous "row" (the last dimension) at a time.
///
/// Adjacent dimensions that are laid out back to back in every operand are merged first, so
/// a contiguous tensor becomes one long row and a broadcast bias becomes a two-level loop.
struct StridedLayout {
  var shape: [Int]
  var strides: [[Int]]

  /// Merges dimensions i and i+1 wherever every operand allows it; drops size-1 dimensions.
  init(shape: [Int], strides: [[Int]]) {
    var outShape: [Int] = []
    var outStrides = [[Int]](repeating: [], count: strides.count)
    for d in 0..<shape.count where shape[d] != 1 {
      if let last = outShape.last {
        var mergeable = true
        for k in 0..<strides.count where outStrides[k].last! != strides[k][d] * shape[d] {
          mergeable = false
          break
        }
        if mergeable {
          outShape[outShape.count - 1] = last * shape[d]
          for k in 0..<strides.count { outStrides[k][outStrides[k].count - 1] = strides[k][d] }
          continue
        }
      }
      outShape.append(shape[d])
      for k in 0..<strides.count { outStrides[k].append(strides[k][d]) }
    }
    if outShape.isEmpty {
      outShape = [1]
      for k in 0..<strides.count { outStrides[k] = [0] }
    }
    self.shape = outShape
    self.strides = outStrides
  }

  var rowLength: Int { shape[shape.count - 1] }
  var rowCount: Int { Shape.count(shape) / rowLength }
  func innerStride(_ k: Int) -> Int { strides[k][strides[k].count - 1] }

  /// Calls `body(row, offsets)` for rows `range`, with each operand's offset of the row start.
  @inline(__always)
  func forEachRow(in range: Range<Int>, _ body: (_ offsets: UnsafeMutableBufferPointer<Int>) -> Void) {
    let outer = shape.count - 1
    let k = strides.count
    withUnsafeTemporaryAllocation(of: Int.self, capacity: Swift.max(outer, 1) + k) { scratch in
      let index = UnsafeMutableBufferPointer(rebasing: scratch[0..<Swift.max(outer, 1)])
      let offsets = UnsafeMutableBufferPointer(rebasing: scratch[Swift.max(outer, 1)..<(Swift.max(outer, 1) + k)])
      // Decompose the first row number into an index over the outer dimensions.
      var r = range.lowerBound
      for d in stride(from: outer - 1, through: 0, by: -1) {
        index[d] = r % shape[d]
        r /= shape[d]
      }
      for j in 0..<k {
        var o = 0
        for d in 0..<outer { o += index[d] * strides[j][d] }
        offsets[j] = o
      }
      for _ in range {
        body(offsets)
        // Increment the outer index like an odometer, updating offsets incrementally.
        var d = outer - 1
        while d >= 0 {
          index[d] += 1
          for j in 0..<k { offsets[j] += strides[j][d] }
          if index[d] < shape[d] { break }
          for j in 0..<k { offsets[j] -= strides[j][d] * shape[d] }
          index[d] = 0
          d -= 1
        }
      }
    }
  }
}

@inline(__always)
func loadVec(_ p: UnsafePointer<Float>) -> Vec {
  UnsafeRawPointer(p).loadUnaligned(as: Vec.self)
}

@inline(__always)
func storeVec(_ v: Vec, _ p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vec.self)
}
