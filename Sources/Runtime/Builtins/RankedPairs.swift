import Foundation
import Models
import Training

/// Preference pairs made the way InstructGPT made its reward model's data: the policy answers
/// each prompt several times, a judge ranks the answers (here a function written in the
/// language, such as the poem rule), and the best answer is paired against the worst. The
/// reward model then learns the differences that occur among the policy's own answers —
/// the ones PPO will push on.
extension Interpreter {
  func registerRankedPairs() {
    register(Builtin("ranked_pairs",
                     [.required("model"), .required("prompts"), .required("judge"), .optional("samples", "4"),
                      .optional("tokens", "40"), .optional("temperature", "1"), .optional("min_gap", "0"), .optional("seed", "0")],
                     category: "alignment",
                     doc: "Preference records from the model's own answers: `samples` answers per prompt, ranked by judge(prompt, answer); the best against the worst, when they differ by more than min_gap (other prompts give no pair).") { a, c in
      let interp = c.interpreter
      let modelObject = try Interpreter.object(a.value("model"), as: ModelObject.self, "a model", function: "ranked_pairs")
      guard let tokenizer = modelObject.tokenizer else { throw RuntimeError("ranked_pairs: the model has no tokenizer; pretrain and fine-tune it first") }
      let prompts = Interpreter.prompts(of: try Interpreter.object(a.value("prompts"), as: RecordsObject.self, "records", function: "ranked_pairs").file)
      let judge = try interp.rewardFunction(a.value("judge"), file: c.file, range: c.range, role: "judge")
      let samples = try a.int("samples", default: 4), tokens = try a.int("tokens", default: 40)
      let temperature = a.has("temperature") ? try a.number("temperature") : 1
      let seed = UInt64(Swift.max(0, try a.int("seed", default: 0)))
      let minGap = a.has("min_gap") ? try a.number("min_gap") : 0
      guard samples >= 2, tokens >= 1, temperature > 0 else { throw RuntimeError("ranked_pairs: samples must be ≥ 2, tokens ≥ 1 and temperature > 0") }
      var records: [DataRecord] = []
      var ties = 0
      let start = Date()
      try interp.modelCall {
        var o = SamplingOptions()
        o.maxTokens = tokens
        o.temperature = Float(temperature)
        for id in [SpecialTokens.endOfTurn, SpecialTokens.endOfText] { if let t = tokenizer.specialTokens[id] { o.stopTokens.insert(t) } }
        // Every prompt's answers decoded together; answer k of prompt i draws from its own seed.
        let texts = prompts.map { ChatTemplate.prompt([ChatMessage(role: .user, content: $0)]) }
        let order = prompts.indices.flatMap { i in (0..<samples).map { (i, $0) } }
        guard
          let results = try Sampler(model: modelObject.model, tokenizer: tokenizer).generate(
            prompts: order.map { texts[$0.0] }, seeds: order.map { seed &* 1_000_003 &+ UInt64($0.0 * samples + $0.1) }, options: o,
            shouldStop: { Interrupt.isRequested })
        else { throw RuntimeError("ranked_pairs: interrupted while sampling \(order.count) answers; no pairs were kept") }
        for (i, prompt) in prompts.enumerated() {
          var answers: [(text: String, score: Float)] = []
          for k in 0..<samples {
            let answer = results[i * samples + k].text
            answers.append((answer, try judge(prompt, answer)))
          }
          guard let best = answers.max(by: { $0.score < $1.score }), let worst = answers.min(by: { $0.score < $1.score }),
                Double(best.score - worst.score) > minGap else { ties += 1; continue }
          records.append(.preference(prompt: prompt, chosen: best.text, rejected: worst.text))
        }
      }
      Interrupt.clear()
      interp.output("ranked \(samples) answers to each of \(prompts.count) prompts: \(records.count) pairs, \(ties) prompts without a pair (\(minGap > 0 ? "best and worst within \(Display.number(minGap))" : "all answers scored the same")); \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
      guard !records.isEmpty else { throw RuntimeError("ranked_pairs: every prompt's answers scored the same; no pairs to learn from") }
      return .object(RecordsObject(try JSONLFile(name: "ranked_pairs", records: records)))
    })
  }
}
