import Foundation
import Testing

@testable import Models

/// `JSONLWriter`: records written in the shapes `JSONLReader` reads, read back equal.
@Suite("JSONL writer") struct JSONLWriterTests {
  /// Text that a careless writer would break: Chinese, newlines (also `\r\n`), quotes,
  /// backslashes, tabs, control characters, an emoji, JSON-looking text, and nothing at all.
  static let awkward = [
    "床前明月光，疑是地上霜。\n举头望明月，低头思故乡。", "say \"hi\"\\n \\\"", "tab\there\r\nand\rback",
    "\u{0}\u{1}\u{1F}\u{7F}", "🌙 \u{2028} é", "{\"text\": \"x\"}\n{", "",
  ]

  /// One list of records per shape, every field holding awkward text.
  static let shapes: [[DataRecord]] = [
    awkward.map { .text($0) },
    awkward.map { .instruction(instruction: $0, input: $0 + "入", output: "出" + $0) }
      + [.instruction(instruction: "写一首五言绝句。", input: "", output: "白日依山尽")],
    [.chat(awkward.map { ChatMessage(role: .user, content: $0) }),
     .chat([ChatMessage(role: .system, content: "诗人"), ChatMessage(role: .user, content: "春"), ChatMessage(role: .assistant, content: "春眠不觉晓\n")])],
    awkward.map { .preference(prompt: $0, chosen: "好" + $0, rejected: $0 + "\\") },
  ]

  @Test("every shape reads back equal", arguments: shapes)
  func roundTrip(records: [DataRecord]) throws {
    let data = JSONLWriter.encode(records)
    let file = try JSONLReader.parse(data, name: "t.jsonl")
    #expect(file.records == records)
    #expect(file.skipped == 0)
    #expect(data.filter { $0 == 0x0A }.count == records.count, "one line per record")
  }

  @Test("lines look like the files people write")
  func lineFormat() {
    #expect(JSONLWriter.line(.text("春\n\"夜\"")) == #"{"text": "春\n\"夜\""}"#)
    #expect(JSONLWriter.line(.instruction(instruction: "i", input: "", output: "o")) == #"{"instruction": "i", "input": "", "output": "o"}"#)
    #expect(JSONLWriter.line(.chat([ChatMessage(role: .user, content: "a"), ChatMessage(role: .assistant, content: "b")]))
      == #"{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}"#)
    #expect(JSONLWriter.line(.preference(prompt: "p", chosen: "c", rejected: "r\u{1}")) == #"{"prompt": "p", "chosen": "c", "rejected": "r\u0001"}"#)
  }

  @Test("writing makes missing folders, replaces a file, and leaves no temporary file")
  func writeMakesFoldersAndReplaces() throws {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/a/b/out.jsonl"
    try JSONLWriter.write([.text("one")], to: path)
    try JSONLWriter.write([.text("two"), .text("三")], to: path)
    #expect(try JSONLReader.read(contentsOf: path).records == [.text("two"), .text("三")])
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/a/b") == ["out.jsonl"])
  }

  @Test("a link at the target is replaced, never written through")
  func linkAtTargetIsReplaced() throws {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Data("precious\n".utf8).write(to: URL(fileURLWithPath: dir + "/precious.txt"))
    try FileManager.default.createSymbolicLink(atPath: dir + "/out.jsonl", withDestinationPath: dir + "/precious.txt")
    try JSONLWriter.write([.text("new")], to: dir + "/out.jsonl")
    #expect(try String(contentsOfFile: dir + "/precious.txt", encoding: .utf8) == "precious\n")
    #expect(try FileManager.default.attributesOfItem(atPath: dir + "/out.jsonl")[.type] as? FileAttributeType == .typeRegular)
    #expect(try JSONLReader.read(contentsOf: dir + "/out.jsonl").records == [.text("new")])
  }

  @Test("an unwritable path is an error naming it")
  func unwritablePaths() throws {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/file"))
    #expect(modelErrorMessage { try JSONLWriter.write([.text("a")], to: dir + "/file/out.jsonl") } == "\(dir)/file: exists and is not a directory")
    #expect(modelErrorMessage { try JSONLWriter.write([.text("a")], to: dir + "/") } == "\(dir)/: names a directory, not a file")
    #expect(modelErrorMessage { try JSONLWriter.write([.text("a")], to: "") } == "the path is empty")
    try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: false)
    let intoDirectory = modelErrorMessage { try JSONLWriter.write([.text("a")], to: dir + "/sub") }
    #expect(intoDirectory?.hasPrefix("\(dir)/sub: cannot replace it: ") == true, "\(intoDirectory ?? "no error")")
    #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir)) == ["file", "sub"], "no temporary file is left")
  }
}
