import ArgumentParser
import Benchmarks
import Foundation

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure the engine: standard workloads (--workload), or kernels against raw BLAS and memcpy (ops).",
    subcommands: [WorkloadBenchCommand.self, OpsBenchCommand.self, GateBenchCommand.self],
    defaultSubcommand: WorkloadBenchCommand.self)
}

/// `llmlab bench --workload NAME`: the default subcommand, so that the options belong to it
/// alone and `bench ops --json` reaches `ops`.
struct WorkloadBenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "workload",
    abstract: "Time one standard workload (the default: `llmlab bench --workload NAME`).")

  @OptionGroup var engine: EngineOptions
  @Option(help: "A standard workload: \(Workload.all.map(\.name).joined(separator: ", ")).") var workload: String?
  @Flag(help: "Print one JSON object per run.") var json = false
  @Option(help: "Seconds of timed steps.") var seconds: Double = 10
  @Flag(help: "Also show where a training step's time goes, and the matrix products' efficiency against raw cblas_sgemm.")
  var profile = false

  func run() throws {
    try engine.apply()
    guard let name = workload else { throw ValidationError("give --workload NAME, or use `llmlab bench ops`") }
    guard let w = Workload.all.first(where: { $0.name == name }) else {
      throw ValidationError("unknown workload \(name); known: \(Workload.all.map(\.name).joined(separator: ", "))")
    }
    var bench = WorkloadBenchmark(workload: w)
    bench.seconds = seconds
    bench.profile = profile
    let m = try bench.run()
    if json {
      print(m.jsonLine)
      return
    }
    print(m.fields.filter { $0.0 != "profile" }.map { "\($0.0)=\($0.1.plain)" }.joined(separator: "  "))
    if let p = bench.stepProfile { print(p.table) }
  }
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
