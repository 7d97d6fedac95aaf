import ArgumentParser
import Benchmarks
import Foundation

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure the engine against raw BLAS, memcpy and (later) PyTorch.",
    subcommands: [OpsBenchCommand.self])
}

struct OpsBenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ops",
    abstract: "Matrix products against raw cblas_sgemm; memory-bound kernels against memcpy.")

  @OptionGroup var engine: EngineOptions
  @Flag(help: "Print one JSON object per measurement.") var json = false
  @Option(help: "Timed repetitions per measurement (the median is reported).") var repeats = 7

  func run() throws {
    try engine.apply()
    guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    var bench = OpsBenchmark()
    bench.repeats = repeats
    try bench.run { m in
      if json {
        print(m.jsonLine)
      } else {
        print(m.fields.map { "\($0.0)=\($0.1.plain)" }.joined(separator: "  "))
      }
      fflush(nil)
    }
  }
}
