import TensorEngine

/// Which examples each step trains on: the data is walked in epochs, each a fresh
/// permutation drawn from (seed, epoch), and step s takes the next `batch` of that walk.
/// The batch depends only on (seed, step), so a run resumed at step s sees what an
/// uninterrupted run would have.
struct EpochSampler {
  let count: Int
  let batch: Int
  let seed: UInt64
  private var cached: (epoch: Int, order: [Int])? = nil

  init(count: Int, batch: Int, seed: UInt64) {
    precondition(count > 0 && batch > 0)
    self.count = count
    self.batch = batch
    self.seed = seed
  }

  /// Indices for 0-based `step`.
  mutating func indices(step: Int) -> [Int] {
    (0..<batch).map { k in
      let position = step * batch + k
      return order(epoch: position / count)[position % count]
    }
  }

  private mutating func order(epoch: Int) -> [Int] {
    if let cached, cached.epoch == epoch { return cached.order }
    var order = Array(0..<count)
    var rng = RandomGenerator(seed: seed &+ 0xA11_6E &+ UInt64(epoch) &* 0x9E37_79B9)
    rng.shuffle(&order)
    cached = (epoch, order)
    return order
  }
}
