import Foundation
import Language
import Models
import TensorEngine
import Training

extension Interpreter {
  /// `compare [base, tuned] on prompts { reward: rm }`: the same prompts through several
  /// models with the same seeds, side by side, with each answer's rule score and reward.
  func registerCompareCommand() {
    register(CommandSpec(
      name: "compare",
      doc: "compare [M1, M2, ...] on RECORDS { reward: RM, prompts, tokens, seed } — the same held-out prompts through each model with the same seeds, answers side by side with rule score and reward, and win rates",
      options: ["reward", "prompts", "tokens", "seed", "show"]
    ) { command, env, interp, file in
      guard let subject = command.operands.first?.value else {
        throw RuntimeError("`compare` needs a list of models: `compare [base, tuned] on tasks.heldout`", at: (file, command.verb.range))
      }
      var names: [String] = []
      var models: [ModelObject] = []
      if case .list(let items) = subject.kind {
        for item in items {
          models.append(try Interpreter.object(try interp.evaluate(item, in: env, file: file), as: ModelObject.self, "a model", function: "compare"))
          if case .name(let n) = item.kind { names.append(n) } else { names.append("model \(names.count + 1)") }
        }
      } else {
        throw RuntimeError("`compare` takes a list of models in brackets: `compare [base, tuned] on ...`", at: (file, subject.range))
      }
      guard models.count >= 1, let tokenizer = models[0].tokenizer else { throw RuntimeError("compare: the models need a tokenizer (pretrain them first)") }
      guard let recordsExpression = interp.clause(command, "on") else {
        throw RuntimeError("`compare` needs prompts: `compare [a, b] on tasks.heldout`", at: (file, command.verb.range))
      }
      let records = try Interpreter.object(try interp.evaluate(recordsExpression, in: env, file: file), as: RecordsObject.self, "records", function: "compare").file
      let r = try command.options.map { try interp.evaluateRecord($0, in: env, file: file) } ?? Record()
      var count = 12, tokens = 48, shown = 3
      var seed: UInt64 = 1234
      if case .number(let x)? = r["prompts"] { count = Swift.max(1, Int(x)) }
      if case .number(let x)? = r["tokens"] { tokens = Swift.max(1, Int(x)) }
      if case .number(let x)? = r["show"] { shown = Swift.max(0, Int(x)) }
      if case .number(let x)? = r["seed"] { seed = UInt64(Swift.max(0, x)) }
      var rewardModel: RewardModelObject? = nil
      if let v = r["reward"] { rewardModel = try Interpreter.object(v, as: RewardModelObject.self, "a reward model", function: "compare") }
      let prompts = Array(Interpreter.prompts(of: records).prefix(count))
      var evaluations: [ChatEvaluation] = []
      for m in models {
        evaluations.append(try interp.modelCall {
          try ChatEvaluation.run(model: m.model, tokenizer: m.tokenizer ?? tokenizer, prompts: prompts, samplesPerPrompt: 1, maxTokens: tokens, seed: seed, shouldStop: { Interrupt.isRequested })
        })
      }
      // Per answer: the rule's graded score and the reward model's score.
      var rewards: [[Float]] = []
      for e in evaluations {
        rewards.append(try zip(e.prompts, e.answers).map { p, a -> Float in
          guard let rm = rewardModel else { return .nan }
          return try interp.modelCall { try rm.score(prompt: p, answer: a) }
        })
      }
      for (i, prompt) in prompts.prefix(shown).enumerated() {
        interp.output("\(prompt)")
        for (k, name) in names.enumerated() {
          let answer = evaluations[k].answers[i].replacingOccurrences(of: "\n", with: " / ")
          let rule = PoemRule.request(in: prompt).map { PoemRule.score(evaluations[k].answers[i], $0) } ?? .nan
          var line = "  \(name.padding(toLength: 10, withPad: " ", startingAt: 0)) rule \(String(format: "%.2f", rule))"
          if rewardModel != nil { line += String(format: "  reward %+.2f", rewards[k][i]) }
          interp.output(line + "  " + answer)
        }
      }
      interp.output("")
      interp.output("model       format  rule pass  rule score  distinct-2" + (rewardModel != nil ? "  reward" : ""))
      for (k, name) in names.enumerated() {
        let e = evaluations[k]
        var line = "\(name.padding(toLength: 11, withPad: " ", startingAt: 0)) " + String(format: "%6.2f  %9.2f  %10.2f  %10.2f", e.formatRate, e.ruleRate, e.meanRuleScore, e.distinct2)
        if rewardModel != nil { line += String(format: "  %+6.2f", rewards[k].reduce(0, +) / Float(Swift.max(rewards[k].count, 1))) }
        interp.output(line)
      }
      // Win rate of each later model against the first, by rule score (reward breaks ties).
      for k in names.indices.dropFirst() {
        var wins = 0.0
        for i in prompts.indices {
          guard let request = PoemRule.request(in: prompts[i]) else { continue }
          let a = PoemRule.score(evaluations[k].answers[i], request), b = PoemRule.score(evaluations[0].answers[i], request)
          if a > b || (a == b && rewardModel != nil && rewards[k][i] > rewards[0][i]) { wins += 1 } else if a == b && rewardModel == nil { wins += 0.5 }
        }
        interp.output(String(format: "win rate of %@ against %@: %.2f", names[k], names[0], wins / Double(Swift.max(prompts.count, 1))))
      }
    })
  }
}
