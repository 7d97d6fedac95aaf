/// Options of GRPO training (DeepSeekMath's group relative policy optimization).
public struct GRPOOptions: Sendable {
  public var steps = 100
  /// Prompts per step.
  public var batch = 4
  /// G: completions sampled per prompt, compared with each other.
  public var groupSize = 4
  /// Gradient updates on each batch (μ); with 1 the ratio is exactly 1 and only the KL term
  /// and the advantages shape the gradient.
  public var iterations = 1
  public var learningRate: Float = 1e-4
  public var weightDecay: Float = 0
  /// Global gradient-norm limit (0: no clipping).
  public var clip: Float = 1
  public var maxTokens = 48
  public var temperature: Float = 1
  /// β of the k3 KL penalty to the reference in the loss (0: none; the KL is still measured).
  public var beta: Float = 0.04
  /// The KL per token above which the policy is drifting: a warning after `klWarnSteps`
  /// steps in a row above it (0 turns the warning off).
  public var klCap: Float = 0.1
  public var klWarnSteps = 5
  /// ε of the clipped objective.
  public var clipRange: Float = 0.2
  /// Added to the group's standard deviation when normalizing rewards.
  public var advantageEpsilon: Float = 1e-4
  public var seed: UInt64 = 0
  public init() {}
}

/// What one GRPO step measured.
public struct GRPOStepMetrics: Sendable {
  public var step: Int
  /// Mean reward of the step's completions.
  public var reward: Float
  /// Mean over groups of the rewards' standard deviation within the group (sample std):
  /// the spread the advantages come from.
  public var rewardStd: Float
  /// Share of groups whose completions all scored the same: they get zero advantages and
  /// teach nothing (too easy or too hard for the policy right now).
  public var flatGroups: Float
  /// Mean k3 per response token between the sampling policy and the reference.
  public var kl: Float
  /// Share of response tokens whose ratio left [1 − ε, 1 + ε] (each completion weighing
  /// the same, as in the loss), averaged over the step's updates: 0 with one update, where
  /// the ratio is exactly 1.
  public var clipFraction: Float
  public var loss: Float
  public var gradientNorm: Float
  /// Mean completion length in tokens (the stop token included), and the share that ended.
  public var responseLength: Float
  public var endedRate: Float
  public var samples: [RLSample]
  /// Set on the step where the KL has stayed above the cap for `klWarnSteps` steps.
  public var warning: String?
  public var rolloutSeconds: Double
  public var updateSeconds: Double
  public var elapsed: Double
}

/// What a GRPO run did.
public struct GRPOReport: Sendable {
  public var steps: Int
  /// Mean reward of the first and of the last steps (up to 5 each).
  public var initialReward: Float
  public var finalReward: Float
  public var finalKL: Float
  public var seconds: Double
  /// (step, mean reward) and (step, KL per token).
  public var rewardCurve: [(Int, Float)]
  public var klCurve: [(Int, Float)]
  public var warnings: [String]
  public var stoppedEarly: String?
}
