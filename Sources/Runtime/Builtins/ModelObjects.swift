import Foundation
import Models
import TensorEngine
import Training

/// A corpus as a value: `corpus("tang300")`.
final class CorpusObject: RuntimeObject {
  let corpus: Corpus
  init(_ corpus: Corpus) { self.corpus = corpus }

  var typeName: String { "corpus" }
  var members: [MemberSpec] {
    [.property("name", "where it came from"), .property("size", "number of documents"),
     .property("characters", "number of characters"), .method("document", [.required("i")], "the i-th document")]
  }
  var summary: String {
    "corpus \(corpus.name): \(Display.plural(corpus.documents.count, "document")), \(Display.plural(corpus.characterCount, "character"))"
  }
  var details: [String] {
    corpus.documents.prefix(2).map { "  " + $0.replacingOccurrences(of: "\n", with: " / ") }
  }
  func property(_ name: String) throws -> Value {
    switch name {
    case "name": return .string(corpus.name)
    case "size": return .number(Double(corpus.documents.count))
    case "characters": return .number(Double(corpus.characterCount))
    default: throw RuntimeError("corpus has no property `\(name)`")
    }
  }
  func callMethod(_ name: String, _ a: BoundArguments, _ c: CallContext) throws -> Value {
    guard name == "document" else { throw RuntimeError("corpus has no method `\(name)`") }
    let i = try a.int("i")
    guard i >= 0 && i < corpus.documents.count else { throw RuntimeError("document \(i) is out of range (0 ..< \(corpus.documents.count))") }
    return .string(corpus.documents[i])
  }
}

/// A tokenizer as a value: `train_bpe(poems, vocab: 2000)`, `tok.encode("...")`.
final class TokenizerObject: RuntimeObject {
  let tokenizer: Tokenizer
  var trainingReport: String?
  init(_ tokenizer: Tokenizer) { self.tokenizer = tokenizer }

  var typeName: String { "tokenizer" }
  var members: [MemberSpec] {
    [.property("size", "vocabulary size (use it as the model's vocab)"), .property("kind", "byte-level BPE or character"),
     .property("specials", "special tokens and their ids"),
     .method("encode", [.required("text")], "token ids of a text (a list)"),
     .method("decode", [.required("ids")], "the text of a list of ids"),
     .method("tokens", [.required("text")], "the text split into its tokens, side by side with their ids"),
     .method("save", [.required("path")], "writes Hugging Face's tokenizer.json")]
  }
  var summary: String { "\(tokenizer.kind) tokenizer: \(tokenizer.vocabularySize) tokens" + (trainingReport.map { ", \($0)" } ?? "") }
  var details: [String] {
    var lines = ["special tokens: " + tokenizer.specialTokens.sorted { $0.value < $1.value }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")]
    if let bpe = tokenizer as? BPETokenizer, !bpe.merges.isEmpty {
      let lengths = bpe.tokenBytes.map(\.count)
      let byLength: [Int] = (256..<lengths.count).sorted { (a: Int, b: Int) -> Bool in
        lengths[a] != lengths[b] ? lengths[a] > lengths[b] : a < b
      }
      let longest = byLength.prefix(12)
      lines.append("longest tokens: " + longest.map { "\"\(bpe.tokenText($0))\"" }.joined(separator: " "))
      lines.append("first merges (most frequent): " + (256..<Swift.min(268, bpe.tokenBytes.count)).map { "\"\(bpe.tokenText($0))\"" }.joined(separator: " "))
    }
    return lines
  }
  func property(_ name: String) throws -> Value {
    switch name {
    case "size": return .number(Double(tokenizer.vocabularySize))
    case "kind": return .string(tokenizer.kind)
    case "specials": return .record(Record(tokenizer.specialTokens.sorted { $0.value < $1.value }.map { ($0.key, .number(Double($0.value))) }))
    default: throw RuntimeError("tokenizer has no property `\(name)`")
    }
  }
  func callMethod(_ name: String, _ a: BoundArguments, _ c: CallContext) throws -> Value {
    switch name {
    case "encode": return .list(tokenizer.encode(try a.string("text")).map { .number(Double($0)) })
    case "decode": return .string(tokenizer.decode(try a.ints("ids")))
    case "tokens":
      let ids = tokenizer.encode(try a.string("text"))
      let cells = ids.map { id -> (String, String) in
        let t = tokenizer.tokenText(id).replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: " ", with: "␣")
        return (t, String(id))
      }
      c.interpreter.output(cells.map { "\($0.0)" }.joined(separator: " │ "))
      c.interpreter.output(cells.map { $0.1 }.joined(separator: " │ ") + "    (\(ids.count) tokens)")
      return .none
    case "save":
      let path = try a.string("path")
      do { try writeAtomically(try TokenizerJSON.encode(tokenizer), to: path) } catch let e as TokenizerError { throw RuntimeError(e.description) }
      return .none
    default: throw RuntimeError("tokenizer has no method `\(name)`")
    }
  }
}

/// A tokenized dataset as a value: `dataset(poems, tokenizer: tok, context: 64)`.
final class DatasetObject: RuntimeObject {
  let dataset: TokenDataset
  init(_ dataset: TokenDataset) { self.dataset = dataset }

  var typeName: String { "dataset" }
  var members: [MemberSpec] {
    [.property("context", "tokens per training window"), .property("train_tokens", "tokens in the training split"),
     .property("val_tokens", "tokens in the validation split"), .property("tokenizer", "its tokenizer"),
     .property("unigram_loss", "validation loss of predicting tokens by their frequency alone"),
     .method("batch", [.optional("size", "4")], "a random batch: inputs .x and next-token targets .y, [size, context]; show renders its tokens")]
  }
  var summary: String {
    "dataset \(dataset.name): \(dataset.train.count) training tokens (\(dataset.trainDocuments) documents), \(dataset.validation.count) validation tokens (\(dataset.validationDocuments) documents), context \(dataset.context)"
  }
  func property(_ name: String) throws -> Value {
    switch name {
    case "context": return .number(Double(dataset.context))
    case "train_tokens": return .number(Double(dataset.train.count))
    case "val_tokens": return .number(Double(dataset.validation.count))
    case "tokenizer": return .object(TokenizerObject(dataset.tokenizer))
    case "unigram_loss": return .number(dataset.unigramValidationLoss)
    default: throw RuntimeError("dataset has no property `\(name)`")
    }
  }
  func callMethod(_ name: String, _ a: BoundArguments, _ c: CallContext) throws -> Value {
    guard name == "batch" else { throw RuntimeError("dataset has no method `\(name)`") }
    let size = try a.int("size", default: 4)
    guard size >= 1 && size <= 4096 else { throw RuntimeError("batch: size must be 1 ... 4096") }
    do {
      let (x, y) = try dataset.batch(size)
      return .object(BatchObject(x: x, y: y, tokenizer: dataset.tokenizer))
    } catch let e as ModelError { throw RuntimeError(e.description) }
  }
}

/// A batch of training windows: inputs `x` and targets `y` (x shifted by one token).
/// `show` renders each row token by token, so a student sees what the model is asked to
/// predict at every position.
final class BatchObject: RuntimeObject {
  let x: Tensor, y: Tensor
  let tokenizer: Tokenizer
  init(x: Tensor, y: Tensor, tokenizer: Tokenizer) {
    (self.x, self.y, self.tokenizer) = (x, y, tokenizer)
  }

  var typeName: String { "batch" }
  var members: [MemberSpec] {
    [.property("x", "input token ids [batch, context]"), .property("y", "target token ids: the next token at each position")]
  }
  var summary: String { "batch of \(x.shape[0]) windows × \(x.shape[1]) tokens (x: inputs, y: next-token targets)" }
  var details: [String] {
    var lines: [String] = []
    let cols = x.shape[1]
    let xs = x.toArray().map(Int.init), ys = y.toArray().map(Int.init)
    for r in 0..<Swift.min(x.shape[0], 4) {
      func render(_ ids: ArraySlice<Int>) -> String {
        ids.map { tokenizer.tokenText($0).replacingOccurrences(of: "\n", with: "⏎").replacingOccurrences(of: " ", with: "␣") }.joined(separator: "│")
      }
      lines.append("row \(r)  x: " + render(xs[(r * cols)..<((r + 1) * cols)]))
      lines.append("       y: " + render(ys[(r * cols)..<((r + 1) * cols)]))
    }
    if x.shape[0] > 4 { lines.append("… \(x.shape[0] - 4) more rows") }
    return lines
  }
  func property(_ name: String) throws -> Value {
    switch name {
    case "x": return .tensor(x)
    case "y": return .tensor(y)
    default: throw RuntimeError("batch has no property `\(name)`")
    }
  }
  func callMethod(_ name: String, _ a: BoundArguments, _ c: CallContext) throws -> Value {
    throw RuntimeError("batch has no method `\(name)`")
  }
}

/// A GPT model as a value: `gpt { layers: 4, dim: 128, ... }`.
final class ModelObject: RuntimeObject {
  let model: GPTModel
  /// Set by `pretrain` (the dataset's tokenizer) or given at creation; `sample` needs it.
  var tokenizer: Tokenizer?
  var trainedSteps = 0
  /// The optimizer of the last `pretrain` (so `resume: true` and `save` keep its moments).
  var optimizer: AdamW?
  /// Optimizer state read from a checkpoint, waiting for a `pretrain ... { resume: true }`.
  var savedTrainingState: TrainingState?
  /// The options of the last `pretrain` in this session (to warn when a resume changes them).
  var lastPretrainSettings: [String: String]?
  init(_ model: GPTModel, tokenizer: Tokenizer?) {
    self.model = model
    self.tokenizer = tokenizer
  }

  var typeName: String { "model" }
  var members: [MemberSpec] {
    [.property("params", "number of parameters"), .property("config", "its configuration as a record"),
     .property("tokenizer", "the tokenizer it was trained with, or none"),
     .property("names", "the checkpoint names of its parameters"),
     .property("adapters", "the weights that carry LoRA adapters (an empty list without)"),
     .method("param", [.required("name")], "one parameter tensor by name (its .grad too)"),
     .method("forward", [.required("ids")], "logits [batch, time, vocab] for token ids [batch, time]"),
     .method("loss", [.required("x"), .required("y")], "mean next-token cross-entropy"),
     .method("copy", [], "an independent copy (to keep a checkpoint of this stage in the session)"),
     .method("lora", [.optional("rank", "8"), .optional("alpha", "2·rank"), .optional("dropout", "0"), .optional("targets", "[\"attn\"]")],
             "attach fresh LoRA adapters and freeze the base; sft, dpo and ppo then train only the adapters"),
     .method("merge", [], "fold the LoRA adapters into the weights (W += alpha/rank · A·B)"),
     .method("unmerge", [], "take merged adapters back out of the weights"),
     .method("remove_adapters", [], "drop the adapters (merge first to keep what they learned) and unfreeze the base"),
     .method("save_adapters", [.required("dir")], "write the adapters alone in PEFT's format: adapter_model.safetensors + adapter_config.json"),
     .method("sample", [.required("prompt"), .optional("tokens", "64"), .optional("temperature", "1"), .optional("top_k", "0"),
                        .optional("top_p", "1"), .optional("repetition_penalty", "1"), .optional("stop"), .optional("seed")],
             "the prompt's continuation as a string (the `sample` command streams it instead)")]
  }
  var summary: String {
    let c = model.config
    return "GPT model: \(Display.plural(c.layers, "layer")), dim \(c.dim), \(c.heads) heads, context \(c.context), vocab \(c.vocabulary); \(Display.count(model.parameterCount)) parameters" + (trainedSteps > 0 ? ", trained \(trainedSteps) steps" : "")
  }
  var details: [String] {
    let c = model.config
    var lines = ["positions \(c.positions.rawValue), norm \(c.normalization.rawValue), mlp \(c.mlp.rawValue) (hidden \(c.mlpHidden)), tied embeddings \(c.tiedEmbeddings), bias \(c.bias), dropout \(Display.number(Double(c.dropout)))"]
    lines.append("memory: \(Display.bytes(model.parameterCount * 4)) of weights, about \(Display.bytes(model.trainingMemoryEstimate)) with gradients and AdamW state")
    for (name, t) in model.parameters {
      lines.append("  \(name.padding(toLength: 44, withPad: " ", startingAt: 0)) \(formatShape(t.shape).padding(toLength: 14, withPad: " ", startingAt: 0)) \(t.count)")
    }
    return lines
  }
  func property(_ name: String) throws -> Value {
    switch name {
    case "params": return .number(Double(model.parameterCount))
    case "tokenizer": return tokenizer.map { .object(TokenizerObject($0)) } ?? .none
    case "names": return .list(model.parameters.map { .string($0.name) })
    case "adapters": return .list(model.adapters.keys.sorted().map { .string($0) })
    case "config":
      let c = model.config
      return .record(Record([("layers", .number(Double(c.layers))), ("dim", .number(Double(c.dim))), ("heads", .number(Double(c.heads))),
                             ("context", .number(Double(c.context))), ("vocab", .number(Double(c.vocabulary))),
                             ("positions", .string(c.positions.rawValue)), ("norm", .string(c.normalization.rawValue)),
                             ("mlp", .string(c.mlp.rawValue)), ("tied", .bool(c.tiedEmbeddings)), ("bias", .bool(c.bias)),
                             ("dropout", .number(Double(c.dropout)))]))
    default: throw RuntimeError("model has no property `\(name)`")
    }
  }
  func callMethod(_ name: String, _ a: BoundArguments, _ c: CallContext) throws -> Value {
    switch name {
    case "param":
      let n = try a.string("name")
      guard let t = model[n] else {
        throw RuntimeError("the model has no parameter \"\(n)\"", hint: Suggestions.hint(for: n, in: model.parameters.map(\.name)) ?? "see m.names")
      }
      return .tensor(t)
    case "forward": return .tensor(try model.forward(try a.tensor("ids")))
    case "copy":
      // A copy holds the weights, not the adapters: refuse when trained adapters would be lost.
      try PolicyWeights.requireCopyable(model, op: "copy")
      let copy = ModelObject(try c.interpreter.modelCall { try model.copy() }, tokenizer: tokenizer)
      copy.trainedSteps = trainedSteps
      return .object(copy)
    case "loss": return .tensor(try model.loss(ids: try a.tensor("x"), targets: try a.tensor("y")))
    case "lora":
      var record = Record()
      for key in Interpreter.loraKeys where a.has(key) { record[key] = a.value(key) }
      try c.interpreter.attachLoRA(.record(record), to: self, op: "lora")
      optimizer = nil
      return .none
    case "merge", "unmerge":
      guard !model.adapters.isEmpty else { throw RuntimeError("\(name): the model has no LoRA adapters (attach them with m.lora(rank: 8))") }
      try c.interpreter.modelCall { try name == "merge" ? model.mergeAdapters() : model.unmergeAdapters() }
      c.interpreter.output(name == "merge" ? "merged \(Display.plural(model.adapters.count, "adapter")) into the weights" : "took \(Display.plural(model.adapters.count, "adapter")) back out of the weights")
      return .none
    case "remove_adapters":
      let count = model.adapters.count
      model.removeAdapters()
      optimizer = nil
      c.interpreter.output("removed \(Display.plural(count, "adapter")); the base trains again")
      return .none
    case "save_adapters":
      let dir = try a.string("dir")
      try c.interpreter.modelCall { try model.saveAdapters(to: c.interpreter.resolvePath(dir)) }
      c.interpreter.output("saved \(Display.plural(model.adapters.count, "adapter")) to \(dir)/adapter_model.safetensors and adapter_config.json")
      return .none
    case "sample":
      guard let tokenizer else { throw RuntimeError("the model has no tokenizer yet: pretrain it on a dataset first") }
      var record = Record()
      for key in ["tokens", "temperature", "top_k", "top_p", "repetition_penalty", "stop", "seed"] where a.has(key) { record[key] = a.value(key) }
      var options = try SamplingSettings.from(record)
      if let eot = tokenizer.specialTokens[SpecialTokens.endOfText] { options.stopTokens.insert(eot) }
      let prompt = try a.string("prompt")
      let result = try c.interpreter.modelCall { try Sampler(model: model, tokenizer: tokenizer).generate(prompt: prompt, options: options, shouldStop: { Interrupt.isRequested }) }
      return .string(result.text)
    default: throw RuntimeError("model has no method `\(name)`")
    }
  }
}

extension Display {
  /// "1 document", "3 documents".
  static func plural(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

  /// 1.2M, 34.5K: parameter counts.
  static func count(_ n: Int) -> String {
    if n >= 1_000_000 { return String(format: "%.2fM", Double(n) / 1e6) }
    if n >= 10_000 { return String(format: "%.1fK", Double(n) / 1e3) }
    return String(n)
  }

  static func bytes(_ n: Int) -> String {
    if n >= 1 << 30 { return String(format: "%.2f GB", Double(n) / Double(1 << 30)) }
    if n >= 1 << 20 { return String(format: "%.1f MB", Double(n) / Double(1 << 20)) }
    return String(format: "%.1f KB", Double(n) / 1024)
  }
}
