import Foundation

/// One message of a conversation.
public struct ChatMessage: Sendable, Equatable {
  public enum Role: String, Sendable, CaseIterable {
    case system, user, assistant
  }

  public var role: Role
  public var content: String

  public init(role: Role, content: String) {
    self.role = role
    self.content = content
  }
}

/// The kind of record a JSONL file holds; one file holds one kind.
public enum RecordShape: String, Sendable, CaseIterable {
  /// `{"text": ...}`: plain text to pretrain on.
  case text
  /// `{"instruction", "input"?, "output"}`: Alpaca-style instructions, for SFT.
  case instruction
  /// `{"messages": [{"role", "content"}, ...]}`: conversations, for SFT.
  case chat
  /// `{"prompt", "chosen", "rejected"}`: preference pairs, for reward modeling and DPO.
  case preference

  /// What a record of this shape needs, for messages.
  public var requirement: String {
    switch self {
    case .text: return "text records need \"text\""
    case .instruction: return "instruction records need \"instruction\" and \"output\""
    case .chat: return "chat records need \"messages\", a list of {\"role\", \"content\"}"
    case .preference: return "preference records need \"prompt\", \"chosen\" and \"rejected\""
    }
  }

  /// "an instruction record", "a chat record".
  public var withArticle: String { (self == .instruction ? "an " : "a ") + rawValue + " record" }
}

/// One record of a JSONL file.
public enum DataRecord: Sendable, Equatable {
  case text(String)
  /// `input` is "" when the record has none.
  case instruction(instruction: String, input: String, output: String)
  case chat([ChatMessage])
  case preference(prompt: String, chosen: String, rejected: String)

  public var shape: RecordShape {
    switch self {
    case .text: return .text
    case .instruction: return .instruction
    case .chat: return .chat
    case .preference: return .preference
    }
  }

  /// The record as plain text, to pretrain on: the text; the instruction, input (when there
  /// is one) and output; the contents of the messages; the prompt and the chosen answer.
  /// Parts are joined with newlines.
  public var plainText: String {
    switch self {
    case .text(let text): return text
    case .instruction(let instruction, let input, let output):
      return (input.isEmpty ? [instruction, output] : [instruction, input, output]).joined(separator: "\n")
    case .chat(let messages): return messages.map(\.content).joined(separator: "\n")
    case .preference(let prompt, let chosen, _): return [prompt, chosen].joined(separator: "\n")
    }
  }
}

/// A line that was left out of a JSONL file read with `skipInvalid`.
public struct JSONLProblem: Sendable, Equatable, CustomStringConvertible {
  /// 1-based.
  public var line: Int
  /// What is wrong, without the file and line: `missing "output" (...)`.
  public var message: String
  public var description: String { "line \(line): \(message)" }
}

/// The records of a JSONL file, all of one shape.
public struct JSONLFile: Sendable {
  /// The file as the reader was told to name it.
  public var name: String
  public var records: [DataRecord]
  public var shape: RecordShape
  /// Malformed lines left out (with `skipInvalid: true`); blank lines are not counted.
  public var skipped: Int { problems.count }
  /// Each line left out and why, in file order.
  public var problems: [JSONLProblem]

  /// The records as plain text documents (see `DataRecord.plainText`), to pretrain on.
  public func corpus() -> Corpus {
    Corpus(name: TextFiles.corpusName(name, dropping: ".jsonl"), documents: records.map(\.plainText))
  }
}

/// Reads JSONL (one JSON object per line) in the common shapes of training data and tells
/// which shape a file holds from its first record.
///
/// Lines are UTF-8 (a leading byte order mark is dropped) and end in `\n` or `\r\n`; the
/// last may have no newline; blank lines are ignored. Keys besides the ones a shape needs
/// are ignored. A record's shape is read from its keys, first match wins:
/// `chosen` or `rejected` → preference; `messages` → chat; `instruction` or `output` →
/// instruction; `text` → text; `prompt` → preference.
///
/// A malformed line — not JSON, not an object, a field missing or not a string, an unknown
/// role, no messages, a record of another shape than the file's first — is an error
/// `name:line: what is wrong`, or with `skipInvalid` is left out and counted.
public enum JSONLReader {
  /// Reads a file; `displayPath` (the path as the user wrote it) names it in messages.
  public static func read(contentsOf path: String, displayPath: String? = nil, skipInvalid: Bool = false) throws -> JSONLFile {
    let shown = displayPath ?? path
    let data = try TextFiles.readData(at: path, displayPath: shown, kind: "a JSONL file")
    return try parse(data, name: shown, skipInvalid: skipInvalid)
  }

  /// Reads JSONL bytes; `name` is the file for messages.
  public static func parse(_ data: Data, name: String, skipInvalid: Bool = false) throws -> JSONLFile {
    var bytes = [UInt8](data)
    try TextDecoding.rejectUTF16(bytes, name: name)
    if bytes.starts(with: TextDecoding.byteOrderMark) { bytes.removeFirst(3) }
    var records: [DataRecord] = []
    var problems: [JSONLProblem] = []
    var shape: (shape: RecordShape, line: Int)?
    var lineNumber = 0
    var start = 0
    while start < bytes.count {
      let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
      lineNumber += 1
      var line = bytes[start..<end]
      start = end + 1
      if line.last == 0x0D { line = line.dropLast() }
      if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
      do {
        let record = try parseLine(line)
        if let (expected, firstLine) = shape, record.shape != expected {
          throw LineError("\(record.shape.withArticle), but the file's first record (line \(firstLine)) is \(expected.withArticle)")
        }
        if shape == nil { shape = (record.shape, lineNumber) }
        records.append(record)
      } catch let e as LineError {
        guard skipInvalid else { throw ModelError("\(name):\(lineNumber): \(e.message)") }
        problems.append(JSONLProblem(line: lineNumber, message: e.message))
      }
    }
    guard let shape else {
      if let first = problems.first {
        throw ModelError("\(name): no valid records (\(problems.count) line\(problems.count == 1 ? "" : "s") skipped; the first, line \(first.line): \(first.message))")
      }
      throw ModelError("\(name): the file is empty (no records)")
    }
    return JSONLFile(name: name, records: records, shape: shape.shape, problems: problems)
  }

  /// What is wrong with one line, before the file and line are known.
  struct LineError: Error {
    var message: String
    init(_ message: String) { self.message = message }
  }

  /// One line (without its newline) as a record.
  static func parseLine(_ line: ArraySlice<UInt8>) throws -> DataRecord {
    if String(validating: line, as: UTF8.self) == nil, let offset = TextDecoding.firstInvalidUTF8(line) {
      let column = String(decoding: line.prefix(offset), as: UTF8.self).count + 1
      throw LineError("not UTF-8 text (byte 0x\(String(format: "%02X", line[line.startIndex + offset])) at column \(column))")
    }
    let value: HeaderJSON
    do { value = try HeaderJSON.parse(line, subject: "the line") } catch let e as HeaderJSON.SyntaxError {
      let column = String(decoding: line.prefix(e.offset), as: UTF8.self).count + 1
      // Duplicate keys are legal JSON that Python keeps the last of; here they are refused.
      if e.message.hasPrefix("duplicate key") { throw LineError("\(e.message) at column \(column)") }
      throw LineError("not valid JSON (\(e.message) at column \(column))")
    }
    guard case .object(let fields) = value else { throw LineError("not a JSON object (\(describe(value)))") }
    let object = Fields(fields)
    switch try shape(of: object) {
    case .text:
      return .text(try object.string("text", .text))
    case .instruction:
      return .instruction(instruction: try object.string("instruction", .instruction), input: try object.optionalString("input") ?? "",
                          output: try object.string("output", .instruction))
    case .preference:
      return .preference(prompt: try object.string("prompt", .preference), chosen: try object.string("chosen", .preference),
                         rejected: try object.string("rejected", .preference))
    case .chat:
      guard let list = object["messages"] else { throw LineError("missing \"messages\" (\(RecordShape.chat.requirement))") }
      guard case .array(let items) = list else { throw LineError("\"messages\" is \(describe(list)), not a list") }
      guard !items.isEmpty else { throw LineError("\"messages\" is empty (a conversation needs at least one message)") }
      return .chat(try items.enumerated().map { i, item in
        guard case .object(let fields) = item else { throw LineError("messages[\(i)] is \(describe(item)), not an object {\"role\", \"content\"}") }
        let message = Fields(fields)
        let roles = ChatMessage.Role.allCases.map(\.rawValue).joined(separator: ", ")
        guard let roleValue = message["role"] else { throw LineError("messages[\(i)]: missing \"role\" (one of \(roles))") }
        guard case .string(let roleName) = roleValue else { throw LineError("messages[\(i)]: \"role\" is \(describe(roleValue)), not a string") }
        guard let role = ChatMessage.Role(rawValue: roleName) else {
          throw LineError("messages[\(i)]: unknown role \"\(roleName)\" (roles are \(roles))")
        }
        guard let contentValue = message["content"] else { throw LineError("messages[\(i)]: missing \"content\"") }
        guard case .string(let content) = contentValue else { throw LineError("messages[\(i)]: \"content\" is \(describe(contentValue)), not a string") }
        return ChatMessage(role: role, content: content)
      })
    }
  }

  /// The shape a record's keys say it has (see the type's documentation).
  static func shape(of object: Fields) throws -> RecordShape {
    if object.has("chosen") || object.has("rejected") { return .preference }
    if object.has("messages") { return .chat }
    if object.has("instruction") || object.has("output") { return .instruction }
    if object.has("text") { return .text }
    if object.has("prompt") { return .preference }
    let found = object.keys.isEmpty ? "it has no keys" : "its keys: " + object.keys.map { "\"\($0)\"" }.joined(separator: ", ")
    throw LineError("not a known kind of record (\(found)); expected \"text\", \"instruction\"/\"output\", \"messages\" or \"prompt\"/\"chosen\"/\"rejected\"")
  }

  /// An object's fields by key.
  struct Fields {
    let keys: [String]
    let values: [String: HeaderJSON]
    init(_ fields: [(key: String, value: HeaderJSON)]) {
      keys = fields.map(\.key)
      values = Dictionary(fields.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    subscript(key: String) -> HeaderJSON? { values[key] }
    func has(_ key: String) -> Bool { values[key] != nil }

    func string(_ key: String, _ shape: RecordShape) throws -> String {
      guard let value = values[key] else { throw LineError("missing \"\(key)\" (\(shape.requirement))") }
      guard case .string(let s) = value else { throw LineError("\"\(key)\" is \(JSONLReader.describe(value)), not a string") }
      return s
    }

    /// A field that may be missing or null.
    func optionalString(_ key: String) throws -> String? {
      guard let value = values[key] else { return nil }
      switch value {
      case .null: return nil
      case .string(let s): return s
      default: throw LineError("\"\(key)\" is \(JSONLReader.describe(value)), not a string")
      }
    }
  }

  /// "a number", "a list", "null": a JSON value's kind, for messages.
  static func describe(_ value: HeaderJSON) -> String {
    switch value {
    case .object: return "an object"
    case .array: return "a list"
    case .string: return "a string"
    case .integer, .number: return "a number"
    case .bool: return "a boolean"
    case .null: return "null"
    }
  }
}

extension JSONLFile {
  /// Records made by a program rather than read from a file (they all share one shape).
  public init(name: String, records: [DataRecord]) throws {
    guard let first = records.first else { throw ModelError("\(name): no records") }
    guard records.allSatisfy({ $0.shape == first.shape }) else { throw ModelError("\(name): records of different shapes") }
    self.init(name: name, records: records, shape: first.shape, problems: [])
  }
}
