import COpenBLAS
import Dispatch
import Foundation
import Synchronization

/// The engine's one threading policy: one pool of threads, the engine's.
///
/// - OpenBLAS always runs single-threaded. A large matrix product is cut into one block of
///   C per thread (`GEMM.sgemm`), and many small ones (attention's per-head products, a
///   batched matmul) are spread over the threads as work items, each calling BLAS on its
///   own thread.
/// - Element-wise kernels, reductions, normalizations and the optimizer split large loops into
///   chunks run by at most `count` threads with `parallelFor`.
/// So at most `count` threads compute, and no BLAS thread is left spinning (OpenBLAS's idle
/// threads poll with `sched_yield`) while the engine's own threads need the cores.
public enum EngineThreads {
  private static let configured = Atomic<Int>(0)

  /// Sets the thread count of the engine's loops and products (default: all cores).
  public static func configure(threads: Int? = nil) {
    let n = Swift.max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
    configured.store(n, ordering: .relaxed)
    openblas_set_num_threads(1)
    if pool?.workers != n - 1 { pool = n > 1 ? WorkerPool(workers: n - 1) : nil }
  }

  /// The worker threads beside the caller's (none with one thread). A reconfigured count
  /// starts a new pool; the old one's threads stay asleep.
  nonisolated(unsafe) static var pool: WorkerPool?

  /// Runs `body` with OpenBLAS's own threading on (`count` threads), for measuring raw
  /// `cblas_sgemm` as a reference; the engine's policy is restored afterwards.
  public static func withBLASThreads<R>(_ body: () throws -> R) rethrows -> R {
    openblas_set_num_threads(Int32(count))
    defer { openblas_set_num_threads(1) }
    return try body()
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
  // One chunk per thread, in order: the caller usually claims the first, so a loop over
  // rows takes the same rows on the same thread as the matrix product before it (split the
  // same way, see `GEMM.sgemm`) and finds them in that core's cache. (Four chunks per thread
  // measured 2-4% slower on train-S.) Chunks are still claimed dynamically: a worker the OS
  // has not scheduled yet finds its chunk taken by the caller. Only `threads` threads run
  // (the caller and the pool's workers), so the policy's thread count holds.
  let chunks = Swift.min(threads, n / grain)
  let ran = EngineThreads.pool?.run(chunks: chunks) { c in body((n * c / chunks)..<(n * (c + 1) / chunks)) }
  // The pool is busy (a loop inside a loop, or another thread's): run on this thread.
  if ran != true { body(0..<n) }
}

/// Lets kernels hand pointers and closures to worker threads. The engine's parallel loops
/// write disjoint ranges, so sharing them is safe even though the compiler cannot prove it.
struct UnsafeSendableBox<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}

