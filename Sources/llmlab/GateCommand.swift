import ArgumentParser
import Benchmarks
import Foundation

/// `llmlab bench gate`: writes what `Scripts/check-vs-pytorch` needs to check that llmlab and
/// PyTorch do the same training work (see `CorrectnessGate`).
struct GateBenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gate",
    abstract: "Save a workload's initial model and batches, train a few steps, write the losses (for Scripts/check-vs-pytorch).",
    discussion: """
      A training workload: \
      \(Workload.all.filter { $0.newTokens == nil }.map(\.name).joined(separator: ", ")), \
      e.g. `llmlab bench gate --workload train-V --out /tmp/gate`.
      """)

  @OptionGroup var engine: EngineOptions
  @Option(help: "A standard training workload.") var workload = "train-S"
  @Option(help: "Directory to write: initial/ and final/ (checkpoints), batches.safetensors, losses.json.") var out: String
  @Option(help: "Training steps.") var steps = 10

  func run() throws {
    try engine.apply()
    let name = workload
    guard let w = Workload.all.first(where: { $0.name == name }) else {
      throw ValidationError("unknown workload \(name); known: \(Workload.all.map(\.name).joined(separator: ", "))")
    }
    guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
    var gate = try CorrectnessGate(workload: w)
    gate.steps = steps
    let result = try gate.run(into: out) { step, loss in
      print("step \(step + 1)  loss \(loss)")
      fflush(nil)
    }
    print("\(w.name): \(result.parameters) parameters, \(steps) steps; wrote \(out)/initial, \(out)/final, \(out)/batches.safetensors, \(out)/losses.json")
  }
}
