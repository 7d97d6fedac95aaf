import Foundation
import Language
import Models
import TensorEngine
import Training

extension Interpreter {
  /// Model errors become runtime errors at the call.
  func modelCall<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as ModelError { throw RuntimeError(e.description) } catch let e as TokenizerError { throw RuntimeError(e.description) }
  }

  static func object<T>(_ v: Value, as type: T.Type, _ what: String, function: String) throws -> T {
    guard case .object(let o) = v, let typed = o as? T else {
      throw RuntimeError("\(function): expected \(what), got \(Display.describeType(v))")
    }
    return typed
  }

  func registerModelBuiltins() {
    register(Builtin("corpus", [.required("name")], category: "data",
                     doc: "A bundled corpus by name: \"tang300\" (Tang poems), \"song100\" (Song poems) or \"chinese\" (sayings, classical lines and notes on Debian); a list of names joins them, e.g. corpus([\"tang300\", \"song100\"]).") { a, ctx in
      let names: [String]
      switch a.value("name") {
      case .string(let name): names = [name]
      case .list(let items) where !items.isEmpty:
        names = try items.map { item in
          guard case .string(let name) = item else { throw RuntimeError("corpus: a list of names must hold strings, got \(Display.describeType(item))") }
          return name
        }
      case let other: throw RuntimeError("corpus: the name must be a string or a non-empty list of strings, got \(Display.describeType(other))")
      }
      return .object(CorpusObject(try ctx.interpreter.modelCall { Corpus.joined(try names.map(Corpus.bundled)) }))
    })
    register(Builtin("train_bpe", [.required("corpus"), .optional("vocab", "2000")], category: "tokenizers",
                     doc: "Trains a byte-level BPE tokenizer to `vocab` tokens (special tokens included).") { a, ctx in
      let corpus = try Interpreter.object(a.value("corpus"), as: CorpusObject.self, "a corpus", function: "train_bpe").corpus
      let vocab = try a.int("vocab", default: 2000)
      let (tokenizer, report) = try ctx.interpreter.modelCall { try BPETrainer(vocabularySize: vocab).train(corpus.documents) }
      let object = TokenizerObject(tokenizer)
      object.trainingReport = String(format: "trained on %d characters in %.2f s (%.0f characters/s)", report.characters, report.seconds, report.charactersPerSecond)
      ctx.interpreter.output("trained \(object.summary)")
      return .object(object)
    })
    register(Builtin("char_tokenizer", [.required("corpus"), .optional("min_count", "1"), .optional("keep")], category: "tokenizers",
                     doc: "A character-level tokenizer over the characters of a corpus; characters seen fewer than min_count times become <|unk|>, except every character of the corpus `keep`.") { a, _ in
      let corpus = try Interpreter.object(a.value("corpus"), as: CorpusObject.self, "a corpus", function: "char_tokenizer").corpus
      let minCount = try a.int("min_count", default: 1)
      guard minCount >= 1 else { throw RuntimeError("char_tokenizer: min_count must be at least 1, got \(minCount)") }
      let keep = a.has("keep") ? try Interpreter.object(a.value("keep"), as: CorpusObject.self, "a corpus", function: "char_tokenizer").corpus.documents : []
      return .object(TokenizerObject(CharacterTokenizer(training: corpus.documents, minCount: minCount, keep: keep)))
    })
    register(Builtin("load_tokenizer", [.required("path")], category: "tokenizers",
                     doc: "Reads a Hugging Face tokenizer.json (byte-level BPE or character level).") { a, ctx in
      let path = try a.string("path")
      guard let data = FileManager.default.contents(atPath: ctx.interpreter.resolvePath(path)) else { throw RuntimeError("cannot read \(path)") }
      return .object(TokenizerObject(try ctx.interpreter.modelCall { try TokenizerJSON.decode(data, file: path) }))
    })
    register(Builtin("dataset", [.required("corpus"), .required("tokenizer"), .optional("context", "64"), .optional("split", "0.9"), .optional("seed", "0")],
                     category: "data", doc: "Tokenizes a corpus, splits it into training and validation documents, and serves [batch, context] windows.") { a, ctx in
      let corpus = try Interpreter.object(a.value("corpus"), as: CorpusObject.self, "a corpus", function: "dataset").corpus
      let tok = try Interpreter.object(a.value("tokenizer"), as: TokenizerObject.self, "a tokenizer", function: "dataset").tokenizer
      let d = try ctx.interpreter.modelCall {
        try TokenDataset(corpus: corpus, tokenizer: tok, context: try a.int("context", default: 64),
                         split: try a.optionalNumber("split") ?? 0.9, seed: UInt64(Swift.max(0, try a.int("seed", default: 0))))
      }
      return .object(DatasetObject(d))
    })
    register(Builtin("gpt", GPTOptions.parameters, category: "models",
                     doc: "A GPT-style decoder: gpt { layers: 4, dim: 128, heads: 4, context: 64, vocab: tok.size }.") { a, ctx in
      let config = try GPTOptions.config(from: a)
      let model = try ctx.interpreter.modelCall { try GPTModel(config: config) }
      let tokenizer = a.has("tokenizer") ? try Interpreter.object(a.value("tokenizer"), as: TokenizerObject.self, "a tokenizer", function: "gpt").tokenizer : nil
      let object = ModelObject(model, tokenizer: tokenizer)
      ctx.interpreter.output("created \(object.summary) (\(Display.bytes(model.trainingMemoryEstimate)) to train)")
      return .object(object)
    })
    registerPretrainCommand()
    registerSampleCommand()
    registerCheckpointBuiltins()
    registerDataBuiltins()
    registerChatCommand()
    registerAlignmentBuiltins()
  }
}

/// The options of `gpt { ... }`, checked and turned into a configuration.
enum GPTOptions {
  static let parameters: [ParameterSpec] = [
    .optional("layers", "4"), .optional("dim", "128"), .optional("heads", "4"), .optional("context", "64"),
    .optional("vocab", "256"), .optional("positions", "\"learned\""), .optional("norm", "\"layer\""), .optional("mlp", "\"gelu\""),
    .optional("tied", "true"), .optional("dropout", "0"), .optional("bias", "true"), .optional("hidden"), .optional("tokenizer"), .optional("seed"),
  ]

  static func choice<E: RawRepresentable & CaseIterable>(_ a: BoundArguments, _ key: String, _ d: E) throws -> E where E.RawValue == String {
    guard a.has(key) else { return d }
    let s = try a.string(key)
    guard let v = E(rawValue: s) else {
      throw RuntimeError("gpt: \(key) must be one of " + E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") + ", got \"\(s)\"")
    }
    return v
  }

  static func config(from a: BoundArguments) throws -> GPTConfig {
    var c = GPTConfig()
    c.layers = try a.int("layers", default: c.layers)
    c.dim = try a.int("dim", default: c.dim)
    c.heads = try a.int("heads", default: c.heads)
    c.context = try a.int("context", default: c.context)
    c.vocabulary = try a.int("vocab", default: c.vocabulary)
    c.positions = try choice(a, "positions", c.positions)
    c.normalization = try choice(a, "norm", c.normalization)
    c.mlp = try choice(a, "mlp", c.mlp)
    c.tiedEmbeddings = try a.bool("tied", default: true)
    c.dropout = try a.float("dropout", default: 0)
    c.bias = try a.bool("bias", default: c.normalization == .layer)
    c.hidden = try a.optionalInt("hidden")
    if a.has("seed") { Random.seed(UInt64(Swift.max(0, try a.int("seed")))) }
    return c
  }
}
