import Foundation
import Testing

@testable import Models

/// Writes `files` (relative path → bytes) under a fresh temporary directory and returns it.
func dataDirectory(_ files: [String: [UInt8]]) throws -> String {
  let dir = try temporaryDirectory()
  for (relative, bytes) in files {
    let path = dir + "/" + relative
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }
  return dir
}

func textBytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// The message of the ModelError `body` throws (nil when it throws none).
func modelErrorMessage(_ body: () throws -> Void) -> String? {
  do { try body() } catch let e as ModelError { return e.description } catch { return "unexpected \(error)" }
  return nil
}

@Suite("text files") struct TextFileTests {
  @Test func paragraphsSeparatedByBlankLines() throws {
    let dir = try dataDirectory(["poems.txt": textBytes("\n\nfirst line\nsecond line\n\n  \t\n\nthird\n   indented\n\n")])
    let corpus = try TextFiles.corpus(at: dir + "/poems.txt", displayPath: "poems.txt")
    #expect(corpus.name == "poems")
    #expect(corpus.documents == ["first line\nsecond line", "third\n   indented"])
  }

  @Test func wholeFileAsOneDocument() throws {
    let dir = try dataDirectory(["a.txt": textBytes("\none\n\ntwo\n\n")])
    let corpus = try TextFiles.corpus(at: dir + "/a.txt", documents: .file)
    #expect(corpus.documents == ["one\n\ntwo"])
  }

  @Test func byteOrderMarkCRLFAndNoFinalNewline() throws {
    let dir = try dataDirectory(["w.txt": [0xEF, 0xBB, 0xBF] + textBytes("a\r\nb\r\n\r\nc\rd")])
    let corpus = try TextFiles.corpus(at: dir + "/w.txt")
    #expect(corpus.documents == ["a\nb", "c\nd"])
  }

  @Test func directoryRecursiveSortedByPath() throws {
    let dir = try dataDirectory([
      "b.txt": textBytes("B\n"), "a.txt": textBytes("A\n\nA2\n"), "a/z.txt": textBytes("AZ"), "a/m/x.txt": textBytes("AMX"), "c/d.TXT": textBytes("CD"),
      "notes.md": textBytes("not text"), ".hidden.txt": textBytes("hidden"), ".git/x.txt": textBytes("hidden"), "empty.txt": textBytes("\n\n"),
    ])
    #expect(try TextFiles.textFiles(under: dir) == ["a/m/x.txt", "a/z.txt", "a.txt", "b.txt", "c/d.TXT", "empty.txt"])
    let corpus = try TextFiles.corpus(at: dir, displayPath: "data/")
    #expect(corpus.name == "data")
    // One document per file (the empty file gives none); paragraphs when asked.
    #expect(corpus.documents == ["AMX", "AZ", "A\n\nA2", "B", "CD"])
    #expect(try TextFiles.corpus(at: dir, documents: .paragraphs).documents == ["AMX", "AZ", "A", "A2", "B", "CD"])
  }

  @Test func errorsNameThePath() throws {
    let dir = try dataDirectory(["bad.txt": textBytes("fine\nok é\n") + [0x61, 0xFF, 0x62] + textBytes("\n"), "empty.txt": textBytes(" \n\n"),
                                 "utf16.txt": [0xFF, 0xFE, 0x61, 0x00], "sub/readme.md": textBytes("x")])
    #expect(modelErrorMessage { _ = try TextFiles.corpus(at: dir + "/nope.txt", displayPath: "nope.txt") } == "nope.txt: no such file or directory")
    #expect(modelErrorMessage { _ = try TextFiles.corpus(at: dir + "/bad.txt", displayPath: "bad.txt") } == "bad.txt:3: not UTF-8 text (byte 0xFF at column 2)")
    #expect(modelErrorMessage { _ = try TextFiles.corpus(at: dir + "/empty.txt", displayPath: "empty.txt") } == "empty.txt: the file is empty (no text to train on)")
    #expect(modelErrorMessage { _ = try TextFiles.corpus(at: dir + "/utf16.txt", displayPath: "utf16.txt") } == "utf16.txt: the file is UTF-16 text; save it as UTF-8")
    #expect(modelErrorMessage { _ = try TextFiles.corpus(at: dir + "/sub", displayPath: "sub") } == "sub: no .txt files in the directory")
    // A bad file inside a directory is named by its path under the directory as given.
    #expect(modelErrorMessage { _ = try TextFiles.corpus(at: dir, displayPath: "data") } == "data/bad.txt:3: not UTF-8 text (byte 0xFF at column 2)")
  }
}

@Suite("JSONL files") struct JSONLReaderTests {
  func read(_ text: String, skipInvalid: Bool = false) throws -> JSONLFile {
    try JSONLReader.parse(Data(text.utf8), name: "data.jsonl", skipInvalid: skipInvalid)
  }

  /// The error message of reading `lines` joined by newlines.
  func error(_ lines: [String], skipInvalid: Bool = false) -> String? {
    modelErrorMessage { _ = try read(lines.joined(separator: "\n") + "\n", skipInvalid: skipInvalid) }
  }

  @Test func textRecords() throws {
    let file = try read(#"{"text": "床前明月光"}"# + "\n" + #"{"text": "a\nb", "id": 7}"# + "\n")
    #expect(file.shape == .text)
    #expect(file.records == [.text("床前明月光"), .text("a\nb")])
    #expect(file.skipped == 0)
    #expect(file.corpus().documents == ["床前明月光", "a\nb"])
    #expect(file.corpus().name == "data")
  }

  @Test func instructionRecords() throws {
    let file = try read("""
      {"instruction": "Translate", "input": "hello", "output": "你好"}
      {"instruction": "Say hi", "output": "hi", "text": "ignored"}
      {"instruction": "Null input", "input": null, "output": "ok"}
      """)
    #expect(file.shape == .instruction)
    #expect(file.records == [
      .instruction(instruction: "Translate", input: "hello", output: "你好"),
      .instruction(instruction: "Say hi", input: "", output: "hi"),
      .instruction(instruction: "Null input", input: "", output: "ok"),
    ])
    #expect(file.corpus().documents == ["Translate\nhello\n你好", "Say hi\nhi", "Null input\nok"])
  }

  @Test func chatRecords() throws {
    let file = try read("""
      {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello", "name": "bot"}]}
      {"messages": [{"role": "user", "content": "\\u00e9\\ud83d\\ude00"}], "prompt": "a chat with a prompt key"}
      """)
    #expect(file.shape == .chat)
    #expect(file.records == [
      .chat([ChatMessage(role: .system, content: "Be brief."), ChatMessage(role: .user, content: "Hi"), ChatMessage(role: .assistant, content: "Hello")]),
      .chat([ChatMessage(role: .user, content: "é😀")]),
    ])
    #expect(file.corpus().documents == ["Be brief.\nHi\nHello", "é😀"])
  }

  @Test func preferenceRecords() throws {
    let file = try read(#"{"prompt": "2+2?", "chosen": "4", "rejected": "5", "messages": "ignored"}"#)
    #expect(file.shape == .preference)
    #expect(file.records == [.preference(prompt: "2+2?", chosen: "4", rejected: "5")])
    #expect(file.corpus().documents == ["2+2?\n4"])
  }

  @Test func byteOrderMarkCRLFBlankLinesAndNoFinalNewline() throws {
    let bytes = [0xEF, 0xBB, 0xBF] + textBytes("{\"text\": \"one\"}\r\n\r\n   \n{\"text\": \"two\"}\r\n\n{\"text\": \"three\"}")
    let file = try JSONLReader.parse(Data(bytes), name: "w.jsonl")
    #expect(file.records == [.text("one"), .text("two"), .text("three")])
    #expect(file.skipped == 0)
    // Line numbers count blank lines too.
    let bad = [0xEF, 0xBB, 0xBF] + textBytes("{\"text\": \"one\"}\r\n\r\n{\"text\": 1}")
    #expect(modelErrorMessage { _ = try JSONLReader.parse(Data(bad), name: "w.jsonl") } == "w.jsonl:3: \"text\" is a number, not a string")
  }

  @Test func malformedLinesNameFileAndLine() {
    let ok = #"{"instruction": "a", "output": "b"}"#
    #expect(error([ok, #"{"instruction": "a", "output": "b""#]) == "data.jsonl:2: not valid JSON (the line ends early at column 35)")
    #expect(error([ok, #"{"instruction": "a" "output": "b"}"#]) == "data.jsonl:2: not valid JSON (expected ',' or '}' at column 21)")
    #expect(error([ok, "hello"]) == "data.jsonl:2: not valid JSON (unexpected character at column 1)")
    #expect(error([ok, #"["a", "b"]"#]) == "data.jsonl:2: not a JSON object (a list)")
    #expect(error([ok, #""text""#]) == "data.jsonl:2: not a JSON object (a string)")
    #expect(error([ok, "", #"{"instruction": "a", "input": ""}"#])
      == #"data.jsonl:3: missing "output" (instruction records need "instruction" and "output")"#)
    #expect(error([ok, #"{"output": "b"}"#]) == #"data.jsonl:2: missing "instruction" (instruction records need "instruction" and "output")"#)
    #expect(error([ok, #"{"instruction": "a", "output": 3}"#]) == #"data.jsonl:2: "output" is a number, not a string"#)
    #expect(error([ok, #"{"instruction": "a", "input": ["x"], "output": "b"}"#]) == #"data.jsonl:2: "input" is a list, not a string"#)
    #expect(error([ok, #"{"text": "plain"}"#]) == "data.jsonl:2: a text record, but the file's first record (line 1) is an instruction record")
    #expect(error([ok, #"{"instruction": "a", "output": "b", "output": "c"}"#]) == #"data.jsonl:2: duplicate key "output" at column 37"#)
    #expect(error([#"{"id": 1, "body": "x"}"#])
      == #"data.jsonl:1: not a known kind of record (its keys: "id", "body"); expected "text", "instruction"/"output", "messages" or "prompt"/"chosen"/"rejected""#)
    #expect(error(["{}"]).map { $0.hasPrefix("data.jsonl:1: not a known kind of record (it has no keys)") } == true)
    #expect(error([#"{"text": null}"#]) == #"data.jsonl:1: "text" is null, not a string"#)
    #expect(error([#"{"prompt": "p", "chosen": "c"}"#]) == #"data.jsonl:1: missing "rejected" (preference records need "prompt", "chosen" and "rejected")"#)
    #expect(error([#"{"prompt": "p"}"#]) == #"data.jsonl:1: missing "chosen" (preference records need "prompt", "chosen" and "rejected")"#)
    #expect(error([#"{"prompt": "p", "chosen": [{"role": "user", "content": "c"}], "rejected": "r"}"#]) == #"data.jsonl:1: "chosen" is a list, not a string"#)
  }

  @Test func malformedChatLines() {
    let ok = #"{"messages": [{"role": "user", "content": "hi"}]}"#
    #expect(error([ok, #"{"messages": []}"#]) == #"data.jsonl:2: "messages" is empty (a conversation needs at least one message)"#)
    #expect(error([ok, #"{"messages": "hi"}"#]) == #"data.jsonl:2: "messages" is a string, not a list"#)
    #expect(error([ok, #"{"messages": [{"role": "user", "content": "a"}, {"role": "bot", "content": "b"}]}"#])
      == #"data.jsonl:2: messages[1]: unknown role "bot" (roles are system, user, assistant)"#)
    #expect(error([ok, #"{"messages": [{"content": "a"}]}"#]) == #"data.jsonl:2: messages[0]: missing "role" (one of system, user, assistant)"#)
    #expect(error([ok, #"{"messages": [{"role": "user"}]}"#]) == #"data.jsonl:2: messages[0]: missing "content""#)
    #expect(error([ok, #"{"messages": [{"role": "assistant", "content": null}]}"#]) == #"data.jsonl:2: messages[0]: "content" is null, not a string"#)
    #expect(error([ok, #"{"messages": [{"role": 1, "content": "x"}]}"#]) == #"data.jsonl:2: messages[0]: "role" is a number, not a string"#)
    #expect(error([ok, #"{"messages": ["hi"]}"#]) == #"data.jsonl:2: messages[0] is a string, not an object {"role", "content"}"#)
    #expect(error([ok, #"{"text": "x"}"#]) == "data.jsonl:2: a text record, but the file's first record (line 1) is a chat record")
  }

  @Test func invalidUTF8Line() {
    let bytes = textBytes("{\"text\": \"ok\"}\n{\"text\": \"é") + [0xC3, 0x28] + textBytes("\"}\n")
    #expect(modelErrorMessage { _ = try JSONLReader.parse(Data(bytes), name: "u.jsonl") } == "u.jsonl:2: not UTF-8 text (byte 0xC3 at column 12)")
    #expect(modelErrorMessage { _ = try JSONLReader.parse(Data([0xFF, 0xFE, 0x7B, 0x00]), name: "u.jsonl") } == "u.jsonl: the file is UTF-16 text; save it as UTF-8")
  }

  @Test func skipInvalidCountsAndKeepsTheRest() throws {
    let file = try read("""
      not json
      {"instruction": "a", "output": "b"}
      {"instruction": "c"}

      {"text": "other shape"}
      {"instruction": "d", "input": "e", "output": "f"}
      """, skipInvalid: true)
    // The first valid record decides the shape (line 1 is not one).
    #expect(file.shape == .instruction)
    #expect(file.records == [.instruction(instruction: "a", input: "", output: "b"), .instruction(instruction: "d", input: "e", output: "f")])
    #expect(file.skipped == 3)
    #expect(file.problems.map(\.line) == [1, 3, 5])
    #expect(file.problems[1].description == #"line 3: missing "output" (instruction records need "instruction" and "output")"#)
    #expect(file.problems[2].message == "a text record, but the file's first record (line 2) is an instruction record")
  }

  @Test func emptyFilesAndFilesWithNothingValid() {
    #expect(error([""]) == "data.jsonl: the file is empty (no records)")
    #expect(modelErrorMessage { _ = try read("") } == "data.jsonl: the file is empty (no records)")
    #expect(error(["x", "[]"], skipInvalid: true) == "data.jsonl: no valid records (2 lines skipped; the first, line 1: not valid JSON (unexpected character at column 1))")
  }

  @Test func readsFilesByPath() throws {
    let dir = try dataDirectory(["sft/chat.jsonl": textBytes(#"{"messages": [{"role": "user", "content": "hi"}]}"#)])
    let file = try JSONLReader.read(contentsOf: dir + "/sft/chat.jsonl", displayPath: "sft/chat.jsonl")
    #expect(file.name == "sft/chat.jsonl")
    #expect(file.corpus().name == "chat")
    #expect(modelErrorMessage { _ = try JSONLReader.read(contentsOf: dir + "/missing.jsonl", displayPath: "missing.jsonl") } == "missing.jsonl: no such file")
    #expect(modelErrorMessage { _ = try JSONLReader.read(contentsOf: dir + "/sft", displayPath: "sft") } == "sft: is a directory, not a JSONL file")
  }
}
