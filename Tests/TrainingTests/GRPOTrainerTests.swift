import Foundation
import Models
import TensorEngine
import Testing
@testable import Training

/// GRPO on the tiny model with a verifiable reward: answer with the character the prompt names.
@Suite("GRPO training")
struct GRPOTrainerTests {
  static func options(steps: Int, beta: Float = 0.04, lr: Float = 2e-2) -> GRPOOptions {
    var o = GRPOOptions()
    o.steps = steps; o.batch = 2; o.groupSize = 8; o.learningRate = lr; o.maxTokens = 4; o.beta = beta; o.seed = 1
    return o
  }

  static func trainer(_ policy: GPTModel, _ o: GRPOOptions) throws -> GRPOTrainer {
    try GRPOTrainer(policy: policy, tokenizer: RL.tokenizer, prompts: ["月", "花"], options: o, reward: RL.startsWithPrompt)
  }

  @Test("completions come in groups of G per prompt, each drawn with its own seed")
  func groups() throws {
    var o = Self.options(steps: 1)
    o.groupSize = 4
    let rollouts = try #require(try Self.trainer(try RL.model(), o).sampleGroups(step: 0))
    #expect(rollouts.count == 8)
    for g in stride(from: 0, to: 8, by: 4) {
      #expect(Set(rollouts[g..<(g + 4)].map(\.prompt)).count == 1)
    }
    #expect(Set(rollouts.map(\.response)).count > 2)
  }

  @Test("GRPO raises a verifiable reward; one update per batch never clips")
  func learnsVerifiableReward() throws {
    let policy = try RL.model()
    // 80 steps at 1e-2: every seed from 1 to 6 ends at ≥ 0.84 (30 steps at 2e-2 stalled at 0.5
    // on some, the policy answering one character to both prompts).
    let trainer = try Self.trainer(policy, Self.options(steps: 80, lr: 1e-2))
    let reference = RL.weights(trainer.reference)
    var metrics: [GRPOStepMetrics] = []
    let (report, _) = try trainer.run(onStep: { metrics.append($0) })
    #expect(report.steps == 80 && report.stoppedEarly == nil)
    #expect(report.finalReward > report.initialReward + 0.3, "\(report.initialReward) → \(report.finalReward)")
    #expect(report.finalReward > 0.7)
    #expect(metrics[0].kl == 0 && metrics.allSatisfy { $0.kl.isFinite && $0.kl >= 0 })
    #expect(metrics.allSatisfy { $0.clipFraction == 0 && $0.samples.count == 16 })
    #expect(metrics.allSatisfy { (0...1).contains($0.flatGroups) && $0.rewardStd >= 0 })
    #expect(RL.weights(trainer.reference) == reference)
    print("GRPO starts-with-prompt reward: \(report.initialReward) → \(report.finalReward), KL per token \(report.finalKL), \(report.seconds) s")
  }

  @Test("several updates per batch clip, and a larger β keeps the KL smaller")
  func iterationsAndBeta() throws {
    var kls: [Float] = []
    for beta: Float in [0, 2] {
      var o = Self.options(steps: 8, beta: beta)
      o.iterations = 2
      var clips: [Float] = []
      let (report, _) = try Self.trainer(try RL.model(), o).run(onStep: { clips.append($0.clipFraction) })
      #expect(clips.contains { $0 > 0 })
      kls.append(report.finalKL)
    }
    #expect(kls[1] < 0.5 * kls[0], "KL with β 0: \(kls[0]), with β 2: \(kls[1])")
    print("GRPO KL per token after 8 steps: β 0 → \(kls[0]), β 2 → \(kls[1])")
  }

  @Test("ready-made rewards: the poem rule's graded score, and a reward model's score in the chat layout")
  func rewardFunctions() throws {
    let prompt = PoemTasks.prompt(PoemRule.Request(form: 5, start: "春"))
    let answer = "春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。"
    #expect(RewardFunctions.poemRule(prompt, answer) == 1)
    #expect(RewardFunctions.poemRule(prompt, "春眠") == Float(PoemRule.score("春眠", PoemRule.Request(form: 5, start: "春"))))
    #expect(RewardFunctions.poemRule("hello", answer) == 0)
    let rm = try RewardModel(policy: RL.model(), headStd: 0.5, seed: 2)
    let tok = RL.tokenizer
    let score = try RewardFunctions.model(rm, tokenizer: tok)("月", "花月")
    let ids = tok.encode("<|user|>月<|end|><|assistant|>花月<|end|>")
    #expect(Swift.abs(score - (try rm.scores([ids])[0])) < 1e-6)
  }
}
