import Foundation
import Synchronization

/// Ctrl-C while something runs: the signal handler only sets a flag, and the interpreter
/// checks it between statements and loop iterations (and training loops between steps), so
/// work stops at a safe point with every value intact.
public enum Interrupt {
  static let flag = Atomic<Bool>(false)

  public static func request() { flag.store(true, ordering: .relaxed) }
  public static func clear() { flag.store(false, ordering: .relaxed) }
  public static var isRequested: Bool { flag.load(ordering: .relaxed) }

  /// Throws when an interrupt is pending (and clears it).
  public static func check() throws {
    if flag.exchange(false, ordering: .relaxed) {
      throw RuntimeError("interrupted", hint: "every value computed so far is kept")
    }
  }

  /// Installs a SIGINT handler that requests an interrupt instead of killing the process.
  /// Without SA_RESTART, so that a blocked `read` (the line editor waiting for a key)
  /// returns EINTR and the prompt can clear its line.
  public static func installHandler() {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in Interrupt.request() }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    sigaction(SIGINT, &action, nil)
  }
}
