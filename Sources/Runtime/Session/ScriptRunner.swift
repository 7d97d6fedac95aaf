import Foundation
import Language
import Models

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

  /// Runs the source; errors are printed and turned into an outcome. `overrides` (from
  /// `--set NAME=VALUE`) give top-level lets other literals; one that cannot be applied is a
  /// usage error, and then nothing runs.
  public func run(_ source: SourceFile, overrides: [(name: String, value: String)] = []) -> Outcome {
    do {
      var program = try interpreter.check(source)
      if !overrides.isEmpty {
        let resolved = try ScriptOverrides.resolve(overrides, in: program)
        program = ScriptOverrides.rewrite(program, with: resolved)
        interpreter.overrides = resolved.map { ($0.name, $0.value) }
      }
      try interpreter.run(program, echo: true)
      return .success
    } catch let list as DiagnosticList {
      report(list)
      return .syntaxError
    } catch let error as ScriptOverrides.UsageError {
      errorOutput("llmlab: \(error)\n")
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
  public static func reportJSON(
    script: String, ok: Bool, seconds: Double, stages: [[String: Any]], checks: [(what: String, passed: Bool)] = [],
    overrides: [(name: String, value: Value)] = []
  ) throws -> Data {
    var object: [String: Any] = ["script": script, "ok": ok, "seconds": (seconds * 1000).rounded() / 1000, "stages": stages.map(rounded)]
    if !checks.isEmpty { object["checks"] = checks.map { ["what": $0.what, "passed": $0.passed] } }
    if !overrides.isEmpty {
      object["set"] = Dictionary(overrides.map { override -> (String, Any) in
        switch override.value {
        case .number(let n): return (override.name, n)
        case .bool(let b): return (override.name, b)
        case .string(let s): return (override.name, s)
        default: return (override.name, Display.format(override.value))
        }
      }, uniquingKeysWith: { first, _ in first })
    }
    return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
  }

  /// The stages a run measured, one line each: what was trained, how long it took, and its
  /// measurements (the headline ones first, in the order a reader compares them).
  public static func stageTable(_ stages: [[String: Any]]) -> [String] {
    guard !stages.isEmpty else { return [] }
    let order = ["format_rate", "rule_rate_before", "rule_rate_after", "heldout_accuracy", "margin", "reward_before", "reward_after",
                 "kl", "kl_cap", "distinct_2", "val_loss", "unigram_val_loss", "steps"]
    func text(_ v: Any) -> String {
      switch v {
      case let d as Double: return d == d.rounded() && Swift.abs(d) < 1e6 ? String(Int(d)) : String(format: Swift.abs(d) >= 100 ? "%.1f" : "%.3f", d)
      default: return "\(v)"
      }
    }
    var lines = ["stage     model     seconds  measurements"]
    for stage in stages {
      let metrics = stage["metrics"] as? [String: Any] ?? [:]
      let keys = order.filter { metrics[$0] != nil } + metrics.keys.filter { !order.contains($0) }.sorted()
      let name = "\(stage["stage"] ?? "?")".padding(toLength: 9, withPad: " ", startingAt: 0)
      let target = "\(stage["target"] ?? "")".padding(toLength: 9, withPad: " ", startingAt: 0)
      let seconds = String(format: "%7.1f", stage["seconds"] as? Double ?? 0)
      lines.append("\(name) \(target) \(seconds)  " + keys.map { "\($0) \(text(metrics[$0]!))" }.joined(separator: " · "))
    }
    return lines
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
/// so a crash or Ctrl-C never leaves half a file. The temporary file has a random name and is
/// created exclusively, never through a link (see `AtomicFile`).
public func writeAtomically(_ data: Data, to path: String) throws {
  do { try AtomicFile.write(data, to: path) } catch let error as ModelError { throw RuntimeError(error.description) }
}
