import Foundation
import Testing
import TensorEngine
@testable import Models

/// Saving and loading whole checkpoints: weights, config, tokenizer, and every way a
/// directory can be incomplete or inconsistent.
@Suite("checkpoints", .serialized)
struct CheckpointTests {
  static let layouts: [(String, GPTConfig)] = {
    var gpt2 = GPTConfig()
    gpt2.layers = 2; gpt2.dim = 8; gpt2.heads = 2; gpt2.context = 6; gpt2.vocabulary = 11
    var llama = gpt2
    llama.positions = .rotary; llama.normalization = .rms; llama.mlp = .swiglu; llama.bias = false; llama.tiedEmbeddings = false
    llama.ropeTheta = 500_000; llama.normEpsilon = 1e-6
    var mixed = gpt2
    mixed.positions = .rotary; mixed.mlp = .swiglu; mixed.hidden = 24; mixed.dropout = 0.1
    return [("gpt2", gpt2), ("llama", llama), ("mixed", mixed)]
  }()

  @Test("save then load: bit-identical parameters and logits", arguments: [0, 1, 2])
  func saveLoadRoundTrip(_ which: Int) throws {
    let (_, config) = Self.layouts[which]
    Random.seed(5)
    let model = try GPTModel(config: config)
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try Checkpoint.save(model: model, to: directory + "/ckpt")  // created if missing

    let files = try FileManager.default.contentsOfDirectory(atPath: directory + "/ckpt").sorted()
    #expect(files == ["config.json", "model.safetensors"])
    let checkpoint = try Checkpoint.load(from: directory + "/ckpt")
    #expect(checkpoint.config == config)
    #expect(checkpoint.tokenizer == nil && checkpoint.trainingState == nil)
    #expect(checkpoint.parameters.count == model.parameters.count)
    for (name, tensor) in model.parameters {
      let loaded = try #require(checkpoint.parameters[name], "\(name) missing")
      #expect(loaded.shape == tensor.shape)
      #expect(sameBits(loaded, tensor), "\(name)")
    }
    let restored = try checkpoint.makeModel()
    #expect(restored.parameters.map(\.name) == model.parameters.map(\.name))
    let ids = try Tensor(shape: [2, 6], values: [1, 4, 2, 9, 3, 0, 7, 7, 5, 10, 2, 1])
    let before = try GradMode.withoutGradients { try model.forward(ids) }.toArray()
    let after = try GradMode.withoutGradients { try restored.forward(ids) }.toArray()
    #expect(before.map(\.bitPattern) == after.map(\.bitPattern), "logits differ after loading")
  }

  @Test("tied embeddings are saved once, with no lm_head.weight")
  func tiedEmbeddings() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    for (_, config) in Self.layouts {
      try Checkpoint.save(model: try GPTModel(config: config), to: directory)
      let names = try SafeTensorsFile(contentsOf: directory + "/model.safetensors").names
      #expect(names.contains("lm_head.weight") == !config.tiedEmbeddings)
      #expect(names.contains("transformer.wte.weight") || names.contains("model.embed_tokens.weight"))
    }
  }

  @Test("GPT-2 and LLaMA names and shapes are Hugging Face's")
  func huggingFaceNames() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try Checkpoint.save(model: try GPTModel(config: Self.layouts[0].1), to: directory)
    var file = try SafeTensorsFile(contentsOf: directory + "/model.safetensors")
    #expect(file.metadata["format"] == "pt", "transformers refuses safetensors without format: pt")
    #expect(file["transformer.h.1.attn.c_attn.weight"]?.shape == [8, 24])  // Conv1D: [in, out]
    #expect(file["transformer.h.0.mlp.c_proj.weight"]?.shape == [32, 8])
    #expect(file["transformer.wpe.weight"]?.shape == [6, 8])
    #expect(file["transformer.ln_f.bias"]?.shape == [8])
    try Checkpoint.save(model: try GPTModel(config: Self.layouts[1].1), to: directory)
    file = try SafeTensorsFile(contentsOf: directory + "/model.safetensors")
    #expect(file["model.layers.0.self_attn.q_proj.weight"]?.shape == [8, 8])
    #expect(file["model.layers.1.mlp.down_proj.weight"]?.shape == [8, 32])  // Linear: [out, in]
    #expect(file["model.layers.1.mlp.gate_proj.weight"]?.shape == [32, 8])
    #expect(file["model.norm.weight"]?.shape == [8])
    #expect(file["lm_head.weight"]?.shape == [11, 8])
  }

  @Test("tokenizer.json round trip inside a checkpoint", arguments: ["character", "bpe"])
  func tokenizerRoundTrip(_ kind: String) throws {
    let text = "床前明月光，疑是地上霜。举头望明月，低头思故乡。 the quick brown fox, the lazy dog"
    let tokenizer: Tokenizer
    if kind == "bpe" {
      tokenizer = try BPETrainer(vocabularySize: 300).train([text, text]).0
    } else {
      tokenizer = CharacterTokenizer(training: [text])
    }
    var config = Self.layouts[0].1
    config.vocabulary = tokenizer.vocabularySize
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try Checkpoint.save(model: try GPTModel(config: config), tokenizer: tokenizer, to: directory)
    let loaded = try #require(try Checkpoint.load(from: directory).tokenizer)
    #expect(loaded.kind == tokenizer.kind)
    #expect(loaded.vocabularySize == tokenizer.vocabularySize)
    #expect(loaded.specialTokens == tokenizer.specialTokens)
    let sample = "举头望明月 the lazy fox<|endoftext|>"
    #expect(loaded.encode(sample) == tokenizer.encode(sample))
    #expect(loaded.decode(tokenizer.encode(sample)) == sample)
    // The end-of-text token becomes GPT-2's bos/eos in config.json.
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/config.json"))) as? [String: Any]
    #expect(json?["eos_token_id"] as? Int == tokenizer.specialTokens["<|endoftext|>"])

    // Saving again without a tokenizer removes the old one: it no longer belongs to these weights.
    try Checkpoint.save(model: try GPTModel(config: config), to: directory)
    #expect(try Checkpoint.load(from: directory).tokenizer == nil)
  }

  // MARK: Incomplete and inconsistent directories

  @Test("missing files are named")
  func missingFiles() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    expectLoadError(directory + "/nowhere", ["no such checkpoint directory"])
    expectLoadError(directory, ["config.json: missing"])
    try Checkpoint.save(model: try GPTModel(config: Self.layouts[0].1), to: directory)
    try FileManager.default.removeItem(atPath: directory + "/model.safetensors")
    expectLoadError(directory, ["model.safetensors: missing"])
  }

  @Test("a parameter missing, extra or of the wrong shape is named with both shapes")
  func parameterMismatch() throws {
    let config = Self.layouts[0].1
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let model = try GPTModel(config: config)
    try Checkpoint.save(model: model, to: directory)
    let path = directory + "/model.safetensors"
    let original = try SafeTensorsFile(contentsOf: path)

    var file = original
    file.tensors.removeAll { $0.name == "transformer.h.1.ln_2.bias" }
    try file.write(to: path)
    expectLoadError(directory, ["model.safetensors: missing tensor transformer.h.1.ln_2.bias (shape [8]"])

    file = original
    file.tensors.append(("transformer.h.7.attn.c_attn.weight", Tensor([1])))
    try file.write(to: path)
    expectLoadError(directory, ["unexpected tensor transformer.h.7.attn.c_attn.weight (shape [1])"])

    file = original
    file.tensors.append(("lm_head.weight", try Tensor.randn([11, 8])))
    try file.write(to: path)
    expectLoadError(directory, ["unexpected tensor lm_head.weight", "ties the output head"])

    // A head equal to the tied embedding (as some exporters write it) is accepted and dropped.
    file = original
    file.tensors.append(("lm_head.weight", original["transformer.wte.weight"]!))
    file.tensors.append(("transformer.h.0.attn.bias", Tensor.ones([1, 1, 6, 6])))  // GPT-2's mask buffer
    try file.write(to: path)
    #expect(try Checkpoint.load(from: directory).parameters["lm_head.weight"] == nil)

    file = original
    let index = try #require(file.tensors.firstIndex { $0.name == "transformer.h.0.mlp.c_fc.weight" })
    file.tensors[index].tensor = try Tensor.randn([32, 8])
    try file.write(to: path)
    expectLoadError(directory, ["tensor transformer.h.0.mlp.c_fc.weight has shape [32, 8], the configuration needs [8, 32]"])

    // A config that disagrees with the weights: every tensor is checked against it.
    try file.write(to: path)
    var wider = config
    wider.dim = 16
    try CheckpointConfig.encode(wider).write(to: URL(fileURLWithPath: directory + "/config.json"))
    expectLoadError(directory, ["transformer.wte.weight has shape [11, 8], the configuration needs [11, 16]"])
  }

  @Test("a corrupt file inside a checkpoint is named")
  func corruptFiles() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try Checkpoint.save(model: try GPTModel(config: Self.layouts[1].1), tokenizer: CharacterTokenizer(characters: ["a", "b"]), to: directory)
    let model = try Data(contentsOf: URL(fileURLWithPath: directory + "/model.safetensors"))
    try model.prefix(model.count - 3).write(to: URL(fileURLWithPath: directory + "/model.safetensors"))
    expectLoadError(directory, ["model.safetensors:", "out of range"])
    try model.write(to: URL(fileURLWithPath: directory + "/model.safetensors"))
    try Data("{\"model\": ".utf8).write(to: URL(fileURLWithPath: directory + "/tokenizer.json"))
    expectLoadError(directory, ["tokenizer.json: not a JSON object"])
    try Data("{\"llmlab\": {\"layers\": 2}}".utf8).write(to: URL(fileURLWithPath: directory + "/config.json"))
    expectLoadError(directory, ["config.json: the \"llmlab\" configuration has no"])
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
