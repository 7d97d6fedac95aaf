import Foundation
import TensorEngine

/// A saved model: a directory in Hugging Face's layout, which `transformers` loads with
/// `from_pretrained(directory)` when the configuration is one it has a class for (see
/// `CheckpointConfig`).
///
///     model.safetensors           the parameters under their Hugging Face names (with tied
///                                 embeddings there is no lm_head.weight: the head is the
///                                 token embedding, as GPT-2 ties it); a reward model's score
///                                 head beside them (`ScoreHead`)
///     config.json                 Hugging Face's keys and llmlab's whole configuration
///     tokenizer.json              when a tokenizer is given (Hugging Face `tokenizers`)
///     training_state.safetensors  AdamW's moments, when a training state is given
///     training_state.json         its step count, hyperparameters and info
///
/// Every file is written atomically. A save replaces the checkpoint in the directory as a
/// whole: a tokenizer or training state left from an earlier save, and not given this time,
/// is removed rather than left to be loaded with weights it does not belong to. (A score head
/// lives in model.safetensors and config.json, which every save rewrites, so none is left
/// over either.)
public struct Checkpoint {
  public var config: GPTConfig
  /// The parameters by their checkpoint names, each of the shape the configuration gives
  /// (the body's only: a score head is apart).
  public var parameters: [String: Tensor]
  public var tokenizer: Tokenizer?
  public var trainingState: TrainingState?
  /// A reward model's head, when config.json marks one.
  public var scoreHead: ScoreHead? = nil

  public static let modelFile = "model.safetensors"
  public static let configFile = "config.json"
  public static let tokenizerFile = "tokenizer.json"

  /// A model with the checkpoint's weights (no random numbers are drawn). It uses the
  /// checkpoint's tensors, so training it updates them too.
  public func makeModel() throws -> GPTModel {
    try GPTModel(config: config, weights: parameters)
  }

  // MARK: Saving

  /// Writes the checkpoint into `directory` (created if missing). Everything is encoded and
  /// checked before the first file is written. A `scoreHead` makes it a reward model's: the
  /// model is its body, saved as any model is, and the head goes beside it.
  public static func save(
    model: GPTModel, tokenizer: Tokenizer? = nil, optimizerState: TrainingState? = nil, scoreHead: ScoreHead? = nil, to directory: String
  ) throws {
    let id = UUID().uuidString
    var shapes: [String: [Int]] = [:]
    for (name, tensor) in model.parameters { shapes[name] = tensor.shape }
    try optimizerState?.validate(against: shapes, file: "training state")
    if let tokenizer, tokenizer.vocabularySize > model.config.vocabulary {
      throw ModelError("the tokenizer has \(tokenizer.vocabularySize) tokens, more than the model's vocabulary of \(model.config.vocabulary)")
    }
    if let scoreHead, scoreHead.weight.count != model.config.dim {
      throw ModelError("the score head's weight has \(scoreHead.weight.count) values, the model's width is \(model.config.dim)")
    }

    // `format: pt` is what `transformers` requires of a safetensors file's metadata.
    let tensors = model.parameters + (try scoreHead?.checkpointTensors() ?? [])
    let weights = try SafeTensorsFile(tensors: tensors, metadata: ["format": "pt", "checkpoint_id": id, "producer": "llmlab"]).encoded()
    let config = try CheckpointConfig.encode(model.config, tokenizer: tokenizer, scoreHead: scoreHead != nil)
    let tokenizerJSON = try tokenizer.map { try TokenizerJSON.encode($0) }
    let state = try optimizerState?.files(checkpointID: id)

    try AtomicFile.createDirectory(directory)
    let path = { (file: String) in directory + "/" + file }
    if let state {
      try AtomicFile.write(state.tensors, to: path(TrainingState.tensorsFile))
      try AtomicFile.write(state.json, to: path(TrainingState.jsonFile))
    } else {
      try remove(path(TrainingState.jsonFile))
      try remove(path(TrainingState.tensorsFile))
    }
    if let tokenizerJSON { try AtomicFile.write(tokenizerJSON, to: path(tokenizerFile)) } else { try remove(path(tokenizerFile)) }
    try AtomicFile.write(weights, to: path(modelFile))
    try AtomicFile.write(config, to: path(configFile))
  }

  private static func remove(_ path: String) throws {
    guard FileManager.default.fileExists(atPath: path) else { return }
    do { try FileManager.default.removeItem(atPath: path) } catch {
      throw ModelError("\(path): cannot remove this file left by an earlier save (\(error.localizedDescription))")
    }
  }

  // MARK: Loading

  /// Reads and checks the whole checkpoint: the configuration, every parameter against it
  /// (name and shape), the tokenizer and the training state when present. Returns only
  /// when all of it is sound.
  public static func load(from directory: String) throws -> Checkpoint {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw ModelError("\(directory): no such checkpoint directory")
    }
    let path = { (file: String) in directory + "/" + file }
    func exists(_ file: String) -> Bool { FileManager.default.fileExists(atPath: path(file)) }

    guard let configData = FileManager.default.contents(atPath: path(configFile)) else {
      throw ModelError("\(path(configFile)): missing (a checkpoint needs config.json beside model.safetensors)")
    }
    let config = try CheckpointConfig.decode(configData, file: path(configFile))
    let hasScoreHead = try CheckpointConfig.hasScoreHead(configData, file: path(configFile))
    guard exists(modelFile) else { throw ModelError("\(path(modelFile)): missing (a checkpoint's weights)") }
    var weights = try SafeTensorsFile(contentsOf: path(modelFile))
    var scoreHead: ScoreHead? = nil
    if hasScoreHead {
      scoreHead = try ScoreHead.read(from: weights, dim: config.dim, path: path(modelFile))
      weights.tensors.removeAll { $0.name == ScoreHead.weightName || $0.name == ScoreHead.biasName }
    }
    let parameters = try checkedParameters(weights, config: config, file: path(modelFile))

    var tokenizer: Tokenizer? = nil
    if let data = FileManager.default.contents(atPath: path(tokenizerFile)) {
      do {
        tokenizer = try TokenizerJSON.decode(data, file: path(tokenizerFile))
      } catch let e as TokenizerError {
        throw ModelError(e.description)
      }
      if tokenizer!.vocabularySize > config.vocabulary {
        throw ModelError("\(path(tokenizerFile)): \(tokenizer!.vocabularySize) tokens, more than the model's vocabulary of \(config.vocabulary)")
      }
    }

    var trainingState: TrainingState? = nil
    if exists(TrainingState.jsonFile) || exists(TrainingState.tensorsFile) {
      guard exists(TrainingState.jsonFile) else {
        throw ModelError("\(path(TrainingState.jsonFile)): missing (\(TrainingState.tensorsFile) is there; both hold the training state)")
      }
      let state = try TrainingState.read(directory: directory, checkpointID: weights.metadata["checkpoint_id"])
      try state.validate(against: parameters.mapValues(\.shape), file: path(TrainingState.tensorsFile))
      trainingState = state
    }
    return Checkpoint(config: config, parameters: parameters, tokenizer: tokenizer, trainingState: trainingState, scoreHead: scoreHead)
  }

  /// The file's tensors checked against the configuration: each parameter present with
  /// its shape, nothing else. Two tolerances for files written by `transformers`: buffers
  /// that are not parameters (GPT-2's causal mask, LLaMA's rotary frequencies) are skipped,
  /// and a head saved beside tied embeddings is dropped when it equals the embedding.
  static func checkedParameters(_ file: SafeTensorsFile, config: GPTConfig, file path: String) throws -> [String: Tensor] {
    let names = ParameterNames(config: config)
    var tensors: [String: Tensor] = [:]
    for (name, tensor) in file.tensors { tensors[name] = tensor }
    var parameters: [String: Tensor] = [:]
    for spec in names.layout() {
      guard let tensor = tensors.removeValue(forKey: spec.name) else {
        throw ModelError("\(path): missing tensor \(spec.name) (shape \(formatShape(spec.shape)) in this configuration)")
      }
      guard tensor.shape == spec.shape else {
        throw ModelError("\(path): tensor \(spec.name) has shape \(formatShape(tensor.shape)), the configuration needs \(formatShape(spec.shape))")
      }
      parameters[spec.name] = tensor
    }
    if config.tiedEmbeddings, let head = tensors[names.outputHead], let embedding = parameters[names.tokenEmbedding],
      head.shape == embedding.shape, head.toArray().elementsEqual(embedding.toArray(), by: { $0.bitPattern == $1.bitPattern })
    {
      tensors[names.outputHead] = nil
    }
    let buffers = [".attn.bias", ".attn.masked_bias", ".rotary_emb.inv_freq"]
    for name in tensors.keys.sorted() where !buffers.contains(where: name.hasSuffix) {
      let hint = name == names.outputHead ? " (the configuration ties the output head to the token embedding)"
        : name.hasPrefix("score.") ? " (a score head, but config.json has no \"\(CheckpointConfig.scoreHeadKey)\" saying the checkpoint is a reward model's)" : ""
      throw ModelError("\(path): unexpected tensor \(name) (shape \(formatShape(tensors[name]!.shape))), not a parameter of this configuration\(hint)")
    }
    return parameters
  }
}
