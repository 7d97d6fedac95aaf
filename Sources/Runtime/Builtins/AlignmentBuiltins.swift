import Foundation
import Language
import Models
import TensorEngine
import Training

extension Interpreter {
  func registerAlignmentBuiltins() {
    register(Builtin("poem_tasks", [.required("corpus"), .optional("held_out", "0.15"), .optional("pairs_per_task", "3"), .optional("stride", "4"), .optional("seed", "0")], category: "alignment",
                     doc: "The alignment data made from a corpus's quatrains, split by request so no held-out prompt is trained on: a record {train, heldout} of instruction records (\"写一首五言绝句，以「春」字开头。\" → a real poem; heldout has one per request), {pairs, heldout_pairs} of preference records (the poem against a corrupted copy) and prompts: requests no example answers (chat records with the user's turn only), for RL and ranked pairs. stride 2 also takes a quatrain at every couplet of a longer poem, stride 1 at every clause.") { a, ctx in
      let corpus = try Interpreter.object(a.value("corpus"), as: CorpusObject.self, "a corpus", function: "poem_tasks").corpus
      return try ctx.interpreter.modelCall {
        let seed = UInt64(Swift.max(0, try a.int("seed", default: 0)))
        let split = try PoemTasks.make(from: corpus, heldOut: try a.optionalNumber("held_out") ?? 0.15, stride: try a.int("stride", default: 4), seed: seed)
        func instructions(_ tasks: [PoemTask], _ name: String) throws -> Value {
          .object(RecordsObject(try JSONLFile(name: name, records: tasks.map { .instruction(instruction: $0.prompt, input: "", output: $0.answer) })))
        }
        let perTask = try a.int("pairs_per_task", default: 3)
        func pairs(_ tasks: [PoemTask], _ name: String, _ seed: UInt64) throws -> Value {
          .object(RecordsObject(try JSONLFile(name: name, records: PoemTasks.preferencePairs(tasks, perTask: perTask, seed: seed).map { .preference(prompt: $0.prompt, chosen: $0.chosen, rejected: $0.rejected) })))
        }
        var fields: [(String, Value)] = [
          ("train", try instructions(split.train, "poem_instructions")), ("heldout", try instructions(split.heldOutPrompts, "poem_instructions_heldout")),
          ("pairs", try pairs(split.train, "poem_preferences", seed &+ 1)), ("heldout_pairs", try pairs(split.heldOut, "poem_preferences_heldout", seed &+ 2)),
        ]
        if !split.newRequests.isEmpty {
          let records = split.newRequests.map { DataRecord.chat([ChatMessage(role: .user, content: PoemTasks.prompt($0))]) }
          fields.append(("prompts", .object(RecordsObject(try JSONLFile(name: "poem_prompts", records: records)))))
        }
        return .record(Record(fields))
      }
    })
    register(Builtin("rule", [.required("answer"), .required("prompt")], category: "alignment",
                     doc: "Whether an answer passes the poem rule for its prompt: four clauses of the asked length (5 or 7), starting with the asked character, no clause one repeated character.") { a, _ in
      guard let request = PoemRule.request(in: try a.string("prompt")) else {
        throw RuntimeError("rule: the prompt does not ask for a 五言 or 七言 quatrain starting with 「X」")
      }
      return .bool(PoemRule.passes(try a.string("answer"), request))
    })
    register(Builtin("rule_score", [.required("answer"), .required("prompt")], category: "alignment",
                     doc: "The poem rule graded from 0 to 1 (clause lengths, four clauses, the first character): a verifiable reward.") { a, _ in
      guard let request = PoemRule.request(in: try a.string("prompt")) else {
        throw RuntimeError("rule_score: the prompt does not ask for a 五言 or 七言 quatrain starting with 「X」")
      }
      return .number(PoemRule.score(try a.string("answer"), request))
    })
    registerSFTCommand()
    registerPreferenceCommands()
    registerCompareCommand()
    registerRLCommands()
    registerStageBuiltins()
    registerRankedPairs()
  }

  /// Prompts from instruction or chat records (the user's turn), for evaluations.
  static func prompts(of records: JSONLFile) -> [String] {
    records.records.compactMap { r in
      switch r {
      case .instruction(let i, let input, _): return input.isEmpty ? i : i + "\n" + input
      case .chat(let messages): return messages.first { $0.role == .user }?.content
      case .preference(let p, _, _): return p
      case .text: return nil
      }
    }
  }
}
