import ArgumentParser
import Foundation
import Language
import Runtime

/// Reads a script file, or explains why it cannot.
func readScript(_ path: String) throws -> SourceFile {
  guard FileManager.default.fileExists(atPath: path) else {
    Terminal.writeError("llmlab: no such file: \(path)\n")
    throw ExitCode(2)
  }
  guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
    Terminal.writeError("llmlab: cannot read \(path) as UTF-8 text\n")
    throw ExitCode(2)
  }
  return SourceFile(name: path, text: text)
}

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run", abstract: "Run a .llm script top to bottom.",
    discussion: "Exit status: 0 success, 1 runtime error, 2 syntax or usage error.")

  @OptionGroup var engine: EngineOptions
  @ArgumentParser.Argument(help: "The script to run.") var file: String
  @Option(help: "Write a JSON report {script, ok, seconds, stages} to this path.") var report: String?
  @Option(
    name: .customLong("set"), parsing: .singleValue,
    help: ArgumentHelp(
      "Give a top-level `let NAME = <literal>` of the script another value before it runs (repeatable): a number, true/false, or text for a string. Example: llmlab run Scripts/pipeline.llm --set seed=2",
      valueName: "NAME=VALUE"))
  var settings: [String] = []

  func run() throws {
    try engine.apply()
    let overrides: [(name: String, value: String)]
    do {
      overrides = try settings.map(ScriptOverrides.parse)
    } catch let error as ScriptOverrides.UsageError {
      Terminal.writeError("llmlab: \(error)\n")
      throw ExitCode(2)
    }
    let source = try readScript(file)
    let interpreter = Interpreter()
    interpreter.baseDirectory = (file as NSString).deletingLastPathComponent
    interpreter.useColor = Terminal.useColor(fd: 1)
    Interrupt.installHandler()
    // From a terminal a script can ask the user (chat, ppo's step_by_step); from a pipe it cannot.
    if isatty(0) != 0 {
      interpreter.readLine = { prompt in
        print(prompt, terminator: "")
        fflush(nil)
        return Swift.readLine()
      }
    }
    let runner = ScriptRunner(interpreter: interpreter, useColor: Terminal.useColor(fd: 2), errorOutput: Terminal.writeError)
    let start = Date()
    var outcome = runner.run(source, overrides: overrides)
    let table = ScriptRunner.stageTable(interpreter.stageReports)
    if !table.isEmpty { print("\n" + table.joined(separator: "\n")) }
    let failed = interpreter.checks.filter { !$0.passed }
    if !interpreter.checks.isEmpty {
      print(failed.isEmpty ? "all \(interpreter.checks.count) checks passed" : "\(failed.count) of \(interpreter.checks.count) checks failed: " + failed.map(\.what).joined(separator: "; "))
      if !failed.isEmpty && outcome == .success { outcome = .runtimeError }
    }
    if let report {
      let data = try ScriptRunner.reportJSON(
        script: file, ok: outcome == .success, seconds: Date().timeIntervalSince(start), stages: interpreter.stageReports,
        checks: interpreter.checks, overrides: interpreter.overrides)
      do {
        try writeAtomically(data, to: report)
      } catch {
        Terminal.writeError("llmlab: cannot write the report to \(report): \(error)\n")
        throw ExitCode(1)
      }
    }
    throw ExitCode(outcome.rawValue)
  }
}

struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check", abstract: "Parse and resolve scripts without running them.")

  @ArgumentParser.Argument(help: "The scripts to check.") var files: [String]

  func run() throws {
    var worst: Int32 = 0
    for file in files {
      let source = try readScript(file)
      let runner = ScriptRunner(interpreter: Interpreter(), useColor: Terminal.useColor(fd: 2), errorOutput: Terminal.writeError)
      let outcome = runner.check(source)
      if outcome == .success { print("\(file): ok") }
      worst = max(worst, outcome.rawValue)
    }
    throw ExitCode(worst)
  }
}
