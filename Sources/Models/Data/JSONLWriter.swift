import Foundation

/// Writes records as JSONL in the shapes `JSONLReader` reads, one record a line, so that
/// reading the file back gives equal records:
///
///     {"text": "..."}
///     {"instruction": "...", "input": "...", "output": "..."}
///     {"messages": [{"role": "user", "content": "..."}, ...]}
///     {"prompt": "...", "chosen": "...", "rejected": "..."}
///
/// Text is written as UTF-8 as it is (Chinese stays readable); quotes, backslashes and control
/// characters are escaped, so a newline inside a field never splits a line.
public enum JSONLWriter {
  /// The file's bytes: every record's line, each ending in `\n`.
  public static func encode(_ records: [DataRecord]) -> Data {
    Data(records.map { line($0) + "\n" }.joined().utf8)
  }

  /// One record as a JSON object on one line.
  public static func line(_ record: DataRecord) -> String {
    func object(_ fields: [(String, String)]) -> String {
      "{" + fields.map { "\(jsonString($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }
    switch record {
    case .text(let text):
      return object([("text", jsonString(text))])
    case .instruction(let instruction, let input, let output):
      return object([("instruction", jsonString(instruction)), ("input", jsonString(input)), ("output", jsonString(output))])
    case .chat(let messages):
      let list = messages.map { object([("role", jsonString($0.role.rawValue)), ("content", jsonString($0.content))]) }
      return object([("messages", "[" + list.joined(separator: ", ") + "]")])
    case .preference(let prompt, let chosen, let rejected):
      return object([("prompt", jsonString(prompt)), ("chosen", jsonString(chosen)), ("rejected", jsonString(rejected))])
    }
  }

  /// Writes the records to `path`, creating missing parent directories, atomically (see
  /// `AtomicFile`): readers see the old file or the whole new one.
  public static func write(_ records: [DataRecord], to path: String) throws {
    guard !path.isEmpty else { throw ModelError("the path is empty") }
    guard !path.hasSuffix("/") else { throw ModelError("\(path): names a directory, not a file") }
    let directory = (path as NSString).deletingLastPathComponent
    if !directory.isEmpty { try AtomicFile.createDirectory(directory) }
    try AtomicFile.write(encode(records), to: path)
  }
}
