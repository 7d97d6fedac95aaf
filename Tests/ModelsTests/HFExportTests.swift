import Foundation
import Testing
import TensorEngine
@testable import Models

/// Writes the inputs of `Scripts/verify-hf`: briefly trained tiny checkpoints of every layout,
/// each with its tokenizer and a logits reference. Runs only when `LLMLAB_HF_EXPORT` names a
/// directory (the test suite never needs Python or its libraries):
///
///     LLMLAB_HF_EXPORT=/tmp/hf swift test --filter HFExportTests
///
/// writes `/tmp/hf/<name>/` (the checkpoint) and `/tmp/hf/<name>.json` (the reference).
@Suite("Hugging Face export", .enabled(if: ProcessInfo.processInfo.environment["LLMLAB_HF_EXPORT"] != nil))
struct HFExportTests {
  static let text = """
    床前明月光，疑是地上霜。举头望明月，低头思故乡。The quick brown fox jumps over the lazy dog; \
    the dog sleeps, the fox runs. 春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。
    """

  /// Name, layout, tokenizer kind: the four layouts transformers loads and two it does not.
  static let variants: [(String, GPTConfig, String)] = {
    var base = GPTConfig()
    base.layers = 2; base.dim = 16; base.heads = 2; base.context = 16
    var gpt2Untied = base
    gpt2Untied.tiedEmbeddings = false; gpt2Untied.hidden = 24; gpt2Untied.normEpsilon = 1e-6
    var llama = base
    llama.positions = .rotary; llama.normalization = .rms; llama.mlp = .swiglu; llama.bias = false
    llama.tiedEmbeddings = false; llama.ropeTheta = 500_000; llama.normEpsilon = 1e-6
    var llamaTied = llama
    llamaTied.bias = true; llamaTied.tiedEmbeddings = true; llamaTied.hidden = 40; llamaTied.ropeTheta = 10_000
    var gpt2NoBias = base
    gpt2NoBias.bias = false
    var mixed = base
    mixed.positions = .rotary
    return [
      ("gpt2-tied-bpe", base, "bpe"), ("gpt2-untied-char", gpt2Untied, "char"),
      ("llama-untied-bpe", llama, "bpe"), ("llama-tied-bias-char", llamaTied, "char"),
      ("gpt2-nobias", gpt2NoBias, "bpe"), ("mixed-rotary-layernorm", mixed, "char"),
    ]
  }()

  @Test("export checkpoints and logits for verify-hf")
  func export() throws {
    let root = try #require(ProcessInfo.processInfo.environment["LLMLAB_HF_EXPORT"])
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    let bpe = try BPETrainer(vocabularySize: 300).train([Self.text]).0
    let chars = CharacterTokenizer(training: [Self.text])
    for (name, layout, kind) in Self.variants {
      let tokenizer: Tokenizer = kind == "bpe" ? bpe : chars
      var config = layout
      config.vocabulary = tokenizer.vocabularySize
      Random.seed(42)
      let model = try GPTModel(config: config)
      // Train a little, so that biases and norm weights are no longer 0 and 1: a checkpoint
      // that dropped them would then give different logits.
      let optimizer = try AdamW(parameters: model.parameters.map(\.tensor), learningRate: 1e-2)
      let ids = tokenizer.encode(Self.text)
      let t = config.context
      for step in 0..<30 {
        let start = (step * 5) % (ids.count - t - 1)
        let x = try Tensor(shape: [1, t], values: ids[start..<start + t].map(Float.init))
        let y = try Tensor(shape: [1, t], values: ids[start + 1..<start + t + 1].map(Float.init))
        optimizer.zeroGrad()
        try model.loss(ids: x, targets: y).backward()
        try optimizer.step()
      }
      try Checkpoint.save(model: model, tokenizer: tokenizer, to: root + "/" + name)
      let probe = Array(ids.suffix(t))
      try LogitsReference.write(
        model: model, ids: probe, tokenizer: tokenizer, text: "举头望明月 the lazy fox<|endoftext|>", to: root + "/" + name + ".json")
    }
  }
}
