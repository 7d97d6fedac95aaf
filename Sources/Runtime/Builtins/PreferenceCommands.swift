import Foundation
import Language
import Models
import TensorEngine
import Training

/// A reward model as a value: `let rm = reward_model(m)`, `train rm on pairs { ... }`,
/// `rm.score("prompt", "answer")`.
final class RewardModelObject: RuntimeObject {
  let model: RewardModel
  let tokenizer: Tokenizer
  var trainedSteps = 0
  init(_ model: RewardModel, tokenizer: Tokenizer) {
    self.model = model
    self.tokenizer = tokenizer
  }

  var typeName: String { "reward model" }
  var members: [MemberSpec] {
    [.property("params", "number of parameters (the policy's copy plus the scalar head)"),
     .method("score", [.required("prompt"), .required("answer")], "the scalar reward of an answer to a prompt")]
  }
  var summary: String { "reward model: a copy of a \(Display.plural(model.body.config.layers, "layer")) GPT with a scalar head at the last token" + (trainedSteps > 0 ? ", trained \(trainedSteps) steps" : "") }
  func property(_ name: String) throws -> Value {
    guard name == "params" else { throw RuntimeError("reward model has no property `\(name)`") }
    return .number(Double(model.parameters.reduce(0) { $0 + $1.count }))
  }
  func callMethod(_ name: String, _ a: BoundArguments, _ c: CallContext) throws -> Value {
    guard name == "score" else { throw RuntimeError("reward model has no method `\(name)`") }
    return .number(Double(try c.interpreter.modelCall { try score(prompt: try a.string("prompt"), answer: try a.string("answer")) }))
  }

  /// The reward of one answer, read from the conversation in the chat template.
  func score(prompt: String, answer: String) throws -> Float {
    let p = try PreferenceTokens(prompt: prompt, chosen: answer, rejected: answer, tokenizer: tokenizer)
    return try GradMode.withoutGradients { try model.scores([p.prompt + p.chosen]) }[0]
  }
}

extension Interpreter {
  static func preferencePairs(_ v: Value, tokenizer: Tokenizer, function: String) throws -> [PreferenceTokens] {
    // Several sets of pairs train together: `train rm on [tasks.pairs, ranked]`.
    if case .list(let items) = v { return try items.flatMap { try preferencePairs($0, tokenizer: tokenizer, function: function) } }
    let file = try Interpreter.object(v, as: RecordsObject.self, "preference records", function: function).file
    return try file.records.map { r in
      guard case .preference(let p, let c, let rj) = r else {
        throw RuntimeError("\(function): \(file.name) holds \(file.shape.rawValue) records; it needs preference pairs {prompt, chosen, rejected}")
      }
      return try PreferenceTokens(prompt: p, chosen: c, rejected: rj, tokenizer: tokenizer)
    }
  }

  func registerPreferenceCommands() {
    register(Builtin("reward_model", [.required("model")], category: "alignment",
                     doc: "A reward model started from a policy: a copy of its weights with a scalar head read at the last token.") { a, ctx in
      let policy = try Interpreter.object(a.value("model"), as: ModelObject.self, "a model", function: "reward_model")
      guard let tokenizer = policy.tokenizer else { throw RuntimeError("reward_model: the model has no tokenizer; pretrain it first") }
      let rm = try ctx.interpreter.modelCall { try RewardModel(policy: policy.model) }
      return .object(RewardModelObject(rm, tokenizer: tokenizer))
    })

    register(CommandSpec(
      name: "train",
      doc: "train RM on PAIRS { steps, batch, lr, eval: HELD_OUT_PAIRS, seed } — the pairwise Bradley–Terry loss: the chosen answer should score above the rejected",
      options: ["steps", "batch", "lr", "eval", "seed", "weight_decay"]
    ) { command, env, interp, file in
      guard let subject = command.operands.first?.value else { throw RuntimeError("`train` needs a reward model: `train rm on pairs`", at: (file, command.verb.range)) }
      let rm = try Interpreter.object(try interp.evaluate(subject, in: env, file: file), as: RewardModelObject.self, "a reward model", function: "train")
      guard let pairsExpression = interp.clause(command, "on") else { throw RuntimeError("`train` needs pairs: `train rm on tasks.pairs`", at: (file, command.verb.range)) }
      let train = try Interpreter.preferencePairs(try interp.evaluate(pairsExpression, in: env, file: file), tokenizer: rm.tokenizer, function: "train")
      let r = try command.options.map { try interp.evaluateRecord($0, in: env, file: file) } ?? Record()
      let heldOut = try r["eval"].map { try Interpreter.preferencePairs($0, tokenizer: rm.tokenizer, function: "train") } ?? []
      var o = RewardOptions()
      if case .number(let x)? = r["steps"] { o.steps = Int(x) }
      if case .number(let x)? = r["batch"] { o.batch = Int(x) }
      if case .number(let x)? = r["lr"] { o.learningRate = Float(x) }
      if case .number(let x)? = r["weight_decay"] { o.weightDecay = Float(x) }
      if case .number(let x)? = r["seed"] { o.seed = UInt64(Swift.max(0, x)) }
      interp.output("training the reward model on \(train.count) pairs (\(heldOut.count) held out): \(o.steps) steps × \(o.batch) pairs, lr \(o.learningRate)")
      Interrupt.clear()
      let progress = ProgressLine(total: o.steps, live: isatty(1) != 0)
      let (report, _) = try interp.modelCall {
        try RewardTrainer(model: rm.model, train: train, heldOut: heldOut, options: o).run(
          onStep: { m in progress.update(StepMetrics(step: m.step, loss: m.loss, learningRate: o.learningRate, gradientNorm: m.gradientNorm, tokensPerSecond: 0, validationLoss: m.heldOutAccuracy.map { 1 - $0 }, elapsed: m.elapsed)) },
          shouldStop: { Interrupt.isRequested })
      }
      Interrupt.clear()
      progress.finish()
      rm.trainedSteps += report.steps
      interp.output(LossCurve.terminal(report.trainCurve, label: "Bradley–Terry loss (ln 2 = 0.693 is chance)"))
      interp.output(String(format: "held-out pairs: accuracy %.3f, mean margin %.3f, loss %.4f; %.1f s", report.heldOutAccuracy, report.heldOutMargin, report.heldOutLoss, report.seconds))
      interp.stageReports.append(["stage": "reward", "target": { if case .name(let n) = subject.kind { return n }; return "reward model" }(), "seconds": (report.seconds * 1000).rounded() / 1000,
                                  "metrics": ["heldout_accuracy": Double(report.heldOutAccuracy), "margin": Double(report.heldOutMargin), "steps": Double(report.steps)]])
    })

    register(CommandSpec(
      name: "dpo",
      doc: "dpo MODEL on PAIRS { steps, batch, lr, beta, sft_weight, eval: HELD_OUT_PAIRS, eval_prompts: RECORDS, lora: { rank, alpha, dropout, targets }, merge, seed } — direct preference optimization against a frozen copy of the model",
      options: ["steps", "batch", "lr", "beta", "sft_weight", "eval", "eval_prompts", "seed", "lora", "merge"]
    ) { command, env, interp, file in
      let (modelObject, name) = try interp.commandModel(command, env, file, verb: "dpo")
      guard let tokenizer = modelObject.tokenizer else { throw RuntimeError("\(name) has no tokenizer; pretrain and fine-tune it first") }
      guard let pairsExpression = interp.clause(command, "on") else { throw RuntimeError("`dpo` needs pairs: `dpo \(name) on tasks.pairs`", at: (file, command.verb.range)) }
      let train = try Interpreter.preferencePairs(try interp.evaluate(pairsExpression, in: env, file: file), tokenizer: tokenizer, function: "dpo")
      let r = try command.options.map { try interp.evaluateRecord($0, in: env, file: file) } ?? Record()
      let heldOut = try r["eval"].map { try Interpreter.preferencePairs($0, tokenizer: tokenizer, function: "dpo") } ?? []
      var o = DPOOptions()
      if case .number(let x)? = r["steps"] { o.steps = Int(x) }
      if case .number(let x)? = r["batch"] { o.batch = Int(x) }
      if case .number(let x)? = r["lr"] { o.learningRate = Float(x) }
      if case .number(let x)? = r["beta"] { o.beta = Float(x) }
      if case .number(let x)? = r["sft_weight"] { o.sftWeight = Float(x) }
      if case .number(let x)? = r["seed"] { o.seed = UInt64(Swift.max(0, x)) }
      var prompts: [String] = []
      if let e = r["eval_prompts"] { prompts = try Interpreter.evaluationPrompts(e, function: "dpo") }
      let before = prompts.isEmpty ? nil : try interp.heldOutEvaluation(model: modelObject.model, tokenizer: tokenizer, prompts: prompts, seed: o.seed)
      // The frozen reference, kept here too: after training the policy's KL to it is measured.
      try PolicyWeights.requireCopyable(modelObject.model, op: "dpo")
      let reference = try modelObject.model.copy(frozen: true)
      if let v = r["lora"] { try interp.attachLoRA(v, to: modelObject, op: "dpo") }
      interp.output("DPO on \(train.count) pairs (\(heldOut.count) held out): \(o.steps) steps × \(o.batch) pairs, lr \(o.learningRate), beta \(o.beta)")
      Interrupt.clear()
      let progress = ProgressLine(total: o.steps, live: isatty(1) != 0)
      var warned = Set<String>()
      let (report, _) = try interp.modelCall {
        try DPOTrainer(policy: modelObject.model, reference: reference, train: train, heldOut: heldOut, options: o).run(
          onStep: { m in
            progress.update(StepMetrics(step: m.step, loss: m.loss, learningRate: o.learningRate, gradientNorm: m.gradientNorm, tokensPerSecond: 0, validationLoss: nil, elapsed: m.elapsed))
            if let w = m.warning, warned.insert(w).inserted { interp.output("\nwarning: \(w)") }
          },
          shouldStop: { Interrupt.isRequested })
      }
      Interrupt.clear()
      progress.finish()
      try interp.mergeLoRAIfAsked(r, modelObject)
      modelObject.optimizer = nil
      let curveLabel = o.sftWeight > 0
        ? "DPO loss + sft_weight × the chosen answers' loss per token (the DPO part alone starts at ln 2 = 0.693)"
        : "DPO loss (ln 2 = 0.693 means nothing learned yet)"
      interp.output(LossCurve.terminal(report.trainCurve, label: curveLabel))
      var metrics: [String: Any] = ["heldout_accuracy": Double(report.final.accuracy), "margin": Double(report.final.margin), "steps": Double(report.steps)]
      interp.output(String(format: "held-out pairs: implicit-reward accuracy %.3f (from %.3f), margin %.3f; %.1f s",
                           report.final.accuracy, report.initial?.accuracy ?? .nan, report.final.margin, report.seconds))
      if let before {
        let after = try interp.heldOutEvaluation(model: modelObject.model, tokenizer: tokenizer, prompts: prompts, seed: o.seed)
        let rule = ChatEvaluation.ruleChange(before: before, after: after)
        let kl = try interp.modelCall { try after.klPerToken(policy: modelObject.model, reference: reference) }
        interp.output(String(format: "on %d held-out prompts × %d answers: rule pass rate %.3f → %.3f (± %.3f), mean rule score %.2f → %.2f, KL to the reference %.4f per token, distinct bigrams %.2f",
                             prompts.count, ChatEvaluation.samplesPerPrompt, rule.before, rule.after, rule.standardError, before.meanRuleScore, after.meanRuleScore, kl, after.distinct2))
        Interpreter.ruleMetrics(before: before, after: after, into: &metrics)
        metrics["kl"] = kl
        metrics["distinct_2"] = after.distinct2
      }
      interp.stageReports.append(["stage": "dpo", "target": name, "seconds": (report.seconds * 1000).rounded() / 1000, "metrics": metrics])
    })
  }
}
