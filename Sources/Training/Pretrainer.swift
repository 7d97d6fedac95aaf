import Foundation
import Models
import TensorEngine

/// Options of the `pretrain` statement.
public struct PretrainOptions: Sendable {
  public var steps = 200
  public var batch = 16
  public var learningRate: Float = 3e-3
  public var warmup = 0
  public var schedule = LearningRateSchedule.Decay.cosine
  /// The learning rate the schedule decays to, as a fraction of the peak.
  public var minimumRateFraction: Float = 0.1
  public var weightDecay: Float = 0.1
  /// Global gradient-norm limit (0: no clipping).
  public var clip: Float = 1
  /// Evaluate on the validation split every this many steps (and at the end).
  public var evalEvery = 50
  /// Validation windows per evaluation.
  public var evalWindows = 64
  public var seed: UInt64 = 0
  public init() {}
}

/// What one step measured; the progress display and the JSONL log both take these.
public struct StepMetrics: Sendable {
  public var step: Int
  public var loss: Float
  public var learningRate: Float
  public var gradientNorm: Float
  public var tokensPerSecond: Double
  public var validationLoss: Float?
  public var elapsed: Double

  public init(step: Int, loss: Float, learningRate: Float, gradientNorm: Float, tokensPerSecond: Double, validationLoss: Float?, elapsed: Double) {
    (self.step, self.loss, self.learningRate, self.gradientNorm) = (step, loss, learningRate, gradientNorm)
    (self.tokensPerSecond, self.validationLoss, self.elapsed) = (tokensPerSecond, validationLoss, elapsed)
  }
}

/// What a pretraining run did, for the summary and `llmlab run --report`.
public struct PretrainReport: Sendable {
  public var steps: Int
  public var trainLoss: Float
  public var validationLoss: Float
  public var validationPerplexity: Double { Foundation.exp(Double(validationLoss)) }
  /// Bits per character on the validation split.
  public var validationBitsPerCharacter: Double
  public var unigramValidationLoss: Double
  public var tokensPerSecond: Double
  public var seconds: Double
  /// (step, training loss) for every step, and (step, validation loss) at each evaluation.
  public var trainCurve: [(Int, Float)]
  public var validationCurve: [(Int, Float)]
  /// Why it ended early, if it did ("interrupted", "non-finite loss at step 12 ...").
  public var stoppedEarly: String?
}

/// Next-token pretraining with AdamW, a warmup + decay schedule and gradient clipping.
public struct Pretrainer {
  public let model: GPTModel
  public let data: TokenDataset
  public let options: PretrainOptions

  public init(model: GPTModel, data: TokenDataset, options: PretrainOptions) throws {
    guard data.tokenizer.vocabularySize <= model.config.vocabulary else {
      throw ModelError("pretrain: the dataset's tokenizer has \(data.tokenizer.vocabularySize) tokens but the model's vocab is \(model.config.vocabulary); create the model with vocab: tok.size")
    }
    guard data.context <= model.config.context else {
      throw ModelError("pretrain: the dataset's context (\(data.context)) is longer than the model's (\(model.config.context))")
    }
    guard options.steps >= 1, options.batch >= 1, options.learningRate > 0 else {
      throw ModelError("pretrain: steps and batch must be ≥ 1 and lr > 0")
    }
    self.model = model
    self.data = data
    self.options = options
  }

  /// The optimizer pretraining uses (AdamW, β₂ = 0.95 as in GPT-3 and nanoGPT).
  public func makeOptimizer() throws -> AdamW {
    try AdamW(
      parameters: model.parameters.map(\.tensor), learningRate: options.learningRate, beta1: 0.9, beta2: 0.95,
      epsilon: 1e-8, weightDecay: options.weightDecay)
  }

  /// Trains from `startStep` (0, or where a resumed run stopped) to `options.steps`.
  /// Calls `onStep` after every step and `shouldStop` before each (Ctrl-C stops at a step
  /// boundary with the model as trained so far). `log` receives one JSON line per step;
  /// `checkpoint` is called every `checkpointEvery` steps with the step and the optimizer.
  ///
  /// Every step draws its batch and its dropout masks from generators seeded by (seed, step),
  /// so resuming at step s with the saved weights and optimizer state continues exactly as
  /// an uninterrupted run would.
  public func run(
    optimizer: AdamW? = nil, startStep: Int = 0, onStep: (StepMetrics) -> Void, shouldStop: () -> Bool,
    log: ((String) -> Void)? = nil, checkpointEvery: Int = 0, checkpoint: ((Int, AdamW) throws -> Void)? = nil
  ) throws -> (PretrainReport, AdamW) {
    let optimizer = try optimizer ?? makeOptimizer()
    let schedule = try LearningRateSchedule(
      peak: options.learningRate, warmupSteps: options.warmup, totalSteps: options.steps, decay: options.schedule,
      floor: options.learningRate * options.minimumRateFraction)
    let start = Date()
    var trainCurve: [(Int, Float)] = []
    var validationCurve: [(Int, Float)] = []
    var stoppedEarly: String? = nil
    var tokens = 0
    var lastValidation: Float = .nan
    var step = startStep
    while step < options.steps {
      if shouldStop() { stoppedEarly = "interrupted at step \(step)"; break }
      let (x, y) = try data.batch(options.batch, step: step, seed: options.seed)
      Random.seed(options.seed &+ 0x5EED &+ UInt64(step) &* 31)
      optimizer.learningRate = schedule.rate(at: step)
      optimizer.zeroGrad()
      let loss = try model.loss(ids: x, targets: y, training: true)
      let outcome = try OptimizerUpdate.apply(loss, optimizer: optimizer, clip: options.clip, step: step, advice: ", a longer warmup, or clip: 1")
      guard case .applied(let value, let norm) = outcome else {
        stoppedEarly = outcome.divergence
        break
      }
      step += 1
      tokens += x.count
      trainCurve.append((step, value))
      var validation: Float? = nil
      if step % Swift.max(1, options.evalEvery) == 0 || step == options.steps {
        lastValidation = try validationLoss()
        validation = lastValidation
        validationCurve.append((step, lastValidation))
      }
      let elapsed = Date().timeIntervalSince(start)
      let metrics = StepMetrics(
        step: step, loss: value, learningRate: optimizer.learningRate, gradientNorm: norm,
        tokensPerSecond: Double(tokens) / Swift.max(elapsed, 1e-9), validationLoss: validation, elapsed: elapsed)
      onStep(metrics)
      log?(Self.jsonLine(metrics))
      if checkpointEvery > 0 && step % checkpointEvery == 0 && step < options.steps { try checkpoint?(step, optimizer) }
    }
    if validationCurve.last?.0 != step && step > startStep {
      lastValidation = try validationLoss()
      validationCurve.append((step, lastValidation))
    }
    let seconds = Date().timeIntervalSince(start)
    let recent = trainCurve.suffix(10).map(\.1)
    let cpt = data.validationCharactersPerToken
    let report = PretrainReport(
      steps: step, trainLoss: recent.isEmpty ? .nan : recent.reduce(0, +) / Float(recent.count),
      validationLoss: lastValidation,
      validationBitsPerCharacter: Double(lastValidation) / Foundation.log(2) / Swift.max(cpt, 1e-9),
      unigramValidationLoss: data.unigramValidationLoss, tokensPerSecond: Double(tokens) / Swift.max(seconds, 1e-9),
      seconds: seconds, trainCurve: trainCurve, validationCurve: validationCurve, stoppedEarly: stoppedEarly)
    return (report, optimizer)
  }

  /// Mean loss over fixed validation windows, without recording gradients.
  public func validationLoss() throws -> Float {
    let windows = try data.validationWindows(limit: options.evalWindows)
    guard !windows.isEmpty else { return .nan }
    return try GradMode.withoutGradients {
      var total: Float = 0
      // Windows are evaluated in batches of up to 16 for speed.
      var i = 0
      while i < windows.count {
        let chunk = windows[i..<Swift.min(i + 16, windows.count)]
        let x = try Tensor.concat(chunk.map(\.inputs), axis: 0)
        let y = try Tensor.concat(chunk.map(\.targets), axis: 0)
        total += try model.loss(ids: x, targets: y, training: false).item() * Float(chunk.count)
        i += 16
      }
      return total / Float(windows.count)
    }
  }

  static func jsonLine(_ m: StepMetrics) -> String {
    var fields = [
      "\"step\": \(m.step)", "\"loss\": \(m.loss)", "\"lr\": \(m.learningRate)", "\"grad_norm\": \(m.gradientNorm)",
      "\"tokens_per_s\": \(Int(m.tokensPerSecond))", "\"seconds\": \(String(format: "%.3f", m.elapsed))",
    ]
    if let v = m.validationLoss { fields.append("\"val_loss\": \(v)") }
    return "{" + fields.joined(separator: ", ") + "}"
  }
}
