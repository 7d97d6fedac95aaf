import Foundation
import Models
import TensorEngine

/// Options of reward-model training.
public struct RewardOptions: Sendable {
  public var steps = 100
  /// Pairs per step (each pair is two sequences).
  public var batch = 16
  public var learningRate: Float = 1e-3
  public var weightDecay: Float = 0
  /// Global gradient-norm limit (0: no clipping).
  public var clip: Float = 1
  /// Evaluate on the held-out pairs every this many steps (and at the end).
  public var evalEvery = 25
  /// Held-out pairs per evaluation (the first this many).
  public var evalPairs = 256
  public var seed: UInt64 = 0
  public init() {}
}

/// What one reward-training step measured.
public struct RewardStepMetrics: Sendable {
  public var step: Int
  public var loss: Float
  /// On this step's batch.
  public var accuracy: Float
  public var margin: Float
  public var gradientNorm: Float
  /// Set on evaluation steps.
  public var heldOutAccuracy: Float?
  public var heldOutMargin: Float?
  public var elapsed: Double
}

/// What a reward-training run did. The held-out numbers are NaN when no pairs were held out.
public struct RewardReport: Sendable {
  public var steps: Int
  /// Mean loss of the last 10 steps.
  public var trainLoss: Float
  public var heldOutLoss: Float
  public var heldOutAccuracy: Float
  public var heldOutMargin: Float
  public var seconds: Double
  public var trainCurve: [(Int, Float)]
  /// (step, held-out accuracy) at each evaluation.
  public var heldOutCurve: [(Int, Float)]
  public var stoppedEarly: String?
}

/// Trains a reward model on preference pairs with the Bradley–Terry loss and AdamW.
///
/// Each step scores the batch's chosen and rejected sequences (prompt + response) in one
/// forward pass. Dropout is off: the two scores of a pair must come from the same function.
public struct RewardTrainer {
  public let model: RewardModel
  public let train: [PreferenceTokens]
  public let heldOut: [PreferenceTokens]
  public let options: RewardOptions

  public init(model: RewardModel, train: [PreferenceTokens], heldOut: [PreferenceTokens], options: RewardOptions) throws {
    guard !train.isEmpty else { throw ModelError("reward: no training pairs") }
    guard options.steps >= 1, options.batch >= 1, options.learningRate >= 0 else {
      throw ModelError("reward: steps and batch must be ≥ 1 and lr ≥ 0")
    }
    let c = model.body.config
    for (i, p) in (train + heldOut).enumerated() {
      try p.validate(vocabulary: c.vocabulary, context: c.context, index: i, op: "reward")
    }
    self.model = model
    self.train = train
    self.heldOut = heldOut
    self.options = options
  }

  public func makeOptimizer() throws -> AdamW {
    try AdamW(parameters: model.parameters, learningRate: options.learningRate, weightDecay: options.weightDecay)
  }

  /// Trains from `startStep` to `options.steps`; `onStep` after every step, `shouldStop`
  /// before each. The batch of step s depends only on (seed, s).
  public func run(
    optimizer: AdamW? = nil, startStep: Int = 0, onStep: (RewardStepMetrics) -> Void = { _ in },
    shouldStop: () -> Bool = { false }
  ) throws -> (RewardReport, AdamW) {
    let optimizer = try optimizer ?? makeOptimizer()
    var sampler = EpochSampler(count: train.count, batch: Swift.min(options.batch, train.count), seed: options.seed)
    let start = Date()
    var trainCurve: [(Int, Float)] = []
    var heldOutCurve: [(Int, Float)] = []
    var last = (loss: Float.nan, accuracy: Float.nan, margin: Float.nan)
    var stoppedEarly: String? = nil
    var step = startStep
    while step < options.steps {
      if shouldStop() { stoppedEarly = "interrupted at step \(step)"; break }
      let pairs = sampler.indices(step: step).map { train[$0] }
      optimizer.zeroGrad()
      let (chosen, rejected) = try scorePairs(pairs)
      let loss = try BradleyTerry.loss(chosen: chosen, rejected: rejected)
      let outcome = try OptimizerUpdate.apply(loss, optimizer: optimizer, clip: options.clip, step: step)
      guard case .applied(let value, let norm) = outcome else {
        stoppedEarly = outcome.divergence
        break
      }
      step += 1
      trainCurve.append((step, value))
      var metrics = RewardStepMetrics(
        step: step, loss: value, accuracy: try BradleyTerry.accuracy(chosen: chosen, rejected: rejected),
        margin: try BradleyTerry.margin(chosen: chosen, rejected: rejected), gradientNorm: norm,
        heldOutAccuracy: nil, heldOutMargin: nil, elapsed: 0)
      if !heldOut.isEmpty && (step % Swift.max(1, options.evalEvery) == 0 || step == options.steps) {
        last = try evaluate()
        heldOutCurve.append((step, last.accuracy))
        metrics.heldOutAccuracy = last.accuracy
        metrics.heldOutMargin = last.margin
      }
      metrics.elapsed = Date().timeIntervalSince(start)
      onStep(metrics)
    }
    if !heldOut.isEmpty && heldOutCurve.last?.0 != step {
      last = try evaluate()
      heldOutCurve.append((step, last.accuracy))
    }
    let recent = trainCurve.suffix(10).map(\.1)
    let report = RewardReport(
      steps: step, trainLoss: recent.isEmpty ? .nan : recent.reduce(0, +) / Float(recent.count),
      heldOutLoss: last.loss, heldOutAccuracy: last.accuracy, heldOutMargin: last.margin,
      seconds: Date().timeIntervalSince(start), trainCurve: trainCurve, heldOutCurve: heldOutCurve,
      stoppedEarly: stoppedEarly)
    return (report, optimizer)
  }

  /// Scores of the chosen and rejected sequences, [B] each, from one forward pass of 2B rows.
  func scorePairs(_ pairs: [PreferenceTokens]) throws -> (chosen: Tensor, rejected: Tensor) {
    let (ids, lengths) = try TokenBatch.padded(pairs.map(\.chosenSequence) + pairs.map(\.rejectedSequence))
    let all = try model.scores(ids: ids, lengths: lengths)
    let n = pairs.count
    return (try all.sliced(axis: 0, start: 0, end: n), try all.sliced(axis: 0, start: n, end: 2 * n))
  }

  /// Bradley–Terry loss, accuracy and mean margin on the held-out pairs, without gradients.
  public func evaluate() throws -> (loss: Float, accuracy: Float, margin: Float) {
    let pairs = Array(heldOut.prefix(Swift.max(1, options.evalPairs)))
    guard !pairs.isEmpty else { return (.nan, .nan, .nan) }
    return try GradMode.withoutGradients {
      var chosen: [Tensor] = [], rejected: [Tensor] = []
      var i = 0
      while i < pairs.count {
        let (c, r) = try scorePairs(Array(pairs[i..<Swift.min(i + 16, pairs.count)]))
        chosen.append(c)
        rejected.append(r)
        i += 16
      }
      let c = try Tensor.concat(chosen), r = try Tensor.concat(rejected)
      return (
        try BradleyTerry.loss(chosen: c, rejected: r).item(), try BradleyTerry.accuracy(chosen: c, rejected: r),
        try BradleyTerry.margin(chosen: c, rejected: r)
      )
    }
  }
}
