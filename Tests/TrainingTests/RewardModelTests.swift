import Foundation
import Models
import TensorEngine
import Testing
@testable import Training

/// The reward model reads the last real token; reward training learns a toy preference.
@Suite("Reward model")
struct RewardModelTests {
  @Test("the score is read at the last non-padding token")
  func readsLastToken() throws {
    let rm = try RewardModel(policy: Align.tinyModel(), headStd: 0.5, seed: 3)
    let score = { (rows: [[Float]], lengths: [Int]) throws -> [Float] in
      try rm.scores(ids: Tensor(shape: [rows.count, rows[0].count], values: rows.flatMap { $0 }), lengths: lengths).toArray()
    }
    let a = try score([[1, 2, 3, 0, 0], [1, 2, 3, 4, 5]], [3, 5])
    // Tokens after the length do not matter…
    let b = try score([[1, 2, 3, 7, 6], [1, 2, 3, 4, 5]], [3, 5])
    #expect(a == b)
    // …the unpadded sequence scores the same…
    let alone = try score([[1, 2, 3]], [3])
    #expect(Align.close([a[0]], alone, 1e-5))
    // …and tokens before it do.
    let c = try score([[1, 5, 3, 0, 0], [1, 2, 3, 4, 5]], [3, 5])
    #expect(Swift.abs(c[0] - a[0]) > 1e-4)
    #expect(c[1] == a[1])
    #expect(throws: TensorError.self) { try score([[1, 2]], [3]) }
  }

  @Test("score gradients: the head's weight gets the last hidden state, its bias 1 per row")
  func gradients() throws {
    let rm = try RewardModel(policy: Align.tinyModel(), headStd: 0.5, seed: 3)
    let ids = try Tensor(shape: [2, 4], values: [1, 2, 3, 0, 4, 5, 6, 7])
    try rm.scores(ids: ids, lengths: [3, 4]).summed().backward()
    let h = try GradMode.withoutGradients { try rm.body.hidden(ids) }
    let expected = try zip(h.selected(axis: 0, index: 0).selected(axis: 0, index: 2).toArray(),
                           h.selected(axis: 0, index: 1).selected(axis: 0, index: 3).toArray()).map { $0 + $1 }
    #expect(Align.close(try #require(rm.headWeight.grad).toArray(), expected, 1e-5))
    #expect(try #require(rm.headBias.grad).toArray() == [2])
    // The body learns too.
    let embedding = try #require(rm.body["transformer.wte.weight"]?.grad)
    #expect(embedding.toArray().contains { $0 != 0 })
  }

  @Test("the reward model is a copy: training it leaves the policy alone")
  func copiesPolicy() throws {
    let policy = try Align.tinyModel()
    let before = policy.parameters.map { $0.tensor.toArray() }
    let rm = try RewardModel(policy: policy, headStd: 0.5, seed: 1)
    let opt = try AdamW(parameters: rm.parameters, learningRate: 0.1)
    let ids = try Tensor(shape: [1, 3], values: [1, 2, 3])
    try rm.scores(ids: ids, lengths: [3]).summed().backward()
    try opt.step()
    #expect(policy.parameters.map { $0.tensor.toArray() } == before)
    #expect(rm.body.parameters.map { $0.tensor.toArray() } != before)
  }

  /// Prompt [1, 2]; responses of four tokens from 4…7, the chosen one with a 3 somewhere.
  static func toyPairs(_ n: Int, seed: UInt64) -> [PreferenceTokens] {
    var rng = RandomGenerator(seed: seed)
    return (0..<n).map { _ in
      let filler = { (0..<4).map { _ in 4 + rng.nextInt(below: 4) } }
      var chosen = filler()
      chosen[rng.nextInt(below: 4)] = 3
      return PreferenceTokens(prompt: [1, 2], chosen: chosen, rejected: filler())
    }
  }

  @Test("reward training learns to prefer sequences containing token 3 (held-out accuracy ≥ 0.9)")
  func learnsToyPreference() throws {
    let rm = try RewardModel(policy: Align.tinyModel(seed: 5))
    var o = RewardOptions()
    o.steps = 60; o.batch = 16; o.learningRate = 3e-3; o.evalEvery = 20; o.seed = 7
    let trainer = try RewardTrainer(model: rm, train: Self.toyPairs(64, seed: 1), heldOut: Self.toyPairs(32, seed: 2), options: o)
    // The zero head scores everything 0: loss ln 2, accuracy 0 (ties are not wins).
    let start = try trainer.evaluate()
    #expect(Swift.abs(start.loss - StallDetector.ln2) < 1e-6 && start.accuracy == 0)
    let began = Date()
    var steps = 0
    let (report, _) = try trainer.run(onStep: { _ in steps += 1 })
    #expect(steps == 60 && report.steps == 60 && report.stoppedEarly == nil)
    #expect(report.heldOutAccuracy >= 0.9, "held-out accuracy \(report.heldOutAccuracy)")
    #expect(report.heldOutMargin > 0.5)
    #expect(report.trainLoss < report.trainCurve.first!.1)
    #expect(report.heldOutCurve.map(\.0) == [20, 40, 60])
    #expect(Date().timeIntervalSince(began) < 30)
  }

  @Test("pairs that do not fit the model are refused with the pair named")
  func validation() throws {
    let rm = try RewardModel(policy: Align.tinyModel(context: 6))
    let long = PreferenceTokens(prompt: [1, 2, 3], chosen: [4, 5, 6, 7], rejected: [4])
    #expect(throws: ModelError.self) { try RewardTrainer(model: rm, train: [long], heldOut: [], options: RewardOptions()) }
    let outside = PreferenceTokens(prompt: [1], chosen: [9], rejected: [4])
    let error = #expect(throws: ModelError.self) { try RewardTrainer(model: rm, train: [outside], heldOut: [], options: RewardOptions()) }
    #expect(error?.description.contains("pair 0") == true)
  }
}
