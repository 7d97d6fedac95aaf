import Foundation
import Language
import Models
import TensorEngine
import Training

extension Interpreter {
  /// The model named by a command's subject, and that name (for logs and reports).
  func commandModel(_ command: Command, _ env: Environment, _ file: SourceFile, verb: String) throws -> (ModelObject, String) {
    guard let subject = command.operands.first, subject.preposition == nil else {
      throw RuntimeError("`\(verb)` needs a model: `\(verb) gpt ...`", at: (file, command.verb.range))
    }
    let value = try evaluate(subject.value, in: env, file: file)
    guard case .object(let o) = value, let model = o as? ModelObject else {
      throw RuntimeError("`\(verb)` needs a model, got \(Display.describeType(value))", at: (file, subject.value.range))
    }
    var name = "model"
    if case .name(let n) = subject.value.kind { name = n }
    return (model, name)
  }

  func clause(_ command: Command, _ preposition: String) -> Language.Expression? {
    command.operands.first { $0.preposition?.name == preposition }?.value
  }

  func registerPretrainCommand() {
    register(CommandSpec(
      name: "pretrain",
      doc: "pretrain MODEL on DATASET { steps, batch, lr, warmup, schedule, min_lr, weight_decay, clip, eval_every, seed, log, checkpoint, checkpoint_every, resume } — next-token training with AdamW",
      options: ["steps", "batch", "lr", "warmup", "schedule", "min_lr", "weight_decay", "clip", "eval_every", "seed", "log",
                "checkpoint", "checkpoint_every", "resume"]
    ) { command, env, interp, file in
      let (modelObject, name) = try interp.commandModel(command, env, file, verb: "pretrain")
      guard let dataExpression = interp.clause(command, "on") else {
        throw RuntimeError("`pretrain` needs data: `pretrain \(name) on data { steps: 200 }`", at: (file, command.verb.range))
      }
      let data = try Interpreter.object(try interp.evaluate(dataExpression, in: env, file: file), as: DatasetObject.self, "a dataset", function: "pretrain").dataset
      let options = try command.options.map { try interp.evaluateRecord($0, in: env, file: file) } ?? Record()
      let o = try PretrainSettings.from(options)
      let trainer = try interp.modelCall { try Pretrainer(model: modelObject.model, data: data, options: o.options) }
      modelObject.tokenizer = data.tokenizer

      let logPath = o.log ?? "runs/\(name)-pretrain.jsonl"
      // A resumed run continues its log rather than replacing it.
      let logWriter = try MetricsLog(path: interp.resolvePath(logPath), appending: o.resume)
      let live = isatty(1) != 0
      interp.output("pretraining \(name) on \(data.name): \(o.options.steps) steps × \(o.options.batch) windows of \(data.context) tokens, lr \(o.options.learningRate) (\(o.options.schedule.rawValue), warmup \(o.options.warmup))")
      // Resuming continues the same run: same options, optimizer moments, next step.
      var optimizer: AdamW? = nil
      var startStep = 0
      if o.resume {
        if let state = modelObject.savedTrainingState {
          let fresh = try trainer.makeOptimizer()
          try interp.modelCall { try state.restore(into: fresh, model: modelObject.model) }
          optimizer = fresh
          startStep = state.step
        } else if let existing = modelObject.optimizer {
          optimizer = existing
          startStep = existing.stepCount
        } else {
          throw RuntimeError("pretrain: nothing to resume: \(name) has no optimizer state (train it, or load a checkpoint saved during training)")
        }
        guard startStep < o.options.steps else {
          throw RuntimeError("pretrain: \(name) already trained \(startStep) steps; ask for more than that with steps: N")
        }
        interp.output("resuming at step \(startStep)")
        // The schedule and the batches depend on these: a change makes a different run.
        if let earlier = modelObject.savedTrainingState?.info ?? modelObject.lastPretrainSettings {
          let changed = o.describing.keys.sorted().filter { key in earlier[key].map { $0 != o.describing[key]! } ?? false }
          if !changed.isEmpty {
            interp.output("warning: resuming with different options (" + changed.map { "\($0) \(earlier[$0]!) → \(o.describing[$0]!)" }.joined(separator: ", ")
                          + "): the run will not match an uninterrupted one")
          }
        }
      }
      let checkpointDirectory = o.checkpoint.map(interp.resolvePath)
      let saveCheckpoint: (Int, AdamW) throws -> Void = { step, opt in
        guard let dir = checkpointDirectory else { return }
        let state = try TrainingState(optimizer: opt, model: modelObject.model, info: o.describing.merging(["step": String(step)]) { $1 })
        try Checkpoint.save(model: modelObject.model, tokenizer: data.tokenizer, optimizerState: state, to: dir)
      }
      Interrupt.clear()
      let progress = ProgressLine(total: o.options.steps, start: startStep, live: live)
      let (report, usedOptimizer) = try interp.modelCall {
        try trainer.run(
          optimizer: optimizer, startStep: startStep,
          onStep: { progress.update($0) },
          shouldStop: { Interrupt.isRequested },
          log: { logWriter.append($0) },
          checkpointEvery: o.checkpointEvery, checkpoint: saveCheckpoint)
      }
      Interrupt.clear()
      progress.finish()
      modelObject.optimizer = usedOptimizer
      modelObject.savedTrainingState = nil
      modelObject.lastPretrainSettings = o.describing
      if checkpointDirectory != nil {
        try interp.modelCall { try saveCheckpoint(report.steps, usedOptimizer) }
        interp.output("checkpoint: \(checkpointDirectory!) (step \(report.steps))")
      }
      logWriter.close()
      modelObject.trainedSteps = report.steps
      interp.output(LossCurve.terminal(report.trainCurve, label: "training loss"))
      let svgPath = interp.resolvePath(logPath.hasSuffix(".jsonl") ? String(logPath.dropLast(6)) + ".svg" : logPath + ".svg")
      let svg = LossCurve.svg([("train", report.trainCurve), ("validation", report.validationCurve)], title: "\(name) pretraining on \(data.name)")
      try? writeAtomically(Data(svg.utf8), to: svgPath)
      if let why = report.stoppedEarly { interp.output("stopped early: \(why); the model keeps what it learned") }
      interp.output(String(format: "step %d: train loss %.4f, validation loss %.4f (perplexity %.2f, %.3f bits per character); unigram baseline %.4f; %.0f tokens/s; %.1f s",
                           report.steps, report.trainLoss, report.validationLoss, report.validationPerplexity,
                           report.validationBitsPerCharacter, report.unigramValidationLoss, report.tokensPerSecond, report.seconds))
      interp.output("log: \(logWriter.path)   curve: \(svgPath)")
      interp.stageReports.append([
        "stage": "pretrain", "target": name, "seconds": (report.seconds * 1000).rounded() / 1000,
        "metrics": [
          "train_loss": Double(report.trainLoss), "val_loss": Double(report.validationLoss), "val_bpc": report.validationBitsPerCharacter,
          "unigram_val_loss": report.unigramValidationLoss, "tokens_per_s": report.tokensPerSecond.rounded(), "steps": Double(report.steps),
        ],
      ])
    })
  }

  /// Paths in scripts resolve against the script's directory, as `import` does.
  func resolvePath(_ path: String) -> String {
    if path.hasPrefix("/") || baseDirectory.isEmpty { return path }
    return baseDirectory + "/" + path
  }
}

/// The `{ ... }` options of `pretrain`, checked.
struct PretrainSettings {
  var options = PretrainOptions()
  var log: String?
  var checkpoint: String?
  var checkpointEvery = 0
  var resume = false

  /// The options that decide the schedule and the batches, as saved with a checkpoint.
  var describing: [String: String] {
    ["steps": String(options.steps), "batch": String(options.batch), "lr": String(options.learningRate),
     "warmup": String(options.warmup), "schedule": options.schedule.rawValue, "seed": String(options.seed)]
  }

  static func from(_ r: Record) throws -> PretrainSettings {
    var s = PretrainSettings()
    func number(_ key: String) throws -> Double? {
      guard let v = r[key] else { return nil }
      guard case .number(let x) = v else { throw RuntimeError("pretrain: `\(key)` must be a number, got \(Display.describeType(v))") }
      return x
    }
    func int(_ key: String) throws -> Int? {
      guard let x = try number(key) else { return nil }
      guard x == x.rounded(), x >= 0, x < 1e9 else { throw RuntimeError("pretrain: `\(key)` must be a whole number ≥ 0") }
      return Int(x)
    }
    if let v = try int("steps") { s.options.steps = v }
    if let v = try int("batch") { s.options.batch = v }
    if let v = try number("lr") { s.options.learningRate = Float(v) }
    // Without a warmup, Adam's first steps at full rate can spike the loss; default to 5% of the run.
    s.options.warmup = try int("warmup") ?? Swift.min(100, s.options.steps / 20)
    if let v = try number("min_lr") {
      guard s.options.learningRate > 0 else { throw RuntimeError("pretrain: lr must be positive") }
      s.options.minimumRateFraction = Float(v) / s.options.learningRate
    }
    if let v = try number("weight_decay") { s.options.weightDecay = Float(v) }
    if let v = try number("clip") { s.options.clip = Float(v) }
    if let v = try int("eval_every") { s.options.evalEvery = Swift.max(1, v) }
    if let v = try int("seed") { s.options.seed = UInt64(v) }
    if let v = r["schedule"] {
      guard case .string(let name) = v, let d = LearningRateSchedule.Decay(rawValue: name) else {
        throw RuntimeError("pretrain: schedule must be \"constant\", \"cosine\" or \"linear\"")
      }
      s.options.schedule = d
    }
    if let v = try int("checkpoint_every") { s.checkpointEvery = v }
    if let v = r["checkpoint"] {
      guard case .string(let p) = v else { throw RuntimeError("pretrain: checkpoint must be a directory path") }
      s.checkpoint = p
    }
    if s.checkpointEvery > 0 && s.checkpoint == nil {
      throw RuntimeError("pretrain: checkpoint_every needs a directory: checkpoint: \"runs/ckpt\"")
    }
    if let v = r["resume"] {
      guard case .bool(let b) = v else { throw RuntimeError("pretrain: resume must be true or false") }
      s.resume = b
    }
    if let v = r["log"] {
      guard case .string(let p) = v else { throw RuntimeError("pretrain: log must be a file path") }
      s.log = p
    }
    guard s.options.steps >= 1, s.options.batch >= 1 else { throw RuntimeError("pretrain: steps and batch must be at least 1") }
    guard s.options.learningRate > 0, s.options.learningRate.isFinite else { throw RuntimeError("pretrain: lr must be positive") }
    return s
  }
}

/// Appends one JSON line per step to the metrics log (created with its directory).
final class MetricsLog {
  let path: String
  private var handle: FileHandle?

  init(path: String, appending: Bool = false) throws {
    self.path = path
    let dir = (path as NSString).deletingLastPathComponent
    if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
    let keep = appending && FileManager.default.fileExists(atPath: path)
    guard keep || FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
      throw RuntimeError("cannot write the metrics log \(path)")
    }
    if keep { h.seekToEndOfFile() }
    handle = h
  }

  func append(_ line: String) { handle?.write(Data((line + "\n").utf8)) }
  func close() { try? handle?.close(); handle = nil }
}

/// The live progress line on a terminal (step, loss, validation loss, tokens/s, ETA),
/// plain log lines elsewhere.
final class ProgressLine {
  let total: Int
  let start: Int
  let live: Bool
  var lastValidation: Float?
  var lastPrinted = Date.distantPast

  init(total: Int, start: Int = 0, live: Bool) {
    self.total = total
    self.start = start
    self.live = live
  }

  func update(_ m: StepMetrics) {
    if let v = m.validationLoss { lastValidation = v }
    let remaining = m.elapsed / Double(Swift.max(1, m.step - start)) * Double(total - m.step)
    var text = String(format: "step %d/%d  loss %.4f", m.step, total, m.loss)
    if let v = lastValidation { text += String(format: "  val %.4f", v) }
    // Stages that do not count tokens (DPO, the reward model) pass 0: leave the rate out.
    if m.tokensPerSecond > 0 { text += String(format: "  %.0f tok/s", m.tokensPerSecond) }
    text += String(format: "  lr %.2e  ETA %@", m.learningRate, ProgressLine.clock(remaining))
    if live {
      // Redraw at most 10 times a second.
      if Date().timeIntervalSince(lastPrinted) > 0.1 || m.step == total {
        print("\r\u{1B}[K" + text, terminator: "")
        fflush(nil)
        lastPrinted = Date()
      }
    } else if m.step == 1 || m.step % Swift.max(1, total / 10) == 0 || m.validationLoss != nil || m.step == total {
      print(text)
      fflush(nil)
    }
  }

  func finish() {
    if live { print("") }
  }

  static func clock(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
  }
}
