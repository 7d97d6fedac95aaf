import Foundation
import Models
import TensorEngine

/// Options of DPO training.
public struct DPOOptions: Sendable {
  public var steps = 100
  /// Pairs per step (each pair is two sequences through the policy).
  public var batch = 8
  public var learningRate: Float = 5e-4
  /// Strength of the pull toward the reference: small β lets the policy move far.
  public var beta: Float = 0.1
  /// Weight of an extra negative log-likelihood term on the chosen responses (per token),
  /// as in RPO (Pang et al. 2024; TRL's `rpo_alpha`): DPO alone may lower the chosen
  /// answers' likelihood too, as long as the rejected ones fall faster; this keeps the
  /// chosen likely. 0: plain DPO.
  public var sftWeight: Float = 0
  public var weightDecay: Float = 0
  /// Global gradient-norm limit (0: no clipping).
  public var clip: Float = 1
  /// Evaluate every this many steps (and at the start and the end).
  public var evalEvery = 25
  /// Evaluation pairs (the first this many).
  public var evalPairs = 256
  /// Warn when the loss stays within `stallTolerance` of ln 2 for this many steps (0: never).
  public var stallSteps = 25
  public var stallTolerance: Float = 0.01
  public var seed: UInt64 = 0
  public init() {}
}

/// What one DPO step measured.
public struct DPOStepMetrics: Sendable {
  public var step: Int
  public var loss: Float
  /// Implicit-reward accuracy and margin on this step's batch.
  public var accuracy: Float
  public var margin: Float
  /// Mean implicit rewards β·(π − ref) of the chosen and rejected responses.
  public var chosenReward: Float
  public var rejectedReward: Float
  public var gradientNorm: Float
  /// Set on evaluation steps.
  public var evalAccuracy: Float?
  public var evalMargin: Float?
  /// The stall warning, on the step it is first detected.
  public var warning: String?
  public var elapsed: Double
}

/// Loss, implicit-reward accuracy and mean margin over the evaluation pairs.
public struct DPOEvaluation: Sendable {
  public var loss: Float
  public var accuracy: Float
  public var margin: Float
}

/// What a DPO run did.
public struct DPOReport: Sendable {
  public var steps: Int
  /// Mean loss of the last 10 steps.
  public var trainLoss: Float
  /// On the held-out pairs, or the training pairs when none are held out. `initial` is nil
  /// for a resumed run.
  public var initial: DPOEvaluation?
  public var final: DPOEvaluation
  public var seconds: Double
  public var trainCurve: [(Int, Float)]
  /// (step, evaluation accuracy) at each evaluation.
  public var accuracyCurve: [(Int, Float)]
  public var warnings: [String]
  public var stoppedEarly: String?
}

/// Trains a policy with DPO against a frozen reference.
///
/// The reference is a frozen copy of the policy made when the trainer is created (or one
/// given), so the loss starts at ln 2. Its log-probabilities never change and are computed
/// once per pair. Only response tokens are scored: prompt and padding positions get the
/// ignore index. With LoRA adapters on the policy only the adapters train. Dropout is off,
/// so policy and reference are compared as the same kind of function.
public struct DPOTrainer {
  public let policy: GPTModel
  public let reference: GPTModel
  public let train: [PreferenceTokens]
  public let heldOut: [PreferenceTokens]
  public let options: DPOOptions

  public init(
    policy: GPTModel, reference: GPTModel? = nil, train: [PreferenceTokens], heldOut: [PreferenceTokens] = [],
    options: DPOOptions
  ) throws {
    guard !train.isEmpty else { throw ModelError("dpo: no training pairs") }
    guard options.steps >= 1, options.batch >= 1, options.learningRate >= 0, options.beta > 0 else {
      throw ModelError("dpo: steps and batch must be ≥ 1, lr ≥ 0 and beta > 0")
    }
    let c = policy.config
    for (i, p) in (train + heldOut).enumerated() {
      try p.validate(vocabulary: c.vocabulary, context: c.context, index: i, op: "dpo")
    }
    if let reference {
      guard reference.config == policy.config else { throw ModelError("dpo: the reference model's configuration differs from the policy's") }
      self.reference = reference
    } else {
      try PolicyWeights.requireCopyable(policy, op: "dpo")
      self.reference = try policy.copy(frozen: true)
    }
    self.policy = policy
    self.train = train
    self.heldOut = heldOut
    self.options = options
  }

  public func makeOptimizer() throws -> AdamW {
    try AdamW(parameters: try PolicyWeights.trainable(policy), learningRate: options.learningRate, weightDecay: options.weightDecay)
  }

  var evaluationPairs: [PreferenceTokens] { Array((heldOut.isEmpty ? train : heldOut).prefix(Swift.max(1, options.evalPairs))) }

  public func run(
    optimizer: AdamW? = nil, startStep: Int = 0, onStep: (DPOStepMetrics) -> Void = { _ in },
    shouldStop: () -> Bool = { false }
  ) throws -> (DPOReport, AdamW) {
    let optimizer = try optimizer ?? makeOptimizer()
    var sampler = EpochSampler(count: train.count, batch: Swift.min(options.batch, train.count), seed: options.seed)
    var stall = StallDetector(steps: options.stallSteps, tolerance: options.stallTolerance)
    var referenceCache: [Int: (chosen: Float, rejected: Float)] = [:]
    let start = Date()
    let initial = startStep == 0 ? try evaluate() : nil
    var accuracyCurve: [(Int, Float)] = initial.map { [(0, $0.accuracy)] } ?? []
    var trainCurve: [(Int, Float)] = []
    var warnings: [String] = []
    var last = initial
    var stoppedEarly: String? = nil
    var step = startStep
    while step < options.steps {
      if shouldStop() { stoppedEarly = "interrupted at step \(step)"; break }
      let indices = sampler.indices(step: step)
      let pairs = indices.map { train[$0] }
      // The reference's log-probabilities, computed once per pair.
      let missing = Array(Set(indices.filter { referenceCache[$0] == nil })).sorted()
      if !missing.isEmpty {
        let (c, r) = try GradMode.withoutGradients { try Self.logProbs(reference, missing.map { train[$0] }) }
        for (k, (cv, rv)) in zip(missing, zip(c.toArray(), r.toArray())) { referenceCache[k] = (cv, rv) }
      }
      let refChosen = Tensor(indices.map { referenceCache[$0]!.chosen })
      let refRejected = Tensor(indices.map { referenceCache[$0]!.rejected })

      optimizer.zeroGrad()
      let (chosen, rejected) = try Self.logProbs(policy, pairs)
      let loss = try DPOLoss.loss(
        policyChosen: chosen, policyRejected: rejected, referenceChosen: refChosen, referenceRejected: refRejected,
        beta: options.beta)
      var objective = loss
      if options.sftWeight > 0 {
        let lengths = Tensor(pairs.map { Float(Swift.max(1, $0.chosen.count)) })
        objective = try objective + (chosen / lengths).mean().negated() * options.sftWeight
      }
      let outcome = try OptimizerUpdate.apply(objective, optimizer: optimizer, clip: options.clip, step: step)
      guard case .applied(let value, let norm) = outcome else {
        stoppedEarly = outcome.divergence
        break
      }
      step += 1
      trainCurve.append((step, value))
      // The stall test watches the DPO part alone: the chosen answers' likelihood term
      // (sft_weight) moves the objective away from ln 2 even when DPO learns nothing.
      let dpoValue = options.sftWeight > 0 ? try loss.item() : value

      let (rc, rr) = try DPOLoss.implicitRewards(
        policyChosen: chosen, policyRejected: rejected, referenceChosen: refChosen, referenceRejected: refRejected,
        beta: options.beta)
      var metrics = DPOStepMetrics(
        step: step, loss: value, accuracy: try BradleyTerry.accuracy(chosen: rc, rejected: rr),
        margin: try BradleyTerry.margin(chosen: rc, rejected: rr), chosenReward: try rc.mean().item(),
        rejectedReward: try rr.mean().item(), gradientNorm: norm, evalAccuracy: nil, evalMargin: nil,
        warning: stall.observe(dpoValue, step: step), elapsed: 0)
      if let w = metrics.warning { warnings.append(w) }
      if step % Swift.max(1, options.evalEvery) == 0 || step == options.steps {
        let e = try evaluate()
        last = e
        accuracyCurve.append((step, e.accuracy))
        metrics.evalAccuracy = e.accuracy
        metrics.evalMargin = e.margin
      }
      metrics.elapsed = Date().timeIntervalSince(start)
      onStep(metrics)
    }
    if accuracyCurve.last?.0 != step || last == nil {
      let e = try evaluate()
      last = e
      accuracyCurve.append((step, e.accuracy))
    }
    let recent = trainCurve.suffix(10).map(\.1)
    let report = DPOReport(
      steps: step, trainLoss: recent.isEmpty ? .nan : recent.reduce(0, +) / Float(recent.count), initial: initial,
      final: last!, seconds: Date().timeIntervalSince(start), trainCurve: trainCurve, accuracyCurve: accuracyCurve,
      warnings: warnings, stoppedEarly: stoppedEarly)
    return (report, optimizer)
  }

  /// Summed log-probabilities of each pair's chosen and rejected response (response tokens
  /// only), [B] each, from one forward pass of 2B rows.
  public static func logProbs(_ model: GPTModel, _ pairs: [PreferenceTokens]) throws -> (chosen: Tensor, rejected: Tensor) {
    let prompts = pairs.map(\.prompt)
    let (ids, targets) = try TokenBatch.responseTargets(prompts: prompts + prompts, responses: pairs.map(\.chosen) + pairs.map(\.rejected))
    let all = try model.sequenceLogProbs(ids: ids, targets: targets)
    let n = pairs.count
    return (try all.sliced(axis: 0, start: 0, end: n), try all.sliced(axis: 0, start: n, end: 2 * n))
  }

  /// Loss, implicit-reward accuracy and margin on the held-out pairs (or the training pairs
  /// when none are held out), without gradients.
  public func evaluate() throws -> DPOEvaluation {
    let pairs = evaluationPairs
    return try GradMode.withoutGradients {
      var parts: [[Tensor]] = [[], [], [], []]
      var i = 0
      while i < pairs.count {
        let chunk = Array(pairs[i..<Swift.min(i + 16, pairs.count)])
        let (pc, pr) = try Self.logProbs(policy, chunk)
        let (rc, rr) = try Self.logProbs(reference, chunk)
        for (k, t) in [pc, pr, rc, rr].enumerated() { parts[k].append(t) }
        i += 16
      }
      let t = try parts.map { try Tensor.concat($0) }
      let beta = options.beta
      return DPOEvaluation(
        loss: try DPOLoss.loss(policyChosen: t[0], policyRejected: t[1], referenceChosen: t[2], referenceRejected: t[3], beta: beta).item(),
        accuracy: try DPOLoss.accuracy(policyChosen: t[0], policyRejected: t[1], referenceChosen: t[2], referenceRejected: t[3], beta: beta),
        margin: try DPOLoss.margin(policyChosen: t[0], policyRejected: t[1], referenceChosen: t[2], referenceRejected: t[3], beta: beta))
    }
  }
}
