import Foundation
import Language
import Runtime
import Testing

extension LanguageTests {
  /// Thousands of broken and random programs through the parser and the interpreter: none
  /// may crash or hang, and every failure must be a located diagnostic. Seeded: a failure
  /// names its seed and program, and the same seed makes the same programs.
  @Suite struct Fuzz {
    /// `LLMLAB_FUZZ_SEED` and `LLMLAB_FUZZ_SECONDS` run other programs, or more of them.
    static let seed = UInt64(ProcessInfo.processInfo.environment["LLMLAB_FUZZ_SEED"] ?? "") ?? 0x11_4D_1A_B5
    /// Wall-clock budget for the whole run (debug builds on two shared cores).
    static let budget = TimeInterval(ProcessInfo.processInfo.environment["LLMLAB_FUZZ_SECONDS"] ?? "") ?? 15
    /// A program still running after this long is interrupted (Ctrl-C, as in the REPL).
    static let deadline = 0.15

    @Test("mutated fixtures and generated programs never crash, hang or fail without a diagnostic")
    func fuzz() throws {
      var rng = SeededGenerator(seed: Self.seed)
      let corpus = try FuzzCorpus.load()
      let watchdog = Watchdog()
      let start = Date()
      var counts = (mutated: 0, generated: 0, interrupted: 0, clean: 0)
      var failures: [String] = []
      var index = 0
      // A crash ends the test process before any report: the program being run is always on disk.
      let lastProgram = FileManager.default.temporaryDirectory.appendingPathComponent("llmlab-fuzz-last.llm")
      print("fuzz: seed \(Self.seed); the program running is kept in \(lastProgram.path)")
      let maximumPrograms = Self.budget > 15 ? Int.max : 6000
      while Date().timeIntervalSince(start) < Self.budget && failures.count < 5 && index < maximumPrograms {
        let generated = index % 3 == 2
        let program = generated ? ProgramGenerator.program(using: &rng) : Mutator.mutate(corpus.randomElement(using: &rng)!, using: &rng)
        try? "# fuzz seed \(Self.seed), program #\(index)\n\(program)".write(to: lastProgram, atomically: false, encoding: .utf8)
        let began = Date()
        let outcome = run(program, watchdog: watchdog)
        let seconds = Date().timeIntervalSince(began)
        switch outcome {
        case .clean: counts.clean += 1
        case .diagnosed(let interrupted): if interrupted { counts.interrupted += 1 }
        case .bad(let why): failures.append("program #\(index) (seed \(Self.seed)): \(why)\n--- program ---\n\(program)\n---")
        }
        if seconds > 5 { failures.append("program #\(index) (seed \(Self.seed)) took \(Int(seconds)) s after its interrupt\n\(program)") }
        if generated { counts.generated += 1 } else { counts.mutated += 1 }
        index += 1
      }
      let elapsed = Date().timeIntervalSince(start)
      print("fuzz: \(index) programs (\(counts.mutated) mutated fixtures, \(counts.generated) generated) in \(String(format: "%.1f", elapsed)) s;"
        + " \(counts.clean) ran cleanly, \(counts.interrupted) interrupted at the deadline, the rest ended in diagnostics")
      for f in failures { Issue.record("\(f)") }
      #expect(index >= 500, "only \(index) programs ran within \(Self.budget) s")
    }

    enum Outcome {
      case clean
      case diagnosed(interrupted: Bool)
      case bad(String)
    }

    /// Parses (as the REPL does, asking `isIncomplete`), then runs with a deadline. Every
    /// diagnostic must lie inside the source and render.
    func run(_ text: String, watchdog: Watchdog) -> Outcome {
      let source = SourceFile(name: "fuzz.llm", text: text)
      var parser = Parser(file: source, commandWords: ["show", "inspect"])
      _ = parser.parseProgram()
      _ = parser.isIncomplete
      if let bad = parser.diagnostics.lazy.compactMap({ Self.check($0, in: source) }).first { return .bad(bad) }

      let interpreter = Interpreter(output: { _ in })
      interpreter.baseDirectory = Fixtures.directory.path
      watchdog.arm(after: Self.deadline, hungAfter: 30, describe: "a fuzz program (seed \(Self.seed)) ignored its interrupt for 30 s")
      defer { watchdog.disarm() }
      do {
        try interpreter.run(source: source)
        return .clean
      } catch let list as DiagnosticList {
        if list.diagnostics.isEmpty { return .bad("an empty DiagnosticList") }
        if let bad = list.diagnostics.lazy.compactMap({ Self.check($0, in: nil) }).first { return .bad(bad) }
        return .diagnosed(interrupted: false)
      } catch let error as RuntimeError {
        let d = error.diagnostic(fallback: source)
        if error.location == nil { return .bad("a runtime error without a location: \(error.message)") }
        if let bad = Self.check(d, in: nil) { return .bad(bad) }
        return .diagnosed(interrupted: error.message == "interrupted")
      } catch {
        return .bad("\(type(of: error)) escaped the interpreter: \(error)")
      }
    }

    /// nil when the diagnostic points inside its file (a range may end one past the last
    /// character of a line) and renders; otherwise what is wrong.
    static func check(_ d: Diagnostic, in expectedFile: SourceFile?) -> String? {
      if let expectedFile, d.file !== expectedFile { return "a diagnostic for another file: \(d)" }
      let r = d.range
      guard r.start.line >= 1, r.start.column >= 1, r.end.line >= r.start.line,
        r.start.line <= d.file.lines.count, r.end.line <= d.file.lines.count + 1, r.start.offset <= r.end.offset
      else { return "a diagnostic outside its file: \(d) \(span(r))" }
      let lineLength = d.file.line(r.start.line)!.count
      guard r.start.column <= lineLength + 1 else { return "a column past the end of the line: \(d) \(span(r))" }
      guard !d.message.isEmpty, !DiagnosticRenderer(useColor: false).render(d).isEmpty else { return "an empty diagnostic: \(d)" }
      return nil
    }
  }
}

/// Raises `Interrupt` when a program runs past its deadline, and never after it finished:
/// arming and disarming bump a generation under a lock, and a late timer finds it changed.
/// A program that ignores the interrupt for `hungAfter` seconds is a hang: the process stops
/// with a message (the program is on disk), rather than the test never ending.
final class Watchdog: @unchecked Sendable {
  private let lock = NSLock()
  private var generation = 0

  func arm(after seconds: Double, hungAfter: Double, describe: String) {
    let armed: Int = lock.withLock {
      generation += 1
      return generation
    }
    DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
      lock.withLock { if generation == armed { Interrupt.request() } }
    }
    DispatchQueue.global().asyncAfter(deadline: .now() + hungAfter) { [self] in
      if lock.withLock({ generation == armed }) { fatalError("hang: \(describe)") }
    }
  }

  func disarm() {
    lock.withLock {
      generation += 1
      Interrupt.clear()
    }
  }
}
