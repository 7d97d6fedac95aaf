import Foundation
import Language

/// Runs a whole script the way `llmlab run` does: parse, resolve, run, and report errors
/// as located diagnostics. Exit codes: 0 success, 1 runtime error, 2 syntax or usage error.
public struct ScriptRunner {
  public enum Outcome: Int32 {
    case success = 0, runtimeError = 1, syntaxError = 2
  }

  public let interpreter: Interpreter
  public var renderer: DiagnosticRenderer
  /// Where diagnostics go (standard error for the command line).
  public var errorOutput: (String) -> Void

  public init(interpreter: Interpreter, useColor: Bool, errorOutput: @escaping (String) -> Void) {
    self.interpreter = interpreter
    self.renderer = DiagnosticRenderer(useColor: useColor)
    self.errorOutput = errorOutput
  }

  /// Parses and resolves without running (`llmlab check`).
  public func check(_ source: SourceFile) -> Outcome {
    do {
      _ = try interpreter.check(source)
      return .success
    } catch let list as DiagnosticList {
      report(list)
      return .syntaxError
    } catch {
      errorOutput("\(source.name): error: \(error)\n")
      return .syntaxError
    }
  }

  /// Runs the source; errors are printed and turned into an outcome.
  public func run(_ source: SourceFile) -> Outcome {
    do {
      let program = try interpreter.check(source)
      try interpreter.run(program, echo: true)
      return .success
    } catch let list as DiagnosticList {
      report(list)
      return .syntaxError
    } catch let error as RuntimeError {
      errorOutput(renderer.render(error.diagnostic(fallback: source)))
      return .runtimeError
    } catch {
      errorOutput("\(source.name): error: \(error)\n")
      return .runtimeError
    }
  }

  func report(_ list: DiagnosticList) {
    for d in list.diagnostics { errorOutput(renderer.render(d)) }
    let errors = list.diagnostics.filter { $0.severity == .error }.count
    if errors > 1 { errorOutput("\(errors) errors\n") }
  }

  /// The JSON report of `llmlab run --report`.
  public static func reportJSON(script: String, ok: Bool, seconds: Double, stages: [[String: Any]]) throws -> Data {
    let object: [String: Any] = ["script": script, "ok": ok, "seconds": (seconds * 1000).rounded() / 1000, "stages": stages.map(rounded)]
    return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
  }

  /// Measurements to 6 significant digits: float32 noise (7.244353294372559) helps no reader.
  static func rounded(_ value: Any) -> Any {
    switch value {
    case let d as Double where d.isFinite && d != 0:
      let scale = Foundation.pow(10, 5 - Foundation.floor(Foundation.log10(Swift.abs(d))))
      return (d * scale).rounded() / scale
    case let dict as [String: Any]: return dict.mapValues(rounded)
    case let list as [Any]: return list.map(rounded)
    default: return value
    }
  }
}

/// Writes a file atomically: to a temporary file beside it, then renamed over the target,
/// so a crash or Ctrl-C never leaves half a file.
public func writeAtomically(_ data: Data, to path: String) throws {
  let url = URL(fileURLWithPath: path)
  let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
  try data.write(to: temporary)
  if rename(temporary.path, url.path) != 0 {
    try? FileManager.default.removeItem(at: temporary)
    throw RuntimeError("cannot write \(path): \(String(cString: strerror(errno)))")
  }
}
