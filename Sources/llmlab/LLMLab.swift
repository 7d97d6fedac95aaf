import ArgumentParser
import Foundation
import Language
import REPL
import Runtime
import TensorEngine

@main
struct LLMLab: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "llmlab",
    abstract: "A notebook-style lab for building large language models, from tensors to RLHF.",
    discussion: """
      With no subcommand, llmlab starts the interactive prompt; when standard input is not a \
      terminal, it runs the script it reads from there instead.
      """,
    version: LLMLabInfo.version,
    subcommands: [RunCommand.self, CheckCommand.self, DemoCommand.self, BenchCommand.self])

  @OptionGroup var engine: EngineOptions

  /// Usage errors exit with 2 (as syntax errors do), not ArgumentParser's 64.
  static func main() {
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      let code = exitCode(for: error)
      if code == .validationFailure || (code != .success && code != .failure && !(error is ExitCode)) {
        let message = fullMessage(for: error)
        if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
        Foundation.exit(2)
      }
      exit(withError: error)
    }
  }

  func run() throws {
    try engine.apply()
    if isatty(0) != 0 {
      throw ExitCode(REPL(useColor: Terminal.useColor(fd: 1)).run())
    }
    // Piped input: a script, shown like the REPL shows values.
    var data = Data()
    while let chunk = try? FileHandle.standardInput.read(upToCount: 1 << 16), !chunk.isEmpty { data.append(chunk) }
    guard let text = String(data: data, encoding: .utf8) else {
      FileHandle.standardError.write("llmlab: standard input is not valid UTF-8 text\n".data(using: .utf8)!)
      throw ExitCode(2)
    }
    Interrupt.installHandler()
    let runner = ScriptRunner(interpreter: Interpreter(), useColor: Terminal.useColor(fd: 2), errorOutput: Terminal.writeError)
    throw ExitCode(runner.run(SourceFile(name: "<stdin>", text: text)).rawValue)
  }
}

/// Options every computing subcommand shares.
struct EngineOptions: ParsableArguments {
  @Option(help: "Threads for BLAS and the engine's loops (default: all cores).")
  var threads: Int?

  func apply() throws {
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    EngineThreads.configure(threads: threads)
  }
}

enum Terminal {
  /// Colors only on a terminal, and never when NO_COLOR is set.
  static func useColor(fd: Int32) -> Bool {
    isatty(fd) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
  }

  /// Standard output is flushed first, so an error appears after the output before it.
  static func writeError(_ text: String) {
    fflush(nil)
    FileHandle.standardError.write(text.data(using: .utf8)!)
  }
}
