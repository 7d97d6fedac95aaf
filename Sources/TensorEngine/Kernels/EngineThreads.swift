import COpenBLAS
import Dispatch
import Foundation
import Synchronization

/// The engine's one threading policy.
///
/// - Matrix products run on OpenBLAS's own threads, `count` of them, and are only ever called
///   from the caller's thread, never from inside one of the engine's parallel loops.
/// - Element-wise kernels, reductions, normalizations and the optimizer split large loops into
///   chunks run by at most `count` threads with `parallelFor`; those chunks never call BLAS.
/// So at any moment at most `count` threads compute: BLAS's or the engine's, never both nested.
public enum EngineThreads {
  private static let configured = Atomic<Int>(0)

  /// Sets the thread count for both BLAS and the engine's loops (default: all cores).
  public static func configure(threads: Int? = nil) {
    let n = Swift.max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
    configured.store(n, ordering: .relaxed)
    openblas_set_num_threads(Int32(n))
  }

  /// Threads in use; configures the default on first use.
  public static var count: Int {
    let n = configured.load(ordering: .relaxed)
    if n > 0 { return n }
    configure()
    return configured.load(ordering: .relaxed)
  }
}

/// Runs `body` over `0 ..< n` split into contiguous ranges, in parallel when the work is
/// large enough to pay for waking threads. `grain` is the smallest range worth a thread.
@inline(__always)
func parallelFor(_ n: Int, grain: Int = 32_768, _ body: (Range<Int>) -> Void) {
  let threads = EngineThreads.count
  if threads <= 1 || n < 2 * grain {
    if n > 0 { body(0..<n) }
    return
  }
  // A few chunks per thread, claimed dynamically: on a shared machine one descheduled
  // thread then delays a small piece of the work instead of half of it. Only `threads`
  // workers run, so the policy's thread count holds.
  let chunks = Swift.min(threads * 4, n / grain)
  let workers = Swift.min(threads, chunks)
  let next = Atomic<Int>(0)
  withoutActuallyEscaping(body) { body in
    let box = UnsafeSendableBox(body)
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
      while true {
        let c = next.wrappingAdd(1, ordering: .relaxed).oldValue
        if c >= chunks { break }
        box.value((n * c / chunks)..<(n * (c + 1) / chunks))
      }
    }
  }
}

/// Lets kernels hand pointers and closures to worker threads. The engine's parallel loops
/// write disjoint ranges, so sharing them is safe even though the compiler cannot prove it.
struct UnsafeSendableBox<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}


/// Runs `count` fixed chunks on separate threads (or inline when there is one chunk).
enum DispatchChunks {
  static func run(_ count: Int, _ body: (Int) -> Void) {
    if count <= 1 { body(0); return }
    withoutActuallyEscaping(body) { body in
      let box = UnsafeSendableBox(body)
      DispatchQueue.concurrentPerform(iterations: count) { box.value($0) }
    }
  }
}
