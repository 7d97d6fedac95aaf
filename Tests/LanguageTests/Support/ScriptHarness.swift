import Foundation
import Language
import Runtime

/// Runs source text the way `llmlab run` does, with colors off, and returns everything the
/// run wrote (standard output and diagnostics, in order) followed by `exit: N`. `overrides`
/// are `--set NAME=VALUE` pairs.
func transcript(
  of text: String, name: String, baseDirectory: String = Fixtures.directory.path, overrides: [(name: String, value: String)] = []
) -> String {
  let log = Transcript()
  let interpreter = Interpreter(output: { log.text += $0 + "\n" })
  interpreter.baseDirectory = baseDirectory
  let runner = ScriptRunner(interpreter: interpreter, useColor: false, errorOutput: { log.text += $0 })
  let outcome = runner.run(SourceFile(name: name, text: text), overrides: overrides)
  return log.text + "exit: \(outcome.rawValue)\n"
}

/// What a run printed, gathered by the output closures.
final class Transcript: @unchecked Sendable {
  var text = ""
}

/// Runs `body` on a thread with a stack as large as the main thread's (8 MiB), the stack the
/// command line and the REPL run scripts on, and waits for it. Test runner threads may have
/// smaller stacks, which would change where "nested too deeply" is reported.
func onMainSizedStack<T>(_ body: @escaping () -> T) -> T {
  let box = ResultBox(body)
  let done = DispatchSemaphore(value: 0)
  let thread = Thread {
    box.result = box.body()
    done.signal()
  }
  thread.stackSize = 8 << 20
  thread.start()
  done.wait()
  return box.result!
}

/// Carries a closure to another thread and its result back (the semaphore orders the accesses).
final class ResultBox<T>: @unchecked Sendable {
  let body: () -> T
  var result: T?
  init(_ body: @escaping () -> T) { self.body = body }
}
