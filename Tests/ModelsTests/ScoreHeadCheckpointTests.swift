import Foundation
import Testing
import TensorEngine
@testable import Models

/// A reward model's checkpoint: the body saved as any model, its score head beside it in
/// Hugging Face's sequence-classification layout, and every way the head can be broken.
@Suite("score head checkpoints", .serialized)
struct ScoreHeadCheckpointTests {
  /// A head for a body of width `dim`, with values that are not round numbers.
  static func head(dim: Int) throws -> ScoreHead {
    try ScoreHead(weight: Tensor((0..<dim).map { Float($0) * 0.37 - 1.1 }), bias: Tensor(scalar: -0.4321))
  }

  static func json(_ path: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
  }

  @Test("the head is score.weight [1, dim] and score.bias [1]; config.json names the classifier", arguments: CheckpointTests.layouts.indices)
  func layout(_ which: Int) throws {
    let (name, config) = CheckpointTests.layouts[which]
    Random.seed(7)
    let body = try GPTModel(config: config)
    let head = try Self.head(dim: config.dim)
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try Checkpoint.save(model: body, tokenizer: CharacterTokenizer(characters: ["a", "b"]), scoreHead: head, to: directory)

    #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["config.json", "model.safetensors", "tokenizer.json"])
    let file = try SafeTensorsFile(contentsOf: directory + "/model.safetensors")
    #expect(file["score.weight"]?.shape == [1, config.dim])
    #expect(file["score.bias"]?.shape == [1])
    #expect(file.names.count == body.parameters.count + 2, "the body's parameters as a GPT checkpoint has them, and the head")

    let json = try Self.json(directory + "/config.json")
    let expected = ["gpt2": ["GPT2ForSequenceClassification"], "llama": ["LlamaForSequenceClassification"], "mixed": nil][name]!
    #expect(json["architectures"] as? [String] == expected, "transformers has no class for the mixed layout's body")
    #expect(json["num_labels"] as? Int == 1)
    #expect(json["id2label"] as? [String: String] == ["0": "LABEL_0"])
    #expect(json["llmlab_score_head"] as? [String: String] == ["weight": "score.weight", "bias": "score.bias"])
    #expect(json["model_type"] as? String == (name == "llama" ? "llama" : "gpt2") && json["llmlab"] != nil, "a model's keys stay")

    let loaded = try Checkpoint.load(from: directory)
    let loadedHead = try #require(loaded.scoreHead)
    #expect(sameBits(loadedHead.weight, head.weight) && loadedHead.bias.shape == [] && sameBits(loadedHead.bias, head.bias))
    #expect(loaded.config == config && loaded.tokenizer != nil)
    #expect(loaded.parameters.count == body.parameters.count)
    for (name, tensor) in body.parameters { #expect(sameBits(try #require(loaded.parameters[name]), tensor), "\(name)") }
  }

  @Test("a model saved over a reward model leaves no head behind, and the reverse")
  func overwrite() throws {
    let config = CheckpointTests.layouts[0].1
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let model = try GPTModel(config: config)
    try Checkpoint.save(model: model, scoreHead: try Self.head(dim: config.dim), to: directory)
    try Checkpoint.save(model: model, to: directory)
    #expect(try Checkpoint.load(from: directory).scoreHead == nil)
    #expect(try !SafeTensorsFile(contentsOf: directory + "/model.safetensors").names.contains { $0.hasPrefix("score.") })
    let json = try Self.json(directory + "/config.json")
    #expect(json["llmlab_score_head"] == nil && json["num_labels"] == nil)
    #expect(json["architectures"] as? [String] == ["GPT2LMHeadModel"])

    try Checkpoint.save(model: model, scoreHead: try Self.head(dim: config.dim), to: directory)
    #expect(try Checkpoint.load(from: directory).scoreHead != nil)
  }

  /// Ways to break the head in model.safetensors, and what the error must say.
  static let corruptions: [(String, @Sendable (inout SafeTensorsFile) throws -> Void, [String])] = [
    ("bias missing", { $0.tensors.removeAll { $0.name == "score.bias" } }, ["missing tensor score.bias (shape [1])"]),
    ("weight missing", { $0.tensors.removeAll { $0.name == "score.weight" } }, ["missing tensor score.weight (shape [1, 8])"]),
    ("weight of rank 1", { try replace(&$0, "score.weight", Tensor.ones([8])) }, ["score.weight has shape [8], the score head needs [1, 8]"]),
    ("weight too narrow", { try replace(&$0, "score.weight", Tensor.ones([1, 4])) }, ["score.weight has shape [1, 4]"]),
    ("bias of two", { try replace(&$0, "score.bias", Tensor([1, 2])) }, ["score.bias has shape [2], the score head needs [1]"]),
    ("weight NaN", { try replace(&$0, "score.weight", Tensor(shape: [1, 8], values: [0, 0, .nan, 0, 0, 0, 0, 0])) }, ["score.weight holds nan at element 2", "finite"]),
    ("bias infinite", { try replace(&$0, "score.bias", Tensor([-.infinity])) }, ["score.bias holds -inf at element 0"]),
  ]

  static func replace(_ file: inout SafeTensorsFile, _ name: String, _ tensor: Tensor) throws {
    let index = try #require(file.tensors.firstIndex { $0.name == name })
    file.tensors[index].tensor = tensor
  }

  @Test("a corrupt or partial head is an error naming model.safetensors", arguments: corruptions.indices)
  func corruptHead(_ which: Int) throws {
    let (what, corrupt, parts) = Self.corruptions[which]
    let config = CheckpointTests.layouts[0].1
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try Checkpoint.save(model: try GPTModel(config: config), scoreHead: try Self.head(dim: config.dim), to: directory)
    var file = try SafeTensorsFile(contentsOf: directory + "/model.safetensors")
    try corrupt(&file)
    try file.write(to: directory + "/model.safetensors")
    do {
      _ = try Checkpoint.load(from: directory)
      Issue.record("\(what): loaded; expected an error containing \(parts)")
    } catch {
      let message = "\(error)"
      #expect(message.contains(directory + "/model.safetensors:"), "\(what): \(message)")
      for part in parts { #expect(message.contains(part), "\(what): \(message)") }
    }
  }

  @Test("config.json and the weights must agree about the head")
  func configDisagrees() throws {
    let config = CheckpointTests.layouts[0].1
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let model = try GPTModel(config: config)
    try Checkpoint.save(model: model, scoreHead: try Self.head(dim: config.dim), to: directory)
    let path = directory + "/config.json"
    let original = try Self.json(path)

    // Weights with a head, config.json of a plain model (say a save cut short between them).
    try CheckpointConfig.encode(config).write(to: URL(fileURLWithPath: path))
    do {
      _ = try Checkpoint.load(from: directory)
      Issue.record("loaded weights with a head that config.json does not mark")
    } catch {
      #expect("\(error)".contains("unexpected tensor score."), "\(error)")
      #expect("\(error)".contains("no \"llmlab_score_head\""), "\(error)")
    }

    // A mark that does not name the tensors llmlab writes.
    var marked = original
    marked["llmlab_score_head"] = ["weight": "classifier.weight"]
    try JSONSerialization.data(withJSONObject: marked).write(to: URL(fileURLWithPath: path))
    do {
      _ = try Checkpoint.load(from: directory)
      Issue.record("loaded a config.json whose mark names other tensors")
    } catch {
      #expect("\(error)".contains(path + ": \"llmlab_score_head\" must be"), "\(error)")
    }

    // A saved head that does not fit the body is refused before anything is written.
    #expect(throws: ModelError.self) { try Checkpoint.save(model: model, scoreHead: try Self.head(dim: 5), to: directory + "/other") }
    #expect(!FileManager.default.fileExists(atPath: directory + "/other"))
  }
}
