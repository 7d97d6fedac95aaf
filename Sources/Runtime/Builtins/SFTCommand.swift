import Foundation
import Language
import Models
import TensorEngine
import Training

extension Interpreter {
  /// Instruction or chat records as SFT examples: the chat template's tokens, each marked
  /// trained (the assistant's answer and its end-of-turn) or not.
  static func sftExamples(_ records: JSONLFile, tokenizer: Tokenizer) throws -> [SFTExample] {
    try records.records.map { record in
      switch record {
      case .instruction(let i, let input, let output): return try SFTExample(instruction: i, input: input, output: output, tokenizer: tokenizer)
      case .chat(let messages): return try SFTExample(messages: messages, tokenizer: tokenizer)
      default: throw ModelError("sft: \(records.name) holds \(records.shape.rawValue) records; SFT needs instruction or chat records")
      }
    }
  }

  func registerSFTCommand() {
    register(Builtin("sft_batch", [.required("records"), .required("tokenizer"), .optional("context", "96"), .optional("rows", "2")],
                     category: "alignment",
                     doc: "The records packed into rows as `sft` trains on them; `show` writes the rows out with the trained tokens inside ⟦ ⟧.") { a, c in
      let records = try Interpreter.object(a.value("records"), as: RecordsObject.self, "instruction or chat records", function: "sft_batch").file
      let tokenizer = try Interpreter.object(a.value("tokenizer"), as: TokenizerObject.self, "a tokenizer", function: "sft_batch").tokenizer
      let context = try a.int("context", default: 96), rows = try a.int("rows", default: 2)
      guard context >= 2, rows >= 1 else { throw RuntimeError("sft_batch: context must be ≥ 2 and rows ≥ 1") }
      let data = try c.interpreter.modelCall {
        try SFTData(examples: try Interpreter.sftExamples(records, tokenizer: tokenizer), context: context, tokenizer: tokenizer)
      }
      return .object(SFTBatchObject(data: data, tokenizer: tokenizer, rows: rows))
    })

    register(CommandSpec(
      name: "sft",
      doc: "sft MODEL on RECORDS { steps, batch, lr, warmup, context, pack, lora: { rank, alpha, dropout, targets }, merge, eval: HELD_OUT_RECORDS, eval_prompts, seed } — fine-tune on instruction or chat records, the loss on the assistant's tokens only",
      options: ["steps", "batch", "lr", "warmup", "context", "pack", "lora", "eval", "eval_prompts", "seed", "weight_decay", "merge"]
    ) { command, env, interp, file in
      let (modelObject, name) = try interp.commandModel(command, env, file, verb: "sft")
      guard let dataExpression = interp.clause(command, "on") else {
        throw RuntimeError("`sft` needs records: `sft \(name) on tasks.train { steps: 200 }`", at: (file, command.verb.range))
      }
      let records = try Interpreter.object(try interp.evaluate(dataExpression, in: env, file: file), as: RecordsObject.self, "instruction or chat records", function: "sft").file
      guard let tokenizer = modelObject.tokenizer else {
        throw RuntimeError("\(name) has no tokenizer: pretrain it first (SFT continues a pretrained model)", at: (file, command.verb.range))
      }
      let r = try command.options.map { try interp.evaluateRecord($0, in: env, file: file) } ?? Record()
      func number(_ key: String, _ d: Double) throws -> Double {
        guard let v = r[key] else { return d }
        guard case .number(let x) = v else { throw RuntimeError("sft: `\(key)` must be a number") }
        return x
      }
      var o = SFTOptions()
      o.steps = Int(try number("steps", 200)); o.batch = Int(try number("batch", 8)); o.learningRate = Float(try number("lr", 1e-3))
      o.warmup = Int(try number("warmup", Double(Swift.min(20, o.steps / 10)))); o.seed = UInt64(try number("seed", 0))
      o.weightDecay = Float(try number("weight_decay", 0))
      guard o.steps >= 1, o.batch >= 1, o.learningRate > 0 else { throw RuntimeError("sft: steps and batch must be ≥ 1, lr > 0") }
      let context = Int(try number("context", Double(modelObject.model.config.context)))
      var pack = true
      if let v = r["pack"] {
        guard case .bool(let b) = v else { throw RuntimeError("sft: `pack` must be true or false") }
        pack = b
      }

      // The examples, and the mask check before anything trains.
      let data = try interp.modelCall {
        try SFTData(examples: try Interpreter.sftExamples(records, tokenizer: tokenizer),
                    context: Swift.min(context, modelObject.model.config.context), tokenizer: tokenizer, pack: pack)
      }
      let m = data.report
      interp.output(String(format: "loss mask: %d examples in %d rows; %d of %d tokens trained (%.0f%%), end-of-turn trained %d times",
                           m.examples, data.rows.count, m.trainedTokens, m.tokens, m.trainedShare * 100, m.trainedEndOfTurn))
      for w in m.warnings { interp.output("warning: \(w)") }

      // Held-out prompts, answered before and after with the same seeds.
      var evalPrompts: [String] = []
      if let e = r["eval"] { evalPrompts = Interpreter.prompts(of: try Interpreter.object(e, as: RecordsObject.self, "records", function: "sft").file) }
      let evalCount = Int(try number("eval_prompts", Double(Interpreter.evaluationPromptCount)))
      evalPrompts = Array(evalPrompts.prefix(evalCount))
      let before = evalPrompts.isEmpty ? nil : try interp.heldOutEvaluation(model: modelObject.model, tokenizer: tokenizer, prompts: evalPrompts, seed: o.seed)

      // LoRA: adapters on the chosen projections, the base frozen.
      if let v = r["lora"] { try interp.attachLoRA(v, to: modelObject, op: "sft") }

      interp.output("fine-tuning \(name) on \(records.name): \(o.steps) steps × \(o.batch) rows of \(data.context) tokens, lr \(o.learningRate)")
      Interrupt.clear()
      let progress = ProgressLine(total: o.steps, live: isatty(1) != 0)
      let start = Date()
      let report = try interp.modelCall {
        try SFTTrainer(model: modelObject.model, data: data, options: o).run(
          onStep: { step, loss in
            progress.update(StepMetrics(step: step, loss: loss, learningRate: o.learningRate, gradientNorm: 0,
                                        tokensPerSecond: Double(step * o.batch * data.context) / Swift.max(Date().timeIntervalSince(start), 1e-9),
                                        validationLoss: nil, elapsed: Date().timeIntervalSince(start)))
          },
          shouldStop: { Interrupt.isRequested })
      }
      Interrupt.clear()
      progress.finish()
      try interp.mergeLoRAIfAsked(r, modelObject)
      modelObject.optimizer = nil
      interp.output(LossCurve.terminal(report.curve, label: "SFT loss (assistant tokens)"))
      if let why = report.stoppedEarly { interp.output("stopped early: \(why)") }
      var metrics: [String: Any] = ["train_loss": Double(report.trainLoss), "steps": Double(report.steps)]
      if let before {
        let after = try interp.heldOutEvaluation(model: modelObject.model, tokenizer: tokenizer, prompts: evalPrompts, seed: o.seed)
        let rule = ChatEvaluation.ruleChange(before: before, after: after)
        interp.output(String(format: "on %d held-out prompts × %d answers: format rate %.2f → %.2f, rule pass rate %.3f → %.3f (± %.3f)",
                             evalPrompts.count, ChatEvaluation.samplesPerPrompt, before.formatRate, after.formatRate, rule.before, rule.after, rule.standardError))
        if let first = after.answers.first { interp.output("e.g. \(evalPrompts[0]) → \(first.replacingOccurrences(of: "\n", with: " / "))") }
        metrics["format_rate"] = after.formatRate
        Interpreter.ruleMetrics(before: before, after: after, into: &metrics)
      }
      interp.output(String(format: "SFT done: loss %.4f after %d steps, %.1f s", report.trainLoss, report.steps, report.seconds))
      interp.stageReports.append(["stage": "sft", "target": name, "seconds": (report.seconds * 1000).rounded() / 1000, "metrics": metrics])
    })
  }
}
