import Foundation
import Models
import TensorEngine

/// GRPO (Shao et al. 2024, DeepSeekMath): PPO without a value model. Each step samples G
/// completions for each of `batch` prompts and scores them with the reward function (a rule
/// that can be checked, typically); a completion's advantage is its reward against its own
/// group's, (r − mean)/(std + ε) (`GroupAdvantages`), the same for every one of its tokens.
/// The loss, per token, is the clipped objective minus the KL to the frozen reference:
///
///     −[ min(ratio·A, clip(ratio, 1 ± ε)·A) − β·k3(π, π_ref) ]
///
/// averaged over each completion's tokens and then over the completions, as in the paper
/// (so every completion counts the same whatever its length). Unlike PPO's reward shaping,
/// the KL is a term of the loss, estimated with k3 (unbiased and never negative).
///
/// With LoRA adapters on the policy only the adapters train. Dropout is off.
public final class GRPOTrainer {
  public let policy: GPTModel
  public let reference: GPTModel
  public let tokenizer: Tokenizer
  public let prompts: [String]
  public let options: GRPOOptions
  public let reward: RewardFunction
  private var sampler: EpochSampler

  public init(
    policy: GPTModel, tokenizer: Tokenizer, prompts: [String], options: GRPOOptions, reference: GPTModel? = nil,
    reward: @escaping RewardFunction
  ) throws {
    guard !prompts.isEmpty else { throw ModelError("grpo: no prompts") }
    let o = options
    guard o.steps >= 1, o.batch >= 1, o.groupSize >= 2, o.iterations >= 1, o.maxTokens >= 1, o.learningRate >= 0 else {
      throw ModelError("grpo: steps, batch, iterations and max tokens must be ≥ 1, the group size ≥ 2 and lr ≥ 0")
    }
    guard o.temperature > 0, o.beta >= 0, o.clipRange > 0, o.klCap > 0 else { throw ModelError("grpo: temperature, kl cap and clip range must be > 0, beta ≥ 0") }
    guard tokenizer.vocabularySize <= policy.config.vocabulary else {
      throw ModelError("grpo: the tokenizer has \(tokenizer.vocabularySize) tokens, the model only \(policy.config.vocabulary)")
    }
    for p in prompts { try Rollout.checkPrompt(p, tokenizer: tokenizer, context: policy.config.context, op: "grpo") }
    if let reference {
      guard reference.config == policy.config else { throw ModelError("grpo: the reference model's configuration differs from the policy's") }
      self.reference = reference
    } else {
      try PolicyWeights.requireCopyable(policy, op: "grpo")
      self.reference = try policy.copy(frozen: true)
    }
    self.policy = policy
    self.tokenizer = tokenizer
    self.prompts = prompts
    self.options = options
    self.reward = reward
    sampler = EpochSampler(count: prompts.count, batch: o.batch, seed: o.seed)
  }

  public func makeOptimizer() throws -> AdamW {
    try AdamW(parameters: try PolicyWeights.trainable(policy), learningRate: options.learningRate, weightDecay: options.weightDecay)
  }

  /// G completions for each of the step's prompts, group by group. Nil when interrupted.
  public func sampleGroups(step: Int, shouldStop: () -> Bool = { false }) throws -> [Rollout]? {
    let g = options.groupSize
    let prompts = sampler.indices(step: step).flatMap { Array(repeating: self.prompts[$0], count: g) }
    return try Rollout.sample(
      model: policy, tokenizer: tokenizer, prompts: prompts, maxTokens: options.maxTokens, temperature: options.temperature,
      seeds: prompts.indices.map { Rollout.seed(options.seed, step: step, index: $0) }, shouldStop: shouldStop)
  }

  /// What the updates on one batch measured.
  public struct UpdateStats: Sendable {
    public var loss: Float
    public var kl: Float
    public var clipFraction: Float
    public var gradientNorm: Float
  }

  /// `options.iterations` updates on scored completions (laid out group by group). Throws
  /// `RLDivergence` if the loss is not finite.
  public func update(_ rollouts: [Rollout], rewards: [Float], optimizer: AdamW, step: Int) throws -> UpdateStats {
    let advantages = GroupAdvantages.normalize(rewards, groupSize: options.groupSize, epsilon: options.advantageEpsilon)
    let batch = try ResponseBatch(prompts: rollouts.map(\.promptTokens), responses: rollouts.map(\.response))
    let a = try batch.broadcast(advantages)
    // Each token weighs 1/|o_i|: Masked.mean then averages within a completion, then over completions.
    let weights = try batch.broadcast(batch.lengths.map { 1 / Float($0) })
    let (referenceLogProbs, oldLogProbs) = try GradMode.withoutGradients {
      (
        try ResponseScores(model: reference, batch: batch, temperature: options.temperature).logProbs,
        options.iterations > 1 ? try ResponseScores(model: policy, batch: batch, temperature: options.temperature).logProbs : nil
      )
    }
    var losses: [Float] = [], clips: [Float] = [], norms: [Float] = [], kl: Float = 0
    for iteration in 0..<options.iterations {
      optimizer.zeroGrad()
      let logProbs = try ResponseScores(model: policy, batch: batch, temperature: options.temperature).logProbs
      let policyLoss = try PPOLoss.policyLoss(
        logProbs: logProbs, oldLogProbs: oldLogProbs ?? logProbs.detached(), advantages: a, mask: weights,
        clipRange: options.clipRange)
      let k3 = try KLEstimator.k3(logProbs: logProbs, referenceLogProbs: referenceLogProbs)
      // The KL of the policy that sampled (before any update of this step), per token.
      if iteration == 0 { kl = try GradMode.withoutGradients { try Masked.mean(k3, mask: batch.mask).item() } }
      let loss = options.beta > 0 ? try policyLoss.loss + Masked.mean(k3, mask: weights) * options.beta : policyLoss.loss
      let value = try loss.item()
      guard value.isFinite else {
        throw RLDivergence(message: "the GRPO loss became \(value) at step \(step + 1); try a lower lr (now \(optimizer.learningRate))")
      }
      try loss.backward()
      norms.append(options.clip > 0 ? try clipGradientNorm(optimizer.parameters, maxNorm: options.clip) : 0)
      try optimizer.step()
      losses.append(value)
      clips.append(policyLoss.clipFraction)
    }
    return UpdateStats(loss: losses.average, kl: kl, clipFraction: clips.average, gradientNorm: norms.average)
  }

  /// Trains from `startStep` to `options.steps`; `onStep` after every step, `shouldStop`
  /// before each step and between completions.
  public func run(
    optimizer: AdamW? = nil, startStep: Int = 0, onStep: (GRPOStepMetrics) -> Void = { _ in },
    shouldStop: () -> Bool = { false }
  ) throws -> (GRPOReport, AdamW) {
    let optimizer = try optimizer ?? makeOptimizer()
    let start = Date()
    var rewardCurve: [(Int, Float)] = [], klCurve: [(Int, Float)] = []
    var stoppedEarly: String? = nil
    var warnings: [String] = []
    var overCap = 0
    var step = startStep
    let g = options.groupSize
    while step < options.steps {
      if shouldStop() { stoppedEarly = "interrupted at step \(step)"; break }
      let t0 = Date()
      guard let rollouts = try sampleGroups(step: step, shouldStop: shouldStop) else { stoppedEarly = "interrupted at step \(step)"; break }
      let rewards = try rollouts.map { try reward($0.prompt, $0.text) }
      let t1 = Date()
      let stats: UpdateStats
      do {
        stats = try update(rollouts, rewards: rewards, optimizer: optimizer, step: step)
      } catch let d as RLDivergence {
        stoppedEarly = d.message
        break
      }
      step += 1
      let groups = stride(from: 0, to: rewards.count, by: g).map { Array(rewards[$0..<($0 + g)]) }
      rewardCurve.append((step, rewards.average))
      klCurve.append((step, stats.kl))
      overCap = stats.kl > options.klCap ? overCap + 1 : 0
      var warning: String? = nil
      if options.klWarnSteps > 0 && overCap == options.klWarnSteps {
        warning = String(
          format: "the KL per token (now %.3f) has stayed above the cap %.3f for %d steps (step %d): the policy is moving far from "
            + "the reference. Read its answers: a reward that rises while they get stranger (one character over and over) is "
            + "reward hacking. Raise kl (now %.3g) or lower the lr.",
          stats.kl, options.klCap, overCap, step, options.beta)
        warnings.append(warning!)
      }
      onStep(
        GRPOStepMetrics(
          step: step, reward: rewards.average, rewardStd: groups.map(\.sampleStd).average,
          flatGroups: groups.map { Set($0).count == 1 ? Float(1) : 0 }.average, kl: stats.kl, clipFraction: stats.clipFraction,
          loss: stats.loss, gradientNorm: stats.gradientNorm, responseLength: rollouts.map { Float($0.response.count) }.average,
          endedRate: rollouts.map { $0.ended ? Float(1) : 0 }.average,
          samples: zip(rollouts, rewards).map { RLSample($0, score: $1) }, warning: warning, rolloutSeconds: t1.timeIntervalSince(t0),
          updateSeconds: Date().timeIntervalSince(t1), elapsed: Date().timeIntervalSince(start)))
    }
    let rewards = rewardCurve.map(\.1)
    let report = GRPOReport(
      steps: step, initialReward: rewards.meanOf(first: 5), finalReward: rewards.meanOf(last: 5),
      finalKL: klCurve.map(\.1).meanOf(last: 5), seconds: Date().timeIntervalSince(start), rewardCurve: rewardCurve,
      klCurve: klCurve, warnings: warnings, stoppedEarly: stoppedEarly)
    return (report, optimizer)
  }
}
