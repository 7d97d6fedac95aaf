import Foundation
import Synchronization

/// A cache of freed float buffers, keyed by exact element count.
///
/// A training loop allocates the same shapes every step. Handing a freed buffer back to the
/// next request of the same size avoids both `malloc` and the page faults of touching fresh
/// memory (for a 25 MB activation, several milliseconds per step). The cache is bounded so
/// that peak memory stays close to what one step needs.
final class BufferPool: Sendable {
  static let shared = BufferPool(limitBytes: 1 << 30)

  private struct State {
    var free: [Int: [UInt]] = [:]  // addresses, so the state stays Sendable
    var cachedBytes = 0
  }
  private let state = Mutex(State())
  private let limitBytes: Int

  init(limitBytes: Int) { self.limitBytes = limitBytes }

  /// Small buffers are cheap for malloc; only large ones are worth caching.
  private static let minimumPooledCount = 4096

  func allocate(count: Int) -> UnsafeMutablePointer<Float> {
    let n = Swift.max(count, 1)
    if n >= Self.minimumPooledCount {
      let reused: UInt? = state.withLock { s in
        guard var list = s.free[n], let p = list.popLast() else { return nil }
        s.free[n] = list.isEmpty ? nil : list
        s.cachedBytes -= n * 4
        return p
      }
      if let reused, let p = UnsafeMutablePointer<Float>(bitPattern: reused) { return p }
    }
    // 64-byte alignment suits every SIMD width and BLAS's own packing.
    var raw: UnsafeMutableRawPointer?
    if posix_memalign(&raw, 64, n * MemoryLayout<Float>.stride) != 0 || raw == nil {
      fatalError("llmlab: out of memory allocating \(n * 4) bytes")
    }
    return raw!.bindMemory(to: Float.self, capacity: n)
  }

  func release(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
    let n = Swift.max(count, 1)
    if n >= Self.minimumPooledCount {
      let address = UInt(bitPattern: pointer)
      let limit = limitBytes
      let kept = state.withLock { s -> Bool in
        guard s.cachedBytes + n * 4 <= limit else { return false }
        s.free[n, default: []].append(address)
        s.cachedBytes += n * 4
        return true
      }
      if kept { return }
    }
    free(pointer)
  }

  /// Returns every cached buffer to the system (for example after a large job).
  func trim() {
    let lists = state.withLock { s -> [[UInt]] in
      let all = Array(s.free.values)
      s.free = [:]
      s.cachedBytes = 0
      return all
    }
    for list in lists { for p in list { free(UnsafeMutableRawPointer(bitPattern: p)) } }
  }

  var cachedBytes: Int { state.withLock { $0.cachedBytes } }
}
