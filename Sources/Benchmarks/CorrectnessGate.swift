import Foundation
import Models
import TensorEngine

/// `llmlab bench gate`: the evidence that a side-by-side benchmark compares the same work.
///
/// It builds a training workload's model as `WorkloadBenchmark` does (seed 0, GPT-2's
/// initialization), saves it before any step, trains it for a few steps with the benchmark's
/// AdamW and records every step's batch and loss. `Scripts/check-vs-pytorch.py` loads the
/// same weights into the PyTorch model of `shared/bench/torch_gpt_bench.py`, trains it on
/// the same batches and compares the two loss columns.
///
/// The directory it writes:
///
///     initial/              the model before training, a checkpoint (`Checkpoint.save`:
///                           model.safetensors under GPT-2's names, config.json)
///     final/                the model after the last step, the same way: the updates
///                           themselves can be compared, not only the losses
///     batches.safetensors   "x" and "y", [steps, batch, context] token ids stored as F32
///                           (exact: every id is far below 2^24)
///     losses.json           the workload, the optimizer's settings and the losses
///
/// The first batch is the benchmark's own (`RandomGenerator(seed: 1)`, x then y); later
/// steps keep drawing from the same generator, so each step sees new tokens and a wrong
/// gradient cannot hide behind a repeated batch.
public struct CorrectnessGate {
  public let workload: Workload
  public var steps = 10

  /// The benchmark's optimizer settings (`WorkloadBenchmark`); the other AdamW settings are
  /// the engine's defaults, written out here so that losses.json states all of them.
  public static let learningRate: Float = 3e-4, weightDecay: Float = 0.1
  public static let beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8

  public init(workload: Workload) throws {
    guard workload.newTokens == nil else {
      throw ModelError("bench gate: \(workload.name) is a sampling workload; the gate trains (use a train-* workload)")
    }
    self.workload = workload
  }

  public struct Result: Sendable {
    public var losses: [Float]
    public var parameters: Int
  }

  /// Trains `steps` steps, writing the directory described above into `directory`;
  /// `onStep(step, loss)` is called after each step.
  public func run(into directory: String, onStep: (Int, Float) -> Void = { _, _ in }) throws -> Result {
    guard steps >= 1 else { throw ModelError("bench gate: --steps must be at least 1 (got \(steps))") }
    let w = workload
    // As WorkloadBenchmark.run: the seed, then the model, then the optimizer.
    Random.seed(0)
    let model = try GPTModel(config: w.config)
    try Checkpoint.save(model: model, to: directory + "/initial")
    let optimizer = try AdamW(
      parameters: model.parameters.map(\.tensor), learningRate: Self.learningRate, beta1: Self.beta1,
      beta2: Self.beta2, epsilon: Self.epsilon, weightDecay: Self.weightDecay)

    var rng = RandomGenerator(seed: 1)
    let count = w.batch * w.context
    func tokens() -> [Float] { (0..<count).map { _ in Float(rng.nextInt(below: w.vocabulary)) } }
    var xs: [Float] = [], ys: [Float] = []
    for _ in 0..<steps {
      xs += tokens()
      ys += tokens()
    }
    let shape = [steps, w.batch, w.context]
    try SafeTensorsFile(
      tensors: [("x", try Tensor(shape: shape, values: xs)), ("y", try Tensor(shape: shape, values: ys))],
      metadata: ["producer": "llmlab bench gate", "workload": w.name]
    ).write(to: directory + "/batches.safetensors")

    var losses: [Float] = []
    for step in 0..<steps {
      let x = try Tensor(shape: [w.batch, w.context], values: Array(xs[(step * count)..<((step + 1) * count)]))
      let y = try Tensor(shape: [w.batch, w.context], values: Array(ys[(step * count)..<((step + 1) * count)]))
      optimizer.zeroGrad()
      let loss = try model.loss(ids: x, targets: y)
      try loss.backward()
      try optimizer.step()
      losses.append(try loss.item())
      onStep(step, losses[step])
    }
    try Checkpoint.save(model: model, to: directory + "/final")
    try writeLosses(losses, decayed: optimizer.decays, names: model.parameters.map(\.name), to: directory + "/losses.json")
    return Result(losses: losses, parameters: model.parameterCount)
  }

  /// losses.json. Floats are written in their shortest form that reads back exactly.
  /// `no_decay` lists the parameters AdamW exempts from weight decay (the engine's default
  /// exempts every parameter of rank < 2: biases and LayerNorm weights).
  func writeLosses(_ losses: [Float], decayed: [Float], names: [String], to path: String) throws {
    func quoted(_ s: String) -> String { "\"" + s + "\"" }
    let exempt = zip(names, decayed).filter { $0.1 == 0 }.map { quoted($0.0) }
    let w = workload
    let text = """
      {
        "workload": \(quoted(w.name)),
        "shape": {"layers": \(w.layers), "dim": \(w.dim), "heads": \(w.heads), "context": \(w.context), "batch": \(w.batch), "vocab": \(w.vocabulary)},
        "steps": \(losses.count),
        "threads": \(EngineThreads.count),
        "optimizer": {"name": "adamw", "lr": \(Self.learningRate), "beta1": \(Self.beta1), "beta2": \(Self.beta2), "eps": \(Self.epsilon), "weight_decay": \(Self.weightDecay),
          "no_decay": [\(exempt.joined(separator: ", "))]},
        "losses": [\(losses.map { "\($0)" }.joined(separator: ", "))]
      }

      """
    do {
      try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw ModelError("\(path): cannot write the losses (\(error.localizedDescription))")
    }
  }
}
