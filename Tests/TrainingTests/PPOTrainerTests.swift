import Foundation
import Models
import TensorEngine
import Testing
@testable import Training

/// PPO's pieces (padded response batches, one-pass scores, rollouts, experience, β control)
/// and the trainer on a tiny model that is rewarded for writing 月.
@Suite("PPO training")
struct PPOTrainerTests {
  static func options(steps: Int, beta: Float = 0.05, lr: Float = 3e-3) -> PPOOptions {
    var o = PPOOptions()
    o.steps = steps; o.batch = 8; o.minibatch = 4; o.epochs = 2; o.learningRate = lr; o.maxTokens = 6; o.beta = beta; o.seed = 1
    return o
  }

  static func trainer(_ policy: GPTModel, _ o: PPOOptions) throws -> PPOTrainer {
    try PPOTrainer(policy: policy, tokenizer: RL.tokenizer, prompts: ["月", "花"], options: o, reward: RL.moonShare)
  }

  @Test("a response batch lays ragged rows into its padded columns and reads them back")
  func responseBatch() throws {
    // [1, 2] + [4, 5]:     ids [1, 2, 4, 0], targets [−100, 4, 5, −100], response from column 1
    // [3] + [6, 7, 1, 2]:  ids [3, 6, 7, 1], targets [6, 7, 1, 2],       response from column 0
    let b = try ResponseBatch(prompts: [[1, 2], [3]], responses: [[4, 5], [6, 7, 1, 2]])
    #expect(b.ids.toArray() == [1, 2, 4, 0, 3, 6, 7, 1])
    #expect(b.targets.toArray() == [-100, 4, 5, -100, 6, 7, 1, 2])
    #expect(b.mask.toArray() == [0, 1, 1, 0, 1, 1, 1, 1])
    #expect(b.starts == [1, 0] && b.lengths == [2, 4] && b.tokenCount == 6)
    let rows: [[Float]] = [[10, 11], [20, 21, 22, 23]]
    let padded = try b.padded(rows)
    #expect(padded.toArray() == [0, 10, 11, 0, 20, 21, 22, 23])
    #expect(b.rows(padded) == rows)
    #expect(try b.broadcast([5, 7]).toArray() == [0, 5, 5, 0, 7, 7, 7, 7])
  }

  @Test("one pass gives the model's token log-probabilities (at the sampling temperature) and the value head's values")
  func responseScores() throws {
    let model = try Align.tinyModel(std: 0.3)
    let head = ValueHead(dim: 16, std: 0.5, seed: 3)
    let b = try ResponseBatch(prompts: [[1, 2], [3]], responses: [[4, 5], [6, 7, 1]])
    let s = try ResponseScores(model: model, batch: b, valueHead: head, entropy: true)
    #expect(Align.close(s.logProbs.toArray(), try model.tokenLogProbs(ids: b.ids, targets: b.targets).toArray(), 1e-5))
    // Values by hand: h·w + b at the response columns, 0 elsewhere.
    let h = try model.hidden(b.ids).toArray(), w = head.weight.toArray(), mask = b.mask.toArray()
    var expected = [Float](repeating: 0, count: mask.count)
    for i in mask.indices where mask[i] != 0 {
      for j in 0..<16 { expected[i] += h[i * 16 + j] * w[j] }
    }
    #expect(Align.close(try #require(s.values).toArray(), expected, 1e-5))
    // Entropy of a distribution over 8 tokens lies in (0, ln 8].
    let e = try #require(s.entropy).toArray()
    #expect(zip(e, mask).allSatisfy { $1 == 0 ? $0 == 0 : $0 > 0 && $0 <= Float(Foundation.log(8.0)) + 1e-5 })
    // At temperature 2: log-softmax of logits / 2.
    let hot = try ResponseScores(model: model, batch: b, temperature: 2)
    let logp = try (model.forward(b.ids) * 0.5).logSoftmax(axis: -1)
    #expect(Swift.abs(hot.logProbs.toArray()[1] - (try logp.element(at: [0, 1, 4]))) < 1e-5)
  }

  @Test("a rollout answers the chat prompt and keeps the stop token that ended it")
  func rollout() throws {
    let model = try RL.model()
    let tok = RL.tokenizer
    let stops = Rollout.stopTokens(tok)
    #expect(stops == [tok.specialTokens["<|end|>"]!, tok.specialTokens["<|endoftext|>"]!])
    var ended = 0
    for seed in 0..<12 {
      let r = try Rollout.sample(model: model, tokenizer: tok, prompt: "月", maxTokens: 5, temperature: 1, seed: UInt64(seed))
      #expect(tok.decode(r.promptTokens) == "<|user|>月<|end|><|assistant|>")
      #expect(!r.response.isEmpty && r.response.count <= 6)
      if r.ended {
        ended += 1
        #expect(stops.contains(r.response.last!))
        #expect(tok.decode(r.response.dropLast()) == r.text)
      } else {
        #expect(r.response.count == 5 && tok.decode(r.response) == r.text)
      }
      // The same seed draws the same answer.
      let again = try Rollout.sample(model: model, tokenizer: tok, prompt: "月", maxTokens: 5, temperature: 1, seed: UInt64(seed))
      #expect(again.response == r.response)
    }
    #expect(ended > 0 && ended < 12)
  }

  @Test("experience: rewards are −β·k1 with the score on the last token; returns are GAE's; advantages whitened")
  func experience() throws {
    let rollouts = [
      Rollout(prompt: "a", promptTokens: [1], response: [2, 3], text: "", ended: true),
      Rollout(prompt: "b", promptTokens: [1], response: [4], text: "", ended: true),
    ]
    let e = PPOExperience(
      rollouts: rollouts, scores: [1, -1], logProbs: [[-1, -2], [-0.5]], referenceLogProbs: [[-1.5, -1], [-0.5]],
      values: [[0.1, 0.2], [0.3]], entropy: [[1, 1], [1]], beta: 0.5, gamma: 1, lambda: 0.9, whitenRewards: false)
    // k1 = [0.5, −1], [0]: rewards [−0.25, 0.5 + 1] and [0 − 1].
    #expect(Align.close(e.rewards[0], [-0.25, 1.5]) && Align.close(e.rewards[1], [-1]))
    let g0 = GAE.compute(rewards: [-0.25, 1.5], values: [0.1, 0.2], gamma: 1, lambda: 0.9)
    #expect(Align.close(e.returns[0], g0.returns) && Align.close(e.returns[1], [-1]))
    let flat = e.advantages.flatMap { $0 }
    #expect(Swift.abs(flat.reduce(0, +)) < 1e-5)
    #expect(Align.close(flat, Whitening.whiten(g0.advantages + [-1 - 0.3]), 1e-5))
    #expect(Swift.abs(e.kl - (-0.5 / 3)) < 1e-6 && e.tokenCount == 3)
  }

  @Test("the adaptive controller raises β while the KL is over the target and lowers it while under; a fixed β stays")
  func klController() {
    var fixed = KLController(beta: 0.1)
    fixed.update(kl: 5, samples: 100)
    #expect(fixed.beta == 0.1)
    var c = KLController(beta: 0.1, target: 0.2, horizon: 100)
    c.update(kl: 1, samples: 10)  // error clipped to +0.2: β·(1 + 0.2·10/100)
    #expect(Swift.abs(c.beta - 0.102) < 1e-7)
    c.update(kl: 0.1, samples: 10)  // error −0.5 clipped to −0.2
    #expect(Swift.abs(c.beta - 0.102 * 0.98) < 1e-7)
    c.update(kl: 0.2, samples: 10)  // on target: unchanged
    #expect(Swift.abs(c.beta - 0.102 * 0.98) < 1e-7)
  }

  @Test("PPO raises the reward for writing 月, with the KL finite and the reference untouched")
  func learnsToWriteMoon() throws {
    let policy = try RL.model()
    let initial = RL.weights(policy)
    let trainer = try Self.trainer(policy, Self.options(steps: 30))
    let referenceBefore = RL.weights(trainer.reference)
    #expect(referenceBefore == initial)
    var metrics: [PPOStepMetrics] = []
    let (report, optimizer) = try trainer.run(onStep: { metrics.append($0) })
    #expect(report.steps == 30 && report.stoppedEarly == nil)
    #expect(report.initialScore < 0.35, "initial \(report.initialScore)")
    #expect(report.finalScore > report.initialScore + 0.4, "\(report.initialScore) → \(report.finalScore)")
    #expect(metrics.allSatisfy { $0.kl.isFinite && $0.valueLoss.isFinite && $0.samples.count == 8 && $0.klCap == 0.1 })
    // Policy = reference at the first rollout: KL exactly 0. The entropy falls as 月 takes over.
    #expect(metrics[0].kl == 0)
    #expect(metrics.suffix(5).map(\.entropy).average < metrics.prefix(5).map(\.entropy).average)
    #expect(report.finalKL > 0 && report.finalKL.isFinite)
    // The reference is bit for bit what it was; the policy moved.
    #expect(RL.weights(trainer.reference) == referenceBefore)
    #expect(RL.weights(policy) != initial)
    #expect(optimizer.parameters.count == policy.parameters.count + 2)
    print("PPO 月 share: \(report.initialScore) → \(report.finalScore), KL per token \(report.finalKL), \(report.seconds) s")
  }

  @Test("with lr 0 nothing moves: the ratio stays 1 (no clipping, no KL between updates)")
  func ratioStartsAtOne() throws {
    let policy = try RL.model()
    let initial = RL.weights(policy)
    let trainer = try Self.trainer(policy, Self.options(steps: 2, lr: 0))
    var metrics: [PPOStepMetrics] = []
    _ = try trainer.run(onStep: { metrics.append($0) })
    #expect(metrics.allSatisfy { $0.clipFraction == 0 && $0.approximateKL < 1e-6 && $0.kl == 0 })
    #expect(RL.weights(policy) == initial)
  }

  @Test("a larger β keeps the policy closer to the reference")
  func betaHoldsTheKL() throws {
    var finals: [Float: (kl: Float, score: Float, warnings: [String])] = [:]
    for beta: Float in [0, 1] {
      let (report, _) = try Self.trainer(try RL.model(), Self.options(steps: 15, beta: beta)).run()
      finals[beta] = (report.finalKL, report.finalScore, report.warnings)
    }
    let (free, held) = (finals[0]!, finals[1]!)
    #expect(held.kl < 0.5 * free.kl, "KL with β 1: \(held.kl), with β 0: \(free.kl)")
    #expect(held.score < free.score)
    #expect(free.warnings.count >= 1 && free.warnings[0].contains("above the cap"))
    print("PPO KL per token after 15 steps: β 0 → \(free.kl) (score \(free.score)), β 1 → \(held.kl) (score \(held.score))")
  }

  @Test("the adaptive KL raises β while the policy runs over the cap")
  func adaptiveBeta() throws {
    var o = Self.options(steps: 8, beta: 0.05)
    o.adaptiveKL = true
    o.klCap = 0.01
    o.klHorizon = 16
    var betas: [Float] = []
    let trainer = try Self.trainer(try RL.model(), o)
    let (report, _) = try trainer.run(onStep: { betas.append($0.beta) })
    // Step 1's KL is 0 (the policy is the reference), under the cap: β·(1 − 0.2·8/16).
    #expect(betas[0] == 0.05 && Swift.abs(betas[1] - 0.045) < 1e-6)
    #expect(report.finalBeta > 0.05 && report.finalBeta == trainer.klController.beta, "\(betas) → \(report.finalBeta)")
  }

  @Test("the value head's loss falls on a fixed batch, down to the floor its clipping sets")
  func valueLossFalls() throws {
    // Every answer scores 0.5 and β = 0: each token's return is 0.5 (γ = λ = 1), the head starts
    // at V = 0, and the advantages are all equal, so whitened to 0: only the value loss trains.
    func curve(clipRange: Float) throws -> (PPOExperience, [Float]) {
      var o = Self.options(steps: 1, beta: 0, lr: 1e-2)
      o.minibatch = 8
      o.lambda = 1
      o.valueClipRange = clipRange
      let trainer = try PPOTrainer(policy: try RL.model(), tokenizer: RL.tokenizer, prompts: ["月", "花"], options: o) { _, _ in 0.5 }
      let e = try #require(try trainer.collect(step: 0))
      return (e, try trainer.update(e, optimizer: trainer.makeOptimizer(), step: 0, epochs: 20).valueLossByEpoch)
    }
    let (e, free) = try curve(clipRange: 10)
    #expect(e.returns.joined().allSatisfy { Swift.abs($0 - 0.5) < 1e-6 } && e.values.joined().allSatisfy { $0 == 0 })
    #expect(Swift.abs(free[0] - 0.125) < 1e-6)  // ½·0.5²
    #expect(free.last! < 0.1 * free[0], "\(free)")
    // With ε = 0.2 no token can profit from moving past V_old + 0.2 = 0.2: the loss stops at ½·0.3².
    let (_, clipped) = try curve(clipRange: 0.2)
    #expect(clipped.allSatisfy { $0 >= 0.045 - 1e-5 } && clipped.last! < 0.046, "\(clipped)")
    print("PPO value loss on a fixed batch over 20 passes: \(free[0]) → \(free.last!); with value clip 0.2: → \(clipped.last!) (floor 0.045)")
  }

  @Test("with LoRA adapters only the adapters and the value head train")
  func lora() throws {
    let policy = try RL.model()
    try policy.addLoRA(rank: 2, alpha: 4)
    let base = RL.weights(policy)
    let trainer = try Self.trainer(policy, Self.options(steps: 3, lr: 1e-2))
    let head = trainer.valueHead.weight.toArray()
    let (_, optimizer) = try trainer.run()
    #expect(optimizer.parameters.count == policy.adapterParameters.count + 2)
    #expect(RL.weights(policy) == base)
    #expect(trainer.valueHead.weight.toArray() != head)
    #expect(policy.adapterParameters.contains { $0.toArray().contains { $0 != 0 } })
  }

  @Test("shouldStop ends the run between steps; bad options are refused")
  func stopAndValidate() throws {
    var calls = 0
    let (report, _) = try Self.trainer(try RL.model(), Self.options(steps: 10)).run(shouldStop: {
      calls += 1
      return calls > 12  // 1 check before the step + 8 between rollouts, then step 2's
    })
    #expect(report.steps == 1 && report.stoppedEarly?.contains("interrupted") == true)
    var bad = Self.options(steps: 1)
    bad.temperature = 0
    #expect(throws: ModelError.self) { try Self.trainer(try RL.model(), bad) }
    #expect(throws: ModelError.self) {
      try PPOTrainer(policy: try RL.model(), tokenizer: RL.tokenizer, prompts: [String(repeating: "月", count: 20)],
                     options: Self.options(steps: 1), reward: RL.moonShare)
    }
  }
}
