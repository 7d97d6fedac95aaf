// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "llmlab",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "llmlab", targets: ["llmlab"]),
    .library(name: "TensorEngine", targets: ["TensorEngine"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.7.0"),
  ],
  targets: [
    // MARK: - System libraries

    /// OpenBLAS: every matrix product in the engine goes through its `cblas_sgemm`.
    .systemLibrary(
      name: "COpenBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),
    /// libedit: the REPL's line editor, history and completion.
    .systemLibrary(
      name: "CEditLine",
      pkgConfig: "libedit",
      providers: [.apt(["libedit-dev"])]
    ),

    // MARK: - Layers

    /// Float32 tensors, kernels, reverse-mode autograd, optimizers, seeded randomness.
    .target(name: "TensorEngine", dependencies: ["COpenBLAS"]),
    /// Tokenizers, the GPT model, datasets and checkpoints, on the engine.
    .target(name: "Models", dependencies: ["TensorEngine"]),
    /// Training stages: pretraining (later SFT, reward modeling, RL), their logs and curves.
    .target(name: "Training", dependencies: ["Models", "TensorEngine"]),
    /// The .llm language: lexer, parser, syntax tree, diagnostics (no engine dependency).
    .target(name: "Language"),
    /// Values, built-ins and the interpreter that turns statements into engine calls.
    .target(name: "Runtime", dependencies: ["Language", "TensorEngine", "Models", "Training"]),
    /// The interactive prompt on libedit: cells, completion, history, meta commands.
    .target(name: "REPL", dependencies: ["Runtime", "Language", "CEditLine"]),
    /// Measurements printed by `llmlab bench`: engine against raw BLAS and memcpy.
    .target(name: "Benchmarks", dependencies: ["TensorEngine", "Models", "COpenBLAS"]),
    /// Small end-to-end engine demonstrations (the main job until the language exists).
    .target(name: "Demos", dependencies: ["TensorEngine"]),

    // MARK: - Executable

    /// The thin `llmlab` command: parses arguments and calls the libraries.
    .executableTarget(
      name: "llmlab",
      dependencies: [
        "TensorEngine", "Benchmarks", "Demos", "Language", "Runtime", "REPL",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),

    // MARK: - Tests

    .testTarget(name: "TensorEngineTests", dependencies: ["TensorEngine"]),
    .testTarget(name: "TrainingTests", dependencies: ["Training", "Models", "TensorEngine"]),
    .testTarget(name: "ModelsTests", dependencies: ["Models", "TensorEngine", "Runtime"]),
    .testTarget(name: "LanguageTests", dependencies: ["Language", "Runtime"], resources: [.copy("Fixtures")]),
  ]
)
