import Testing
import TensorEngine
import Models
@testable import Training

/// Pretraining: the loss falls, a non-finite loss stops with a message, and a run resumed
/// from its optimizer state continues exactly like an uninterrupted one.
@Suite("Pretraining", .serialized)
struct PretrainerTests {
  static func setup(dropout: Float = 0.1) throws -> (GPTModel, TokenDataset) {
    let docs = (0..<40).map { i in "第\(i)首：床前明月光，疑是地上霜。举头望明月，低头思故乡。" }
    let tok = CharacterTokenizer(training: docs)
    let data = try TokenDataset(corpus: Corpus(name: "test", documents: docs), tokenizer: tok, context: 16, split: 0.9, seed: 1)
    var c = GPTConfig()
    c.layers = 2; c.dim = 32; c.heads = 2; c.context = 16; c.vocabulary = tok.vocabularySize; c.dropout = dropout
    Random.seed(42)
    return (try GPTModel(config: c), data)
  }

  static func options(steps: Int) -> PretrainOptions {
    var o = PretrainOptions()
    o.steps = steps; o.batch = 4; o.learningRate = 3e-3; o.warmup = 2; o.evalEvery = 1000; o.evalWindows = 4; o.seed = 9
    return o
  }

  @Test("the loss falls")
  func lossFalls() throws {
    let (model, data) = try Self.setup()
    let (report, _) = try Pretrainer(model: model, data: data, options: Self.options(steps: 40)).run(onStep: { _ in }, shouldStop: { false })
    #expect(report.trainCurve.last!.1 < report.trainCurve.first!.1 - 0.5)
    #expect(report.validationLoss.isFinite)
    #expect(report.stoppedEarly == nil)
  }

  @Test("resuming from step s with the optimizer state equals an uninterrupted run")
  func resume() throws {
    let (a, data) = try Self.setup()
    let uninterrupted = try Pretrainer(model: a, data: data, options: Self.options(steps: 12))
    _ = try uninterrupted.run(onStep: { _ in }, shouldStop: { false })

    let (b, _) = try Self.setup()
    let first = try Pretrainer(model: b, data: data, options: Self.options(steps: 12))
    var stepsSeen = 0
    let (partial, optimizer) = try first.run(onStep: { _ in stepsSeen += 1 }, shouldStop: { stepsSeen >= 7 })
    #expect(partial.steps == 7)
    #expect(partial.stoppedEarly != nil)
    _ = try first.run(optimizer: optimizer, startStep: 7, onStep: { _ in }, shouldStop: { false })

    for ((name, p), (_, q)) in zip(a.parameters, b.parameters) {
      #expect(p.toArray() == q.toArray(), "\(name) differs after resuming")
    }
  }

  @Test("a diverging run stops at the first non-finite loss with advice")
  func divergence() throws {
    let (model, data) = try Self.setup(dropout: 0)
    var o = Self.options(steps: 30)
    o.learningRate = 1e6
    o.clip = 0
    o.warmup = 0
    let (report, _) = try Pretrainer(model: model, data: data, options: o).run(onStep: { _ in }, shouldStop: { false })
    let why = try #require(report.stoppedEarly)
    #expect(why.contains("lower lr"))
    #expect(report.steps < 30)
  }
}
