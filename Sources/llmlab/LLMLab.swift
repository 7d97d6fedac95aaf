import ArgumentParser
import TensorEngine

@main
struct LLMLab: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "llmlab",
    abstract: "A notebook-style lab for building large language models, from tensors to RLHF.",
    version: LLMLabVersion.current,
    subcommands: [DemoCommand.self, BenchCommand.self],
    defaultSubcommand: nil)
}

enum LLMLabVersion {
  static let current = "0.1.0"
}

/// Options every computing subcommand shares.
struct EngineOptions: ParsableArguments {
  @Option(help: "Threads for BLAS and the engine's loops (default: all cores).")
  var threads: Int?

  func apply() throws {
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    EngineThreads.configure(threads: threads)
  }
}
