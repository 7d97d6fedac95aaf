import Foundation
import Synchronization

/// The engine's worker threads: `workers` threads that help the submitting thread run the
/// chunks of one parallel loop at a time.
///
/// A training step or a sampled token issues hundreds of short parallel loops. Waking a
/// sleeping thread costs tens of microseconds, as much as a small loop itself, so a worker
/// that has just helped watches for the next loop for a while (`spinSeconds`) before it
/// sleeps on a condition variable.
///
/// Chunks are claimed from one atomic ticket (loop number | chunk count | next chunk), and
/// the caller claims too: on a busy machine, a worker that is not running when a loop starts
/// simply finds no chunk left, and the caller never waits for a thread that was not
/// scheduled, only for chunks already being run. One loop at a time: a loop submitted while
/// the pool is busy (from inside a chunk, or from another thread) runs inline on its caller.
final class WorkerPool: @unchecked Sendable {
  let workers: Int
  private let ticket = Atomic<Int>(0)
  private let inflight = Atomic<Int>(0)
  private let busy = Atomic<Bool>(false)
  // The current loop's chunk body; written before `ticket` is published (release), read
  // only by a thread that has claimed one of its chunks (acquire), so while it is valid.
  private var job: UnsafeSendableBox<(Int) -> Void>?
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  private var sleepers = 0  // guarded by `mutex`

  /// How long a worker watches for the next loop before it sleeps.
  static let spinSeconds = 100e-6
  /// At most this many chunks per loop (they share the ticket's low 16 bits).
  static let maxChunks = 1 << 14

  init(workers: Int) {
    self.workers = workers
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(wake, nil)
    for _ in 0..<workers {
      let thread = Thread { [unowned(unsafe) self] in self.loop() }
      thread.stackSize = 1 << 20
      thread.start()
    }
  }

  @inline(__always) private static func epoch(_ t: Int) -> Int { t >> 32 }
  @inline(__always) private static func chunks(_ t: Int) -> Int { (t >> 16) & 0xFFFF }
  @inline(__always) private static func index(_ t: Int) -> Int { t & 0xFFFF }

  /// Runs `body(c)` for every chunk c in 0 ..< chunks on the caller and the workers;
  /// returns false, having run nothing, when the pool is already busy.
  func run(chunks: Int, _ body: (Int) -> Void) -> Bool {
    guard workers > 0, chunks <= Self.maxChunks,
      busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    else { return false }
    defer { busy.store(false, ordering: .releasing) }
    withoutActuallyEscaping(body) { body in
      job = UnsafeSendableBox(body)
      let next = (Self.epoch(ticket.load(ordering: .relaxed)) + 1) & 0x7FFF_FFFF
      ticket.store(next << 32 | chunks << 16, ordering: .releasing)
      pthread_mutex_lock(mutex)
      if sleepers > 0 { pthread_cond_broadcast(wake) }
      pthread_mutex_unlock(mutex)
      _ = work(epoch: next)
      // Every chunk is claimed; wait for those still running on workers.
      var spins = 0
      while inflight.load(ordering: .acquiring) > 0 {
        spins += 1
        if spins & 255 == 0 { sched_yield() }
      }
      job = nil
    }
    return true
  }

  /// Claims and runs chunks of loop `epoch` until none is left; false if that loop is over.
  private func work(epoch e: Int) -> Bool {
    inflight.add(1, ordering: .acquiring)
    defer { inflight.subtract(1, ordering: .releasing) }
    var t = ticket.load(ordering: .acquiring)
    while Self.epoch(t) == e && Self.index(t) < Self.chunks(t) {
      let (exchanged, original) = ticket.compareExchange(expected: t, desired: t + 1, ordering: .acquiringAndReleasing)
      if exchanged {
        job!.value(Self.index(t))
        t = ticket.load(ordering: .acquiring)
      } else {
        t = original
      }
    }
    return true
  }

  private func loop() {
    var seen = 0
    while true {
      var e = Self.epoch(ticket.load(ordering: .acquiring))
      if e == seen {
        let deadline = Self.now() + Self.spinSeconds
        var spins = 0
        while e == seen {
          spins += 1
          if spins & 63 == 0 {
            if Self.now() > deadline { break }
            sched_yield()  // let a runnable thread (ours or another process's) have the core
          }
          e = Self.epoch(ticket.load(ordering: .acquiring))
        }
      }
      if e == seen {
        pthread_mutex_lock(mutex)
        sleepers += 1
        while Self.epoch(ticket.load(ordering: .acquiring)) == seen { pthread_cond_wait(wake, mutex) }
        sleepers -= 1
        pthread_mutex_unlock(mutex)
        e = Self.epoch(ticket.load(ordering: .acquiring))
      }
      seen = e
      _ = work(epoch: e)
    }
  }

  static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }
}
