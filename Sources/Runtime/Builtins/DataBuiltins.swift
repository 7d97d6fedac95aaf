import Foundation
import Models

extension Interpreter {
  /// Your own data: `text(path)` (plain text files), `jsonl(path)` and `write_jsonl(r, path)`
  /// (records), `to_corpus(r)`.
  func registerDataBuiltins() {
    register(Builtin("text", [.required("path"), .optional("documents")], category: "data",
                     doc: "A corpus from a text file (documents separated by blank lines) or a directory (every .txt file under it, one document each, in path order); documents: \"paragraphs\" or \"file\" chooses otherwise.") { a, ctx in
      let path = try a.string("path")
      var documents: TextDocuments?
      if a.has("documents") {
        let mode = try a.string("documents")
        guard let m = TextDocuments(rawValue: mode) else {
          throw RuntimeError("text: documents must be \"paragraphs\" (split at blank lines) or \"file\" (one document per file), got \"\(mode)\"")
        }
        documents = m
      }
      let resolved = ctx.interpreter.resolvePath(path)
      return .object(CorpusObject(try ctx.interpreter.modelCall { try TextFiles.corpus(at: resolved, displayPath: path, documents: documents) }))
    })
    register(Builtin("jsonl", [.required("path"), .optional("skip_invalid", "false")], category: "data",
                     doc: "Records from a JSONL file: text, instruction (Alpaca), chat (messages) or preference (prompt/chosen/rejected) records, the shape read from the first; skip_invalid: true skips malformed lines instead of stopping.") { a, ctx in
      let path = try a.string("path")
      let skip = try a.bool("skip_invalid", default: false)
      let resolved = ctx.interpreter.resolvePath(path)
      return .object(RecordsObject(try ctx.interpreter.modelCall { try JSONLReader.read(contentsOf: resolved, displayPath: path, skipInvalid: skip) }))
    })
    register(Builtin("write_jsonl", [.required("records"), .required("path")], category: "data",
                     doc: "Writes records (from jsonl, poem_tasks or ranked_pairs) to a JSONL file in the shapes jsonl reads, so jsonl(path) reads them back equal; missing folders are made, and the file is replaced atomically.") { a, ctx in
      guard case .object(let object as RecordsObject) = a.value("records") else {
        throw RuntimeError("write_jsonl: `records` must be records (from jsonl, poem_tasks or ranked_pairs), got \(Display.describeType(a.value("records")))")
      }
      let path = try a.string("path")
      guard !path.isEmpty else { throw RuntimeError("write_jsonl: the path is empty") }
      let resolved = ctx.interpreter.resolvePath(path)
      do {
        try JSONLWriter.write(object.file.records, to: resolved)
      } catch let error as ModelError {
        throw RuntimeError("write_jsonl: \(error.description)")
      }
      let count = object.file.records.count
      ctx.interpreter.output("wrote \(count) \(object.file.shape.rawValue) record\(count == 1 ? "" : "s") to \(path)")
      return .none
    })
    register(Builtin("to_corpus", [.required("data")], category: "data",
                     doc: "A corpus from records (each as plain text: instruction, input and output; the messages' contents; prompt and chosen answer), to pretrain or train a tokenizer on; a corpus is returned as it is.") { a, _ in
      switch a.value("data") {
      case .object(let o as RecordsObject): return .object(CorpusObject(o.file.corpus()))
      case .object(let o as CorpusObject): return .object(o)
      case let other: throw RuntimeError("to_corpus: `data` must be records (from jsonl) or a corpus, got \(Display.describeType(other))")
      }
    })
  }
}

/// The records of a JSONL file as a value: `jsonl("sft.jsonl")`.
final class RecordsObject: RuntimeObject {
  let file: JSONLFile
  init(_ file: JSONLFile) { self.file = file }

  var typeName: String { "records" }
  var members: [MemberSpec] {
    [.property("name", "the file it came from"), .property("shape", "\"text\", \"instruction\", \"chat\" or \"preference\""),
     .property("size", "number of records"), .property("skipped", "malformed lines skipped (with skip_invalid: true)"),
     .method("record", [.required("i")], "the i-th record as a record value"),
     .method("corpus", [], "the records as plain text documents, to pretrain on")]
  }
  var summary: String {
    "records \(file.name): \(file.records.count) \(file.shape.rawValue) record\(file.records.count == 1 ? "" : "s")"
      + (file.skipped > 0 ? ", \(file.skipped) malformed line\(file.skipped == 1 ? "" : "s") skipped" : "")
  }
  var details: [String] {
    var lines: [String] = []
    if let first = file.records.first {
      lines.append("first record:")
      lines += Self.describe(first).map { "  " + $0 }
    }
    for problem in file.problems.prefix(3) { lines.append("skipped \(problem)") }
    if file.problems.count > 3 { lines.append("skipped \(file.problems.count - 3) more lines") }
    return lines
  }

  /// A record's fields, one per line, long texts shortened (an empty one shows as "").
  static func describe(_ record: DataRecord) -> [String] {
    func short(_ s: String) -> String {
      if s.isEmpty { return "\"\"" }
      let flat = s.replacingOccurrences(of: "\n", with: " / ")
      return flat.count > 72 ? String(flat.prefix(71)) + "…" : flat
    }
    switch record {
    case .text(let t): return ["text: \(short(t))"]
    case .instruction(let i, let input, let o): return ["instruction: \(short(i))", "input: \(short(input))", "output: \(short(o))"]
    case .chat(let messages): return messages.map { "\($0.role.rawValue): \(short($0.content))" }
    case .preference(let p, let c, let r): return ["prompt: \(short(p))", "chosen: \(short(c))", "rejected: \(short(r))"]
    }
  }

  /// A record as the language's record value.
  static func value(_ record: DataRecord) -> Value {
    switch record {
    case .text(let t): return .record(Record([("text", .string(t))]))
    case .instruction(let i, let input, let o):
      return .record(Record([("instruction", .string(i)), ("input", .string(input)), ("output", .string(o))]))
    case .chat(let messages):
      return .record(Record([("messages", .list(messages.map { .record(Record([("role", .string($0.role.rawValue)), ("content", .string($0.content))])) }))]))
    case .preference(let p, let c, let r):
      return .record(Record([("prompt", .string(p)), ("chosen", .string(c)), ("rejected", .string(r))]))
    }
  }

  func property(_ name: String) throws -> Value {
    switch name {
    case "name": return .string(file.name)
    case "shape": return .string(file.shape.rawValue)
    case "size": return .number(Double(file.records.count))
    case "skipped": return .number(Double(file.skipped))
    default: throw RuntimeError("records has no property `\(name)`")
    }
  }

  func callMethod(_ name: String, _ a: BoundArguments, _ c: CallContext) throws -> Value {
    switch name {
    case "record":
      let i = try a.int("i")
      guard i >= 0 && i < file.records.count else { throw RuntimeError("record \(i) is out of range (0 ..< \(file.records.count))") }
      return Self.value(file.records[i])
    case "corpus": return .object(CorpusObject(file.corpus()))
    default: throw RuntimeError("records has no method `\(name)`")
    }
  }
}
