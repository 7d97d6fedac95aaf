import ArgumentParser
import Demos
import Foundation

struct DemoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Train a two-layer network on three interleaved spirals and show the loss falling.")

  @OptionGroup var engine: EngineOptions
  @Option(help: "Training steps.") var steps = 500
  @Option(help: "Random seed.") var seed: UInt64 = 7

  func run() throws {
    try engine.apply()
    var demo = SpiralClassifier()
    demo.steps = steps
    demo.seed = seed
    let report = try demo.run { print($0); fflush(nil) }
    print(String(format: "done in %.2f s", report.seconds))
  }
}
