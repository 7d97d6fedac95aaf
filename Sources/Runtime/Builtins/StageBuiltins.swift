import Foundation

/// What the training stages measured, as values a script can read, and checks on them: the
/// main job states its own acceptance criteria in the language (`Scripts/pipeline.llm`).
extension Interpreter {
  func registerStageBuiltins() {
    register(Builtin("stages", [], category: "alignment",
                     doc: "The stages trained so far in this session, each a record {stage, target, seconds, metrics} (what `llmlab run --report` writes).") { _, ctx in
      .list(ctx.interpreter.stageReports.map(Interpreter.value(fromReport:)))
    })
    register(Builtin("last_stage", [.required("name")], category: "alignment",
                     doc: "The most recent stage of that kind (\"pretrain\", \"sft\", \"reward\", \"ppo\", \"dpo\", \"grpo\") as a record {stage, target, seconds, metrics}.") { args, ctx in
      let name = try args.string("name")
      guard let stage = ctx.interpreter.stageReports.last(where: { $0["stage"] as? String == name }) else {
        let seen = ctx.interpreter.stageReports.compactMap { $0["stage"] as? String }
        throw RuntimeError("no \(name) stage has run in this session" + (seen.isEmpty ? "" : " (so far: \(seen.joined(separator: ", ")))"))
      }
      return Interpreter.value(fromReport: stage)
    })
    register(Builtin("check", [.required("condition"), .required("what")], category: "core",
                     doc: "Prints ✓ or ✗ and what is checked; the run goes on, and `llmlab run` fails at the end (exit 1) if any check failed.") { args, ctx in
      guard case .bool(let passed) = args.value("condition") else {
        throw RuntimeError("check: the condition must be true or false, got \(Display.describeType(args.value("condition")))")
      }
      let what = try args.string("what")
      ctx.interpreter.checks.append((what, passed))
      ctx.interpreter.output("\(passed ? "✓" : "✗") \(what)")
      return .none
    })
  }

  /// A report entry ([String: Any] of strings, numbers and nested records) as a value.
  static func value(fromReport object: Any) -> Value {
    switch object {
    case let s as String: return .string(s)
    case let b as Bool: return .bool(b)
    case let d as Double: return .number(d)
    case let i as Int: return .number(Double(i))
    case let f as Float: return .number(Double(f))
    case let dict as [String: Any]:
      let order = ["stage", "target", "seconds", "metrics"]
      let keys = order.filter { dict[$0] != nil } + dict.keys.filter { !order.contains($0) }.sorted()
      return .record(Record(keys.map { ($0, value(fromReport: dict[$0]!)) }))
    case let list as [Any]: return .list(list.map(value(fromReport:)))
    default: return .none
    }
  }
}
