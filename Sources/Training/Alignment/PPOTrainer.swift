import Foundation
import Models
import TensorEngine

/// RLHF with PPO (Schulman et al. 2017; Ziegler et al. 2019; InstructGPT), as TRL's classic
/// PPOTrainer does it, sized for a small model on a CPU.
///
/// Four models' worth of roles, in two transformers: the policy (trained), its value head
/// (trained, on the policy's hidden states), the frozen reference (a copy of the policy at
/// the start) and the reward function (a closure: a reward model's score or a rule). Each step:
///
/// 1. rollout: sample `batch` prompts (in epochs, by seed and step) and answer each one with
///    the KV-cache sampler;
/// 2. score: the reward function scores each answer; one batched forward pass of the policy
///    (log π_old, values, entropy) and one of the reference (log π_ref) over the padded batch;
/// 3. advantages: per-token rewards −β·k1 plus the score at the last token, GAE (γ, λ),
///    whitened (`PPOExperience`);
/// 4. update: `epochs` passes over the batch in shuffled minibatches, each minimizing the
///    clipped policy loss + c_v·clipped value loss − c_e·entropy with AdamW and gradient clipping;
/// 5. β: fixed, or adapted toward `klCap` (`KLController`).
///
/// With LoRA adapters on the policy only the adapters and the value head train. Dropout is
/// off throughout, so π/π_old is exactly 1 at the first update.
public final class PPOTrainer {
  public let policy: GPTModel
  public let reference: GPTModel
  public let valueHead: ValueHead
  public let tokenizer: Tokenizer
  public let prompts: [String]
  public let options: PPOOptions
  public let reward: RewardFunction
  public private(set) var klController: KLController
  private var sampler: EpochSampler

  public init(
    policy: GPTModel, tokenizer: Tokenizer, prompts: [String], options: PPOOptions, reference: GPTModel? = nil,
    valueHead: ValueHead? = nil, reward: @escaping RewardFunction
  ) throws {
    guard !prompts.isEmpty else { throw ModelError("ppo: no prompts") }
    let o = options
    guard o.steps >= 1, o.batch >= 1, o.minibatch >= 1, o.epochs >= 1, o.maxTokens >= 1, o.learningRate >= 0 else {
      throw ModelError("ppo: steps, batch, minibatch, epochs and max tokens must be ≥ 1, and lr ≥ 0")
    }
    guard o.temperature > 0, o.beta >= 0, o.klCap > 0, o.clipRange > 0, o.valueClipRange > 0 else {
      throw ModelError("ppo: temperature, kl cap and clip ranges must be > 0, and beta ≥ 0")
    }
    guard (0...1).contains(o.gamma), (0...1).contains(o.lambda) else {
      throw ModelError("ppo: gamma and lambda must be between 0 and 1, got \(o.gamma) and \(o.lambda)")
    }
    guard tokenizer.vocabularySize <= policy.config.vocabulary else {
      throw ModelError("ppo: the tokenizer has \(tokenizer.vocabularySize) tokens, the model only \(policy.config.vocabulary)")
    }
    for p in prompts { try Rollout.checkPrompt(p, tokenizer: tokenizer, context: policy.config.context, op: "ppo") }
    if let reference {
      guard reference.config == policy.config else { throw ModelError("ppo: the reference model's configuration differs from the policy's") }
      self.reference = reference
    } else {
      try PolicyWeights.requireCopyable(policy, op: "ppo")
      self.reference = try policy.copy(frozen: true)
    }
    if let valueHead, valueHead.weight.shape != [policy.config.dim] {
      throw ModelError("ppo: the value head reads \(valueHead.weight.shape) hidden states, the model's are [\(policy.config.dim)]")
    }
    self.policy = policy
    self.valueHead = valueHead ?? ValueHead(dim: policy.config.dim)
    self.tokenizer = tokenizer
    self.prompts = prompts
    self.options = options
    self.reward = reward
    klController = KLController(beta: o.beta, target: o.adaptiveKL ? o.klCap : nil, horizon: o.klHorizon)
    sampler = EpochSampler(count: prompts.count, batch: o.batch, seed: o.seed)
  }

  /// What trains: the policy's trainable weights (adapters only with LoRA) and the value head.
  public func makeOptimizer() throws -> AdamW {
    try AdamW(
      parameters: try PolicyWeights.trainable(policy) + valueHead.parameters, learningRate: options.learningRate,
      weightDecay: options.weightDecay)
  }

  // MARK: Experience

  /// Rollout and scoring for 0-based `step`: answers to the step's prompts, their scores, and
  /// the models' numbers on them, with β as it is now. Nil when `shouldStop` interrupts.
  public func collect(step: Int, shouldStop: () -> Bool = { false }) throws -> PPOExperience? {
    let prompts = sampler.indices(step: step).map { self.prompts[$0] }
    guard
      let rollouts = try Rollout.sample(
        model: policy, tokenizer: tokenizer, prompts: prompts, maxTokens: options.maxTokens, temperature: options.temperature,
        seeds: prompts.indices.map { Rollout.seed(options.seed, step: step, index: $0) }, shouldStop: shouldStop)
    else { return nil }
    let scores = try rollouts.map { try reward($0.prompt, $0.text) }
    return try experience(rollouts: rollouts, scores: scores)
  }

  /// The models' numbers on given rollouts (two batched forward passes, no gradients) and
  /// the rewards, advantages and returns made from them.
  public func experience(rollouts: [Rollout], scores: [Float]) throws -> PPOExperience {
    let batch = try ResponseBatch(prompts: rollouts.map(\.promptTokens), responses: rollouts.map(\.response))
    let (p, r) = try GradMode.withoutGradients {
      (
        try ResponseScores(model: policy, batch: batch, temperature: options.temperature, valueHead: valueHead, entropy: true),
        try ResponseScores(model: reference, batch: batch, temperature: options.temperature)
      )
    }
    return PPOExperience(
      rollouts: rollouts, scores: scores, logProbs: batch.rows(p.logProbs), referenceLogProbs: batch.rows(r.logProbs),
      values: batch.rows(p.values!), entropy: batch.rows(p.entropy!), beta: klController.beta, gamma: options.gamma,
      lambda: options.lambda, whitenRewards: options.whitenRewards)
  }

  // MARK: Update

  /// `epochs` passes (default `options.epochs`) over the experience in shuffled minibatches,
  /// one optimizer step each. Throws `RLDivergence` if a loss is not finite.
  public func update(_ e: PPOExperience, optimizer: AdamW, step: Int, epochs: Int? = nil) throws -> PPOUpdateStats {
    let n = e.rollouts.count
    var rng = RandomGenerator(seed: Rollout.seed(options.seed &+ 0xB47C, step: step, index: 0))
    var policyLosses: [Float] = [], valueLosses: [Float] = [], clips: [Float] = [], kls: [Float] = [], norms: [Float] = []
    var byEpoch: [Float] = []
    for _ in 0..<(epochs ?? options.epochs) {
      var order = Array(0..<n)
      rng.shuffle(&order)
      var epochValue: [Float] = []
      for start in stride(from: 0, to: n, by: options.minibatch) {
        let rows = Array(order[start..<Swift.min(start + options.minibatch, n)])
        let batch = try ResponseBatch(prompts: rows.map { e.rollouts[$0].promptTokens }, responses: rows.map { e.rollouts[$0].response })
        optimizer.zeroGrad()
        let s = try ResponseScores(
          model: policy, batch: batch, temperature: options.temperature, valueHead: valueHead, entropy: options.entropyCoefficient > 0)
        let policyLoss = try PPOLoss.policyLoss(
          logProbs: s.logProbs, oldLogProbs: batch.padded(rows.map { e.logProbs[$0] }),
          advantages: batch.padded(rows.map { e.advantages[$0] }), mask: batch.mask, clipRange: options.clipRange)
        let valueLoss = try PPOLoss.valueLoss(
          values: s.values!, oldValues: batch.padded(rows.map { e.values[$0] }), returns: batch.padded(rows.map { e.returns[$0] }),
          mask: batch.mask, clipRange: options.valueClipRange)
        var loss = try policyLoss.loss + valueLoss * options.valueCoefficient
        if let entropy = s.entropy { loss = try loss - Masked.mean(entropy, mask: batch.mask) * options.entropyCoefficient }
        let (pl, vl) = (try policyLoss.loss.item(), try valueLoss.item())
        guard try loss.item().isFinite else {
          throw RLDivergence(message: "the PPO loss became non-finite (policy \(pl), value \(vl)) at step \(step + 1); try a lower lr (now \(optimizer.learningRate))")
        }
        try loss.backward()
        norms.append(options.clip > 0 ? try clipGradientNorm(optimizer.parameters, maxNorm: options.clip) : 0)
        try optimizer.step()
        policyLosses.append(pl)
        valueLosses.append(vl)
        epochValue.append(vl)
        clips.append(policyLoss.clipFraction)
        kls.append(policyLoss.approximateKL)
      }
      byEpoch.append(epochValue.average)
    }
    return PPOUpdateStats(
      policyLoss: policyLosses.average, valueLoss: valueLosses.average, clipFraction: clips.average,
      approximateKL: kls.average, gradientNorm: norms.average, valueLossByEpoch: byEpoch)
  }

  // MARK: Loop

  /// Trains from `startStep` to `options.steps`; `onStep` after every step, `shouldStop`
  /// before each step and between rollouts. A step's prompts and samples depend only on
  /// (seed, step).
  public func run(
    optimizer: AdamW? = nil, startStep: Int = 0, onStep: (PPOStepMetrics) -> Void = { _ in },
    shouldStop: () -> Bool = { false }
  ) throws -> (PPOReport, AdamW) {
    let optimizer = try optimizer ?? makeOptimizer()
    let start = Date()
    var scoreCurve: [(Int, Float)] = [], klCurve: [(Int, Float)] = []
    var warnings: [String] = []
    var stoppedEarly: String? = nil
    var overCap = 0
    var step = startStep
    while step < options.steps {
      if shouldStop() { stoppedEarly = "interrupted at step \(step)"; break }
      let t0 = Date()
      guard let e = try collect(step: step, shouldStop: shouldStop) else { stoppedEarly = "interrupted at step \(step)"; break }
      let t1 = Date()
      let stats: PPOUpdateStats
      do {
        stats = try update(e, optimizer: optimizer, step: step)
      } catch let d as RLDivergence {
        stoppedEarly = d.message
        break
      }
      step += 1
      let kl = e.kl
      klController.update(kl: kl, samples: e.rollouts.count)
      overCap = kl > options.klCap ? overCap + 1 : 0
      var warning: String? = nil
      if options.klWarnSteps > 0 && overCap == options.klWarnSteps {
        warning = String(
          format: "the KL per token (now %.3f) has stayed above the cap %.3f for %d steps (step %d): the policy is drifting from "
            + "the reference, where the reward can no longer be trusted. Raise beta (now %.3g), lower the lr, or turn on the adaptive KL.",
          kl, options.klCap, overCap, step, e.beta)
        warnings.append(warning!)
      }
      scoreCurve.append((step, e.scores.average))
      klCurve.append((step, kl))
      let lengths = e.rollouts.map { Float($0.response.count) }
      onStep(
        PPOStepMetrics(
          step: step, score: e.scores.average, scoreStd: e.scores.populationStd, kl: kl, beta: e.beta, klCap: options.klCap,
          entropy: e.meanEntropy, clipFraction: stats.clipFraction, approximateKL: stats.approximateKL,
          policyLoss: stats.policyLoss, valueLoss: stats.valueLoss, gradientNorm: stats.gradientNorm,
          responseLength: lengths.average, endedRate: e.rollouts.map { $0.ended ? Float(1) : 0 }.average,
          samples: zip(e.rollouts, e.scores).map { RLSample($0, score: $1) }, experience: e, warning: warning,
          rolloutSeconds: t1.timeIntervalSince(t0), updateSeconds: Date().timeIntervalSince(t1),
          elapsed: Date().timeIntervalSince(start)))
    }
    let scores = scoreCurve.map(\.1)
    let report = PPOReport(
      steps: step, initialScore: scores.meanOf(first: 5), finalScore: scores.meanOf(last: 5),
      finalKL: klCurve.map(\.1).meanOf(last: 5), finalBeta: klController.beta, seconds: Date().timeIntervalSince(start),
      scoreCurve: scoreCurve, klCurve: klCurve, warnings: warnings, stoppedEarly: stoppedEarly)
    return (report, optimizer)
  }
}

/// A loss that became NaN or infinite: training stops with this message.
public struct RLDivergence: Error, CustomStringConvertible, Sendable {
  public var message: String
  public var description: String { message }
}
