import Foundation
import Models
import TensorEngine
import Testing
@testable import Training

/// Response-only log-probabilities, the stall detector, and DPO on a toy pair set.
@Suite("DPO training")
struct DPOTrainerTests {
  @Test("response targets mask the prompt and the padding")
  func responseTargets() throws {
    // prompt [1, 2] + response [3, 4] = [1, 2, 3, 4]: ids [1, 2, 3], targets [−100, 3, 4]
    // prompt [5] + response [6, 7, 1] = [5, 6, 7, 1]: ids [5, 6, 7], targets [6, 7, 1]
    // prompt [2] + response [3]       = [2, 3]:       ids [2, 0, 0], targets [3, −100, −100]
    let (ids, targets) = try TokenBatch.responseTargets(prompts: [[1, 2], [5], [2]], responses: [[3, 4], [6, 7, 1], [3]])
    #expect(ids.shape == [3, 3])
    #expect(ids.toArray() == [1, 2, 3, 5, 6, 7, 2, 0, 0])
    #expect(targets.toArray() == [-100, 3, 4, 6, 7, 1, 3, -100, -100])
    let (padded, lengths) = try TokenBatch.padded([[1, 2, 3], [4]])
    #expect(padded.toArray() == [1, 2, 3, 4, 0, 0] && lengths == [3, 1])
  }

  @Test("a text pair becomes tokens in the chat layout SFT trains on")
  func fromText() throws {
    let tok = CharacterTokenizer(training: ["写诗明月光花"])
    let t = try PreferenceTokens(prompt: "写诗", chosen: "明月", rejected: "花", tokenizer: tok)
    // prompt <|user|> 写 诗 <|end|> <|assistant|>; responses 明 月 <|end|> and 花 <|end|>
    #expect(t.prompt.map(tok.tokenText) == ["<|user|>", "写", "诗", "<|end|>", "<|assistant|>"])
    #expect(t.chosen.map(tok.tokenText) == ["明", "月", "<|end|>"])
    #expect(t.rejected.map(tok.tokenText) == ["花", "<|end|>"])
  }

  @Test("splitting pairs holds out the requested share, disjoint from training")
  func split() {
    let pairs = (0..<10).map { PreferenceTokens(prompt: [$0], chosen: [1], rejected: [2]) }
    let (train, heldOut) = PreferenceTokens.split(pairs, heldOutFraction: 0.2, seed: 1)
    #expect(train.count == 8 && heldOut.count == 2)
    #expect(Set((train + heldOut).map(\.prompt)) == Set(pairs.map(\.prompt)))
    #expect(PreferenceTokens.split(Array(pairs.prefix(2)), heldOutFraction: 0.01, seed: 1).heldOut.count == 1)
  }

  @Test("sequence log-probabilities sum log p over response tokens only")
  func responseLogProbs() throws {
    let model = try Align.tinyModel(std: 0.3)
    let pair = PreferenceTokens(prompt: [1, 2], chosen: [3, 4], rejected: [5])
    let (c, r) = try DPOTrainer.logProbs(model, [pair])
    // By hand from the logits of [1, 2, 3]: log p(3 | 1 2) + log p(4 | 1 2 3), and log p(5 | 1 2).
    let logp = try model.forward(Tensor(shape: [1, 3], values: [1, 2, 3])).logSoftmax(axis: -1)
    let expectedChosen = try logp.element(at: [0, 1, 3]) + logp.element(at: [0, 2, 4])
    let expectedRejected = try logp.element(at: [0, 1, 5])
    #expect(Align.close(c.toArray(), [expectedChosen], 1e-5))
    #expect(Align.close(r.toArray(), [expectedRejected], 1e-5))
  }

  @Test("the stall detector warns once after n steps near ln 2 and rearms when the loss moves")
  func stallDetector() {
    var s = StallDetector(steps: 3, tolerance: 0.01)
    let ln2 = StallDetector.ln2
    #expect(s.observe(ln2, step: 1) == nil)
    #expect(s.observe(ln2 + 0.009, step: 2) == nil)
    #expect(s.observe(ln2 - 0.005, step: 3)?.contains("3 steps") == true)
    #expect(s.observe(ln2, step: 4) == nil)  // once per stall
    #expect(s.observe(ln2 - 0.05, step: 5) == nil && s.run == 0)  // learning: rearmed
    #expect(s.observe(ln2, step: 6) == nil && s.observe(ln2, step: 7) == nil)
    #expect(s.observe(ln2, step: 8) != nil)
  }

  @Test("the epoch sampler visits every pair once per epoch and depends only on (seed, step)")
  func sampler() {
    var a = EpochSampler(count: 10, batch: 4, seed: 3)
    let firstEpoch = (0..<5).flatMap { a.indices(step: $0) }  // 20 draws = 2 epochs
    #expect(Set(firstEpoch.prefix(10)) == Set(0..<10))
    #expect(Set(firstEpoch.suffix(10)) == Set(0..<10))
    var b = EpochSampler(count: 10, batch: 4, seed: 3)
    #expect(b.indices(step: 3) == a.indices(step: 3))
  }

  /// Prompt [1, 2]; responses of three tokens from 4…7, the chosen one with a 3 in it.
  static func toyPairs(_ n: Int, seed: UInt64) -> [PreferenceTokens] {
    var rng = RandomGenerator(seed: seed)
    return (0..<n).map { _ in
      let filler = { (0..<3).map { _ in 4 + rng.nextInt(below: 4) } }
      var chosen = filler()
      chosen[rng.nextInt(below: 3)] = 3
      return PreferenceTokens(prompt: [1, 2], chosen: chosen, rejected: filler())
    }
  }

  @Test("DPO raises the implicit-reward accuracy on held-out pairs")
  func learnsToyPreference() throws {
    let policy = try Align.tinyModel(seed: 11)
    var o = DPOOptions()
    o.steps = 30; o.batch = 8; o.learningRate = 3e-3; o.beta = 0.5; o.evalEvery = 10; o.seed = 4
    let trainer = try DPOTrainer(policy: policy, train: Self.toyPairs(32, seed: 1), heldOut: Self.toyPairs(16, seed: 2), options: o)
    var losses: [Float] = []
    let (report, _) = try trainer.run(onStep: { losses.append($0.loss) })
    let initial = try #require(report.initial)
    // The policy starts as the reference: every implicit reward is 0, the loss ln 2.
    #expect(Swift.abs(initial.loss - StallDetector.ln2) < 1e-5 && initial.accuracy == 0 && initial.margin == 0)
    #expect(Swift.abs(losses[0] - StallDetector.ln2) < 1e-5)
    #expect(report.final.accuracy > initial.accuracy)
    #expect(report.final.accuracy >= 0.8, "accuracy \(report.final.accuracy)")
    #expect(report.final.margin > 0 && report.final.loss < initial.loss)
    #expect(report.accuracyCurve.map(\.0) == [0, 10, 20, 30])
    #expect(report.warnings.isEmpty)
    // The reference did not move.
    let (refC, _) = try DPOTrainer.logProbs(trainer.reference, [trainer.train[0]])
    let (freshC, _) = try DPOTrainer.logProbs(try Align.tinyModel(seed: 11), [trainer.train[0]])
    #expect(Align.close(refC.toArray(), freshC.toArray(), 1e-6))
  }

  @Test("the sft_weight term (RPO) keeps the chosen answers likelier than plain DPO does")
  func sftWeight() throws {
    func chosenLogProb(after weight: Float) throws -> Float {
      let policy = try Align.tinyModel(seed: 11)
      var o = DPOOptions()
      o.steps = 30; o.batch = 8; o.learningRate = 3e-3; o.beta = 0.5; o.evalEvery = 100; o.seed = 4; o.sftWeight = weight
      let train = Self.toyPairs(32, seed: 1)
      let trainer = try DPOTrainer(policy: policy, train: train, options: o)
      let (report, _) = try trainer.run()
      #expect(report.final.accuracy >= 0.8, "sft_weight \(weight): accuracy \(report.final.accuracy)")
      let (c, _) = try DPOTrainer.logProbs(policy, train)
      return try c.mean().item()
    }
    let plain = try chosenLogProb(after: 0), anchored = try chosenLogProb(after: 1)
    #expect(anchored > plain, "mean log p(chosen): \(anchored) with sft_weight 1, \(plain) without")
  }

  @Test("nothing learned (lr 0): the stall warning is given, with sft_weight too", arguments: [Float(0), 1])
  func stallWarning(sftWeight: Float) throws {
    var o = DPOOptions()
    o.steps = 8; o.batch = 4; o.learningRate = 0; o.stallSteps = 5; o.evalEvery = 100
    // The chosen answers' loss keeps the objective far from ln 2; the warning watches the DPO part.
    o.sftWeight = sftWeight
    let trainer = try DPOTrainer(policy: Align.tinyModel(), train: Self.toyPairs(8, seed: 3), options: o)
    var warnedAt: [Int] = []
    let (report, _) = try trainer.run(onStep: { m in if m.warning != nil { warnedAt.append(m.step) } })
    #expect(warnedAt == [5])
    #expect(report.warnings.count == 1 && report.warnings[0].contains("ln 2"))
  }

  @Test("with LoRA adapters only the adapters train, and trained unmerged adapters refuse to be copied")
  func lora() throws {
    let policy = try Align.tinyModel(seed: 2)
    try policy.addLoRA(rank: 2, alpha: 4)
    var o = DPOOptions()
    o.steps = 3; o.batch = 4; o.learningRate = 1e-2; o.evalEvery = 100
    let trainer = try DPOTrainer(policy: policy, train: Self.toyPairs(8, seed: 5), options: o)
    let base = policy.parameters.map { $0.tensor.toArray() }
    let (_, optimizer) = try trainer.run()
    #expect(optimizer.parameters.count == policy.adapterParameters.count)
    #expect(policy.parameters.map { $0.tensor.toArray() } == base)
    #expect(throws: ModelError.self) { try DPOTrainer(policy: policy, train: Self.toyPairs(2, seed: 5), options: o) }
    #expect(throws: ModelError.self) { try RewardModel(policy: policy) }
  }
}
