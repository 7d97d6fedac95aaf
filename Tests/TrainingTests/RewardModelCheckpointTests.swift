import Foundation
import Models
import TensorEngine
import Testing
@testable import Training

/// A trained reward model saved and loaded scores exactly as before; a plain GPT checkpoint
/// is not taken for one.
@Suite("Reward model checkpoints")
struct RewardModelCheckpointTests {
  static func temporaryDirectory() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("llmlab-rm-\(UUID().uuidString)").path
  }

  @Test("save then load: the same head and body, bit-identical scores")
  func roundTrip() throws {
    // A bias that is not 0 (Bradley–Terry training leaves it about where it starts: only
    // score differences enter the loss), so that a bias lost on the way would show.
    var rng = RandomGenerator(seed: 9)
    var w = [Float](repeating: 0, count: 16)
    w.withUnsafeMutableBufferPointer { rng.fillNormal($0, std: 0.5) }
    let rm = try RewardModel(body: Align.tinyModel(seed: 4), headWeight: Tensor(w), headBias: Tensor(scalar: 0.375))
    // A few steps, so that the body and the head differ from where they began.
    var o = RewardOptions()
    o.steps = 3; o.batch = 4; o.learningRate = 1e-2; o.evalEvery = 100
    _ = try RewardTrainer(model: rm, train: RewardModelTests.toyPairs(8, seed: 1), heldOut: [], options: o).run()
    #expect(rm.headWeight.toArray() != w)

    let directory = Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try rm.save(tokenizer: nil, to: directory)
    let loaded = try RewardModel(checkpoint: try Checkpoint.load(from: directory), directory: directory)

    #expect(loaded.headWeight.toArray().map(\.bitPattern) == rm.headWeight.toArray().map(\.bitPattern))
    #expect(try loaded.headBias.shape == [] && loaded.headBias.item().bitPattern == rm.headBias.item().bitPattern)
    #expect(loaded.body.parameters.map(\.name) == rm.body.parameters.map(\.name))
    let sequences = [[1, 2, 3, 4, 5], [1, 2, 6, 6, 7, 4], [1], [7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4]]
    let before = try rm.scores(sequences), after = try loaded.scores(sequences)
    #expect(after.map(\.bitPattern) == before.map(\.bitPattern), "\(before) vs \(after)")
    #expect(Set(before).count == sequences.count, "the sequences score differently, so the comparison means something")

    // The loaded model trains on: its head and body are parameters.
    #expect(loaded.parameters.count == rm.parameters.count && loaded.parameters.allSatisfy(\.requiresGrad))
  }

  @Test("a GPT checkpoint is not a reward model: the error names the directory and what it holds")
  func plainCheckpoint() throws {
    let directory = Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try Checkpoint.save(model: Align.tinyModel(), to: directory)
    let error = #expect(throws: ModelError.self) {
      try RewardModel(checkpoint: try Checkpoint.load(from: directory), directory: directory)
    }
    #expect(error?.description == "\(directory) holds a GPT model (its config.json marks no score head), not a reward model")
  }

  @Test("a head that does not fit the body is refused")
  func headShapes() throws {
    let body = try Align.tinyModel(dim: 16)
    #expect(throws: ModelError.self) { try RewardModel(body: body, headWeight: Tensor.zeros([8]), headBias: Tensor(scalar: 0)) }
    #expect(throws: ModelError.self) { try RewardModel(body: body, headWeight: Tensor.zeros([16]), headBias: Tensor([0])) }
    #expect(try RewardModel(body: body, headWeight: Tensor.zeros([16]), headBias: Tensor(scalar: 1)).scores([[1, 2]]) == [1])
  }
}
