import Foundation
import Language
import Models
import TensorEngine
import Training

extension Interpreter {
  /// Held-out prompts that a stage answers before and after training to measure its
  /// effect: the first `evaluationPromptCount` of the records' prompts.
  static let evaluationPromptCount = 64

  static func evaluationPrompts(_ value: Value, function: String) throws -> [String] {
    Array(prompts(of: try object(value, as: RecordsObject.self, "records", function: function).file).prefix(evaluationPromptCount))
  }

  /// What an RL stage is measured by: the mean reward of held-out answers before and after
  /// training, and the standard error of the change. The two evaluations answer the same
  /// prompts with the same seeds, so answers pair up; the error of the mean paired
  /// difference says whether a gain is more than the luck of the draw.
  static func rewardChange(before: ChatEvaluation, after: ChatEvaluation, _ reward: RewardFunction) throws -> PairedChange {
    PairedChange(
      before: try zip(before.prompts, before.answers).map { Double(try reward($0, $1)) },
      after: try zip(after.prompts, after.answers).map { Double(try reward($0, $1)) })
  }

  /// The held-out measurements every alignment stage reports: the rule pass rate before and
  /// after, with the standard error of the change (paired answers).
  static func ruleMetrics(before: ChatEvaluation, after: ChatEvaluation, into metrics: inout [String: Any]) {
    let change = ChatEvaluation.ruleChange(before: before, after: after)
    metrics["rule_rate_before"] = change.before
    metrics["rule_rate_after"] = change.after
    metrics["rule_rate_change_se"] = change.standardError
  }

  /// A reward for RL: a reward model's score, or a function written in the language of
  /// (prompt, answer) returning a number.
  func rewardFunction(_ value: Value, file: SourceFile, range: SourceRange, role: String = "reward") throws -> RewardFunction {
    if case .object(let o as RewardModelObject) = value { return RewardFunctions.model(o.model, tokenizer: o.tokenizer) }
    guard case .function = value else {
      throw RuntimeError("the \(role) must be a reward model or a function fn(prompt, answer) returning a number, got \(Display.describeType(value))",
                         at: (file, range))
    }
    let context = CallContext(interpreter: self, file: file, range: range)
    return { [unowned self] prompt, answer in
      let result = try self.callValue(value, [.string(prompt), .string(answer)], [], context, name: role)
      guard case .number(let x) = result else {
        throw RuntimeError("the \(role) function returned \(Display.describeType(result)), not a number")
      }
      return Float(x)
    }
  }

  func registerRLCommands() {
    register(CommandSpec(
      name: "ppo",
      doc: "ppo MODEL with RM on PROMPTS { steps, batch, lr, kl, kl_cap, adaptive, epochs, tokens, temperature, gamma, lambda, eval, seed, watch, step_by_step, lora, merge } — RLHF: sample answers, score them with the reward model, a per-token KL penalty to a frozen copy, GAE, clipped updates",
      options: ["steps", "batch", "lr", "kl", "kl_cap", "adaptive", "epochs", "minibatch", "tokens", "temperature", "gamma", "lambda", "eval", "seed", "watch", "step_by_step", "lora", "merge"]
    ) { command, env, interp, file in
      let (modelObject, name) = try interp.commandModel(command, env, file, verb: "ppo")
      guard let tokenizer = modelObject.tokenizer else { throw RuntimeError("\(name) has no tokenizer; pretrain and fine-tune it first") }
      guard let rmExpression = interp.clause(command, "with"), let promptsExpression = interp.clause(command, "on") else {
        throw RuntimeError("`ppo` needs a reward and prompts: `ppo \(name) with rm on tasks.train`", at: (file, command.verb.range))
      }
      let reward = try interp.rewardFunction(try interp.evaluate(rmExpression, in: env, file: file), file: file, range: rmExpression.range)
      let prompts = Interpreter.prompts(of: try Interpreter.object(try interp.evaluate(promptsExpression, in: env, file: file), as: RecordsObject.self, "records", function: "ppo").file)
      let r = try command.options.map { try interp.evaluateRecord($0, in: env, file: file) } ?? Record()
      var o = PPOOptions()
      if case .number(let x)? = r["steps"] { o.steps = Int(x) }
      if case .number(let x)? = r["batch"] { o.batch = Int(x) }
      if case .number(let x)? = r["minibatch"] { o.minibatch = Int(x) }
      if case .number(let x)? = r["epochs"] { o.epochs = Int(x) }
      if case .number(let x)? = r["lr"] { o.learningRate = Float(x) }
      if case .number(let x)? = r["kl"] { o.beta = Float(x) }
      if case .number(let x)? = r["kl_cap"] { o.klCap = Float(x) }
      if case .bool(let b)? = r["adaptive"] { o.adaptiveKL = b }
      if case .number(let x)? = r["gamma"] { o.gamma = Float(x) }
      if case .number(let x)? = r["lambda"] { o.lambda = Float(x) }
      if case .number(let x)? = r["tokens"] { o.maxTokens = Int(x) }
      if case .number(let x)? = r["temperature"] { o.temperature = Float(x) }
      if case .number(let x)? = r["seed"] { o.seed = UInt64(Swift.max(0, x)) }
      var watch = false
      if case .bool(let b)? = r["watch"] { watch = b }
      var stepByStep = false
      if case .bool(let b)? = r["step_by_step"] { stepByStep = b }
      if stepByStep && interp.readLine == nil {
        interp.output("step_by_step: showing every rollout batch without waiting (no terminal to read a key from)")
      }
      if let v = r["lora"] { try interp.attachLoRA(v, to: modelObject, op: "ppo") }
      var evalPrompts: [String] = []
      if let e = r["eval"] { evalPrompts = try Interpreter.evaluationPrompts(e, function: "ppo") }
      let before = evalPrompts.isEmpty ? nil : try interp.heldOutEvaluation(model: modelObject.model, tokenizer: tokenizer, prompts: evalPrompts, seed: o.seed)
      interp.output("PPO on \(prompts.count) prompts: \(o.steps) steps × \(o.batch) rollouts, \(o.epochs) epochs, lr \(o.learningRate), KL coefficient \(o.beta) (cap \(o.klCap) per token)")
      interp.output(" step   reward      KL  entropy  clip  value loss  length")
      Interrupt.clear()
      var pausing = stepByStep && interp.readLine != nil
      var stopHere = false
      let (report, _) = try interp.modelCall {
        try PPOTrainer(policy: modelObject.model, tokenizer: tokenizer, prompts: prompts, options: o, reward: reward).run(
          onStep: { m in
            if stepByStep { PPOStepView.lines(m, totalSteps: o.steps, tokenizer: tokenizer).forEach(interp.output) }
            interp.output(String(format: "%5d  %+7.3f  %6.3f  %7.3f  %4.2f  %10.4f  %6.1f", m.step, m.score, m.kl, m.entropy, m.clipFraction, m.valueLoss, m.responseLength))
            if watch, !stepByStep, let s = m.samples.first { interp.output("       e.g. \(s.prompt) → \(s.answer.replacingOccurrences(of: "\n", with: " / ")) (reward \(String(format: "%+.2f", s.score)))") }
            if let w = m.warning { interp.output("warning: \(w)") }
            // Waits after the update, so the next batch shows what this one's update did.
            if pausing && m.step < o.steps, let read = interp.readLine {
              switch read("Enter: next step · c: run to the end · q: stop here > ")?.trimmingCharacters(in: .whitespaces).lowercased() {
              case "q"?: stopHere = true
              case "c"?, nil: pausing = false
              default: break
              }
            }
          },
          shouldStop: { Interrupt.isRequested || stopHere })
      }
      Interrupt.clear()
      try interp.mergeLoRAIfAsked(r, modelObject)
      modelObject.optimizer = nil
      interp.output(LossCurve.terminal(report.scoreCurve, label: "mean reward per step"))
      interp.output(String(format: "training batches: reward %.3f → %.3f (first and last 5 steps), KL per token %.4f (cap %.3f), %.1f s", report.initialScore, report.finalScore, report.finalKL, o.klCap, report.seconds))
      var metrics: [String: Any] = ["train_reward_first": Double(report.initialScore), "train_reward_last": Double(report.finalScore), "kl": Double(report.finalKL), "kl_cap": Double(o.klCap), "steps": Double(report.steps)]
      if let before {
        let after = try interp.heldOutEvaluation(model: modelObject.model, tokenizer: tokenizer, prompts: evalPrompts, seed: o.seed)
        let change = try interp.modelCall { try Interpreter.rewardChange(before: before, after: after, reward) }
        let rule = ChatEvaluation.ruleChange(before: before, after: after)
        interp.output(String(format: "on %d held-out prompts × %d answers: reward %.3f → %.3f (± %.3f), rule pass rate %.3f → %.3f (± %.3f), distinct bigrams %.2f", evalPrompts.count, ChatEvaluation.samplesPerPrompt, change.before, change.after, change.standardError, rule.before, rule.after, rule.standardError, after.distinct2))
        metrics["reward_before"] = change.before
        metrics["reward_after"] = change.after
        metrics["reward_change_se"] = change.standardError
        Interpreter.ruleMetrics(before: before, after: after, into: &metrics)
        metrics["distinct_2"] = after.distinct2
      }
      interp.stageReports.append(["stage": "ppo", "target": name, "seconds": (report.seconds * 1000).rounded() / 1000, "metrics": metrics])
    })

    register(CommandSpec(
      name: "grpo",
      doc: "grpo MODEL on PROMPTS { reward: fn(prompt, answer) or a reward model, group, steps, batch, lr, kl, kl_cap, tokens, temperature, eval, seed, iterations } — group-relative policy optimization with a verifiable reward written in the language",
      options: ["reward", "group", "steps", "batch", "lr", "kl", "kl_cap", "tokens", "temperature", "eval", "seed", "iterations"]
    ) { command, env, interp, file in
      let (modelObject, name) = try interp.commandModel(command, env, file, verb: "grpo")
      guard let tokenizer = modelObject.tokenizer else { throw RuntimeError("\(name) has no tokenizer; pretrain and fine-tune it first") }
      guard let promptsExpression = interp.clause(command, "on") else {
        throw RuntimeError("`grpo` needs prompts: `grpo \(name) on tasks.train { reward: my_reward }`", at: (file, command.verb.range))
      }
      let prompts = Interpreter.prompts(of: try Interpreter.object(try interp.evaluate(promptsExpression, in: env, file: file), as: RecordsObject.self, "records", function: "grpo").file)
      let r = try command.options.map { try interp.evaluateRecord($0, in: env, file: file) } ?? Record()
      guard let rewardValue = r["reward"], let rewardField = command.options?.fields.first(where: { $0.key.name == "reward" }) else {
        throw RuntimeError("`grpo` needs a reward function: `{ reward: fn_name }` with fn fn_name(prompt, answer) { return rule_score(answer, prompt) }", at: (file, command.verb.range))
      }
      let reward = try interp.rewardFunction(rewardValue, file: file, range: rewardField.value.range)
      var o = GRPOOptions()
      if case .number(let x)? = r["steps"] { o.steps = Int(x) }
      if case .number(let x)? = r["batch"] { o.batch = Int(x) }
      if case .number(let x)? = r["group"] { o.groupSize = Int(x) }
      if case .number(let x)? = r["iterations"] { o.iterations = Int(x) }
      if case .number(let x)? = r["lr"] { o.learningRate = Float(x) }
      if case .number(let x)? = r["kl"] { o.beta = Float(x) }
      if case .number(let x)? = r["kl_cap"] { o.klCap = Float(x) }
      if case .number(let x)? = r["tokens"] { o.maxTokens = Int(x) }
      if case .number(let x)? = r["temperature"] { o.temperature = Float(x) }
      if case .number(let x)? = r["seed"] { o.seed = UInt64(Swift.max(0, x)) }
      var evalPrompts: [String] = []
      if let e = r["eval"] { evalPrompts = try Interpreter.evaluationPrompts(e, function: "grpo") }
      let before = evalPrompts.isEmpty ? nil : try interp.heldOutEvaluation(model: modelObject.model, tokenizer: tokenizer, prompts: evalPrompts, seed: o.seed)
      interp.output("GRPO on \(prompts.count) prompts: \(o.steps) steps × \(o.batch) prompts × \(o.groupSize) samples, lr \(o.learningRate), KL coefficient \(o.beta)")
      interp.output(" step   reward  in-group std  flat groups      KL")
      Interrupt.clear()
      let (report, _) = try interp.modelCall {
        try GRPOTrainer(policy: modelObject.model, tokenizer: tokenizer, prompts: prompts, options: o, reward: reward).run(
          onStep: { m in
            interp.output(String(format: "%5d  %+7.3f  %12.3f  %11.2f  %6.3f", m.step, m.reward, m.rewardStd, m.flatGroups, m.kl))
            if let w = m.warning { interp.output("warning: \(w)") }
          },
          shouldStop: { Interrupt.isRequested })
      }
      Interrupt.clear()
      modelObject.optimizer = nil
      interp.output(String(format: "training batches: reward %.3f → %.3f (first and last 5 steps), KL per token %.4f (cap %.3f), %.1f s", report.initialReward, report.finalReward, report.finalKL, o.klCap, report.seconds))
      var metrics: [String: Any] = ["train_reward_first": Double(report.initialReward), "train_reward_last": Double(report.finalReward), "kl": Double(report.finalKL), "kl_cap": Double(o.klCap), "steps": Double(report.steps)]
      if let before {
        let after = try interp.heldOutEvaluation(model: modelObject.model, tokenizer: tokenizer, prompts: evalPrompts, seed: o.seed)
        let change = try interp.modelCall { try Interpreter.rewardChange(before: before, after: after, reward) }
        let rule = ChatEvaluation.ruleChange(before: before, after: after)
        interp.output(String(format: "on %d held-out prompts × %d answers: reward %.3f → %.3f (± %.3f), rule pass rate %.3f → %.3f (± %.3f), distinct bigrams %.2f", evalPrompts.count, ChatEvaluation.samplesPerPrompt, change.before, change.after, change.standardError, rule.before, rule.after, rule.standardError, after.distinct2))
        metrics["reward_before"] = change.before
        metrics["reward_after"] = change.after
        metrics["reward_change_se"] = change.standardError
        Interpreter.ruleMetrics(before: before, after: after, into: &metrics)
        metrics["distinct_2"] = after.distinct2
      }
      interp.stageReports.append(["stage": "grpo", "target": name, "seconds": (report.seconds * 1000).rounded() / 1000, "metrics": metrics])
    })
  }
}
