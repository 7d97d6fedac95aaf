import Foundation
import Testing
import TensorEngine
@testable import Models

/// Resuming training from a checkpoint is exact: N steps, save, restore into a fresh model
/// and optimizer, M more steps gives the same bits as N + M steps without stopping.
@Suite("training state", .serialized)
struct TrainingResumeTests {
  /// A fixed sequence of batches: ids [2, 6] and their next-token targets.
  static func batch(_ step: Int, vocabulary: Int) throws -> (ids: Tensor, targets: Tensor) {
    let tokens = (0..<14).map { Float((step * 7 + $0 * $0 * 3 + $0) % vocabulary) }
    let ids = try Tensor(shape: [2, 6], values: Array(tokens[0..<6] + tokens[7..<13]))
    let targets = try Tensor(shape: [2, 6], values: Array(tokens[1..<7] + tokens[8..<14]))
    return (ids, targets)
  }

  static func train(_ model: GPTModel, _ optimizer: AdamW, steps: Range<Int>) throws {
    for step in steps {
      let (ids, targets) = try batch(step, vocabulary: model.config.vocabulary)
      optimizer.zeroGrad()
      try model.loss(ids: ids, targets: targets).backward()
      try optimizer.step()
    }
  }

  static func optimizer(for model: GPTModel) throws -> AdamW {
    try AdamW(parameters: model.parameters.map(\.tensor), learningRate: 3e-3, weightDecay: 0.1)
  }

  @Test("N steps, save, restore, M steps = N + M steps, bit for bit", arguments: [0, 1])
  func resumeIsExact(_ which: Int) throws {
    let config = CheckpointTests.layouts[which].1
    let (n, m) = (4, 3)
    Random.seed(21)
    let reference = try GPTModel(config: config)
    Random.seed(21)
    let interrupted = try GPTModel(config: config)
    let referenceOptimizer = try Self.optimizer(for: reference)
    try Self.train(reference, referenceOptimizer, steps: 0..<(n + m))

    let optimizer = try Self.optimizer(for: interrupted)
    try Self.train(interrupted, optimizer, steps: 0..<n)
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let state = try TrainingState(optimizer: optimizer, model: interrupted, info: ["seed": "21", "batches": "\(n)"])
    try Checkpoint.save(model: interrupted, optimizerState: state, to: directory)
    // Training on after the save must not change what was saved.
    try Self.train(interrupted, optimizer, steps: n..<(n + 2))

    Random.seed(999)  // a fresh process would have another generator state: none is needed
    let checkpoint = try Checkpoint.load(from: directory)
    let saved = try #require(checkpoint.trainingState)
    #expect(saved.step == n)
    #expect(saved.info == ["seed": "21", "batches": "\(n)"])
    #expect(saved.learningRate == 3e-3)
    let resumed = try checkpoint.makeModel()
    let resumedOptimizer = try Self.optimizer(for: resumed)
    resumedOptimizer.learningRate = 1  // restored from the state
    try saved.restore(into: resumedOptimizer, model: resumed)
    #expect(resumedOptimizer.stepCount == n && resumedOptimizer.learningRate == 3e-3)
    try Self.train(resumed, resumedOptimizer, steps: n..<(n + m))

    for ((name, a), (_, b)) in zip(reference.parameters, resumed.parameters) {
      #expect(sameBits(a, b), "\(name) differs after resuming")
    }
    for i in referenceOptimizer.parameters.indices {
      let (ma, va) = try #require(referenceOptimizer.moments(of: i))
      let (mb, vb) = try #require(resumedOptimizer.moments(of: i))
      #expect(sameBits(ma, mb) && sameBits(va, vb), "moments of parameter \(i) differ")
    }
  }

  @Test("AdamW's state export is a copy and restore checks shapes")
  func adamWStateAPI() throws {
    let p = Tensor([1, 2, 3]).requiringGrad()
    let q = try Tensor(shape: [2, 2], values: [1, 0, 0, 1]).requiringGrad()
    let optimizer = try AdamW(parameters: [p, q])
    try (p * p).summed().backward()  // q gets no gradient: no moments
    try optimizer.step()
    let state = optimizer.state()
    #expect(state.step == 1)
    #expect(state.moments[1] == nil)
    let m = try #require(state.moments[0]).m.toArray()
    try optimizer.step()
    #expect(try #require(state.moments[0]).m.toArray() == m, "later steps do not change an exported state")

    #expect(throws: TensorError.self) { try optimizer.restore(step: 1, moments: [nil]) }
    #expect(throws: TensorError.self) { try optimizer.restore(step: -1, moments: [nil, nil]) }
    #expect(throws: TensorError.self) {
      try optimizer.restore(step: 1, moments: [nil, (Tensor.zeros([4]), Tensor.zeros([2, 2]))])
    }
    #expect(optimizer.stepCount == 2, "a failed restore changes nothing")
    try optimizer.restore(step: 1, moments: state.moments)
    #expect(optimizer.stepCount == 1 && optimizer.moments(of: 0)?.m.toArray() == m && optimizer.moments(of: 1) == nil)
  }

  @Test("training state files are checked against the model and the save")
  func trainingStateValidation() throws {
    let config = CheckpointTests.layouts[0].1
    let model = try GPTModel(config: config)
    let optimizer = try Self.optimizer(for: model)
    try Self.train(model, optimizer, steps: 0..<1)
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let state = try TrainingState(optimizer: optimizer, model: model)
    try Checkpoint.save(model: model, optimizerState: state, to: directory)
    let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    #expect(files == ["config.json", "model.safetensors", "training_state.json", "training_state.safetensors"])

    // Moments of the wrong shape.
    let path = directory + "/training_state.safetensors"
    let original = try SafeTensorsFile(contentsOf: path)
    var file = original
    let i = try #require(file.tensors.firstIndex { $0.name == "transformer.wpe.weight.v" })
    file.tensors[i].tensor = Tensor.zeros([3])
    try file.write(to: path)
    expectLoadError(directory, ["tensor transformer.wpe.weight.v has shape [3], its parameter has [6, 8]"])
    // Moments of a parameter the model does not have.
    file = original
    file.tensors += [("lm_head.weight.m", Tensor.zeros([11, 8])), ("lm_head.weight.v", Tensor.zeros([11, 8]))]
    try file.write(to: path)
    expectLoadError(directory, ["moments for lm_head.weight, which is not a parameter"])
    // Half of a pair.
    file = original
    file.tensors.removeAll { $0.name == "transformer.wte.weight.m" }
    try file.write(to: path)
    expectLoadError(directory, ["transformer.wte.weight has only one of its moments"])
    // From another save (an interrupted save leaves files of two saves).
    try original.write(to: path)
    try Checkpoint.save(model: model, optimizerState: state, to: directory + "/other")
    try FileManager.default.removeItem(atPath: path)
    try FileManager.default.copyItem(atPath: directory + "/other/training_state.safetensors", toPath: path)
    expectLoadError(directory, ["training_state", "belongs to another save"])
    try FileManager.default.removeItem(atPath: directory + "/training_state.json")
    expectLoadError(directory, ["training_state.json: missing"])

    // Saving without a state removes the old one instead of leaving it to be resumed.
    try Checkpoint.save(model: model, to: directory)
    #expect(try Checkpoint.load(from: directory).trainingState == nil)

    // An optimizer over tensors that are not the model's cannot be named.
    let stranger = try AdamW(parameters: [Tensor([1]).requiringGrad()])
    #expect(throws: ModelError.self) { try TrainingState(optimizer: stranger, model: model) }
  }

  func expectLoadError(_ directory: String, _ parts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    do {
      _ = try Checkpoint.load(from: directory)
      Issue.record("loaded; expected an error containing \(parts)", sourceLocation: sourceLocation)
    } catch {
      let message = "\(error)"
      for part in parts { #expect(message.contains(part), "\(message)", sourceLocation: sourceLocation) }
    }
  }
}
