/// Options of PPO training (RLHF as in InstructGPT; defaults after TRL's classic PPOTrainer,
/// scaled down for a small model on a CPU).
public struct PPOOptions: Sendable {
  public var steps = 100
  /// Prompts per step, one answer each.
  public var batch = 8
  /// Answers per gradient update; each step makes `epochs` passes over the batch in
  /// minibatches of this size.
  public var minibatch = 4
  public var epochs = 4
  public var learningRate: Float = 1e-4
  public var weightDecay: Float = 0
  /// Global gradient-norm limit (0: no clipping).
  public var clip: Float = 1
  // Sampling.
  public var maxTokens = 48
  /// Sampling temperature; log-probabilities are computed at the same temperature.
  public var temperature: Float = 1
  // The KL penalty.
  /// The KL coefficient β (the start value when adaptive).
  public var beta: Float = 0.05
  /// Adapt β toward `klCap` (`KLController`) instead of keeping it fixed.
  public var adaptiveKL = false
  /// The mean KL per response token the run should stay under: the adaptive controller's
  /// target; with a fixed β a line to read the KL curve against, and a warning when the KL
  /// stays above it.
  public var klCap: Float = 0.1
  /// Samples over which the adaptive controller corrects an error (see `KLController`).
  public var klHorizon = 1000
  // Advantages and losses.
  public var gamma: Float = 1
  public var lambda: Float = 0.95
  /// Whiten the per-token rewards across the batch (mean kept) before GAE.
  public var whitenRewards = false
  /// ε of the clipped policy objective.
  public var clipRange: Float = 0.2
  /// ε of the clipped value loss.
  public var valueClipRange: Float = 0.2
  /// c_v: weight of the value loss.
  public var valueCoefficient: Float = 0.1
  /// c_e: weight of the entropy bonus (0: none).
  public var entropyCoefficient: Float = 0
  /// Warn when the KL stays above `klCap` for this many steps (0: never).
  public var klWarnSteps = 5
  public var seed: UInt64 = 0
  public init() {}
}

/// What one PPO step measured.
public struct PPOStepMetrics: Sendable {
  public var step: Int
  /// Mean and spread of the reward function's scores of this step's answers.
  public var score: Float
  public var scoreStd: Float
  /// Mean k1 = log π − log π_ref per response token: the KL to the reference.
  public var kl: Float
  /// β used for this step's rewards, and the cap the KL should stay under.
  public var beta: Float
  public var klCap: Float
  /// Mean entropy of the policy per response token (falling toward 0: collapse).
  public var entropy: Float
  /// Averages over the step's minibatch updates.
  public var clipFraction: Float
  public var approximateKL: Float
  public var policyLoss: Float
  public var valueLoss: Float
  public var gradientNorm: Float
  /// Mean response length in tokens (the stop token included), and the share that ended.
  public var responseLength: Float
  public var endedRate: Float
  /// The step's prompts, answers and scores.
  public var samples: [RLSample]
  /// The whole rollout batch with its per-token numbers (KL, rewards, advantages): what the
  /// step-by-step mode shows.
  public var experience: PPOExperience
  /// The KL warning, on the step it is first given.
  public var warning: String?
  public var rolloutSeconds: Double
  public var updateSeconds: Double
  public var elapsed: Double
}

/// What the minibatch updates of one step measured (averaged over them).
public struct PPOUpdateStats: Sendable {
  public var policyLoss: Float
  public var valueLoss: Float
  public var clipFraction: Float
  public var approximateKL: Float
  public var gradientNorm: Float
  /// Mean value loss of each pass over the batch.
  public var valueLossByEpoch: [Float]
}

/// What a PPO run did.
public struct PPOReport: Sendable {
  public var steps: Int
  /// Mean score of the first and of the last steps (up to 5 each).
  public var initialScore: Float
  public var finalScore: Float
  public var finalKL: Float
  public var finalBeta: Float
  public var seconds: Double
  /// (step, mean score) and (step, KL per token).
  public var scoreCurve: [(Int, Float)]
  public var klCurve: [(Int, Float)]
  public var warnings: [String]
  public var stoppedEarly: String?
}
