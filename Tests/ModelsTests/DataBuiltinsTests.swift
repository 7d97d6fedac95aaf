import Foundation
import Language
import Runtime
import Testing

/// `text(...)`, `jsonl(...)` and `to_corpus(...)` as a script uses them.
@Suite("data built-ins") struct DataBuiltinsTests {
  /// Runs `script` with `directory` as the base for relative paths: what it printed, and the
  /// message of the runtime error that stopped it (if one did).
  func run(_ script: String, in directory: String) -> (output: String, error: String?) {
    let log = OutputLog()
    let interpreter = Interpreter(output: { log.lines.append($0) })
    interpreter.baseDirectory = directory
    do {
      try interpreter.run(source: SourceFile(name: "test.llm", text: script))
      return (log.lines.joined(separator: "\n"), nil)
    } catch let e as RuntimeError {
      return (log.lines.joined(separator: "\n"), e.message)
    } catch {
      return (log.lines.joined(separator: "\n"), "unexpected \(error)")
    }
  }

  @Test func jsonlRecordsInTheLanguage() throws {
    let dir = try dataDirectory([
      "sft.jsonl": textBytes("""
        {"instruction": "Write a line about the moon", "input": "", "output": "床前明月光"}
        {"instruction": "Continue", "input": "白日依山尽", "output": "黄河入海流"}
        """),
      "chat.jsonl": textBytes(#"{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}"# + "\n"),
    ])
    let (output, error) = run("""
      let r = jsonl("sft.jsonl")
      print(r.shape, r.size, r.skipped)
      print(r.record(1))
      print(r.record(1).output)
      show r
      let c = r.corpus()
      print(c.size, c.document(1))
      print(to_corpus(r).name)
      let chat = jsonl("chat.jsonl")
      print(chat.record(0).messages[1].role, chat.record(0).messages[1].content)
      print(type(chat))
      """, in: dir)
    #expect(error == nil)
    #expect(output == """
      instruction 2 0
      {instruction: "Continue", input: "白日依山尽", output: "黄河入海流"}
      黄河入海流
      records sft.jsonl: 2 instruction records
      first record:
        instruction: Write a line about the moon
        input: ""
        output: 床前明月光
      2 Continue
      白日依山尽
      黄河入海流
      sft
      assistant hello
      records
      """)
  }

  @Test func malformedFileErrorNamesFileAndLine() throws {
    let dir = try dataDirectory(["data/poems.jsonl": textBytes("""
      {"instruction": "a", "output": "b"}
      {"instruction": "c", "output": "d"}

      {"instruction": "e"}
      {"instruction": "f", "output": "g"}
      """)])
    let failed = run(#"let r = jsonl("data/poems.jsonl")"#, in: dir)
    #expect(failed.error == #"data/poems.jsonl:4: missing "output" (instruction records need "instruction" and "output")"#)
    let skipped = run("""
      let r = jsonl("data/poems.jsonl", skip_invalid: true)
      print(r.size, r.skipped)
      r
      """, in: dir)
    #expect(skipped.error == nil)
    #expect(skipped.output == "3 1")
    let missing = run(#"jsonl("nope.jsonl")"#, in: dir)
    #expect(missing.error == "nope.jsonl: no such file")
  }

  @Test func textCorporaInTheLanguage() throws {
    let dir = try dataDirectory(["poems.txt": textBytes("one\ntwo\n\nthree\n"), "books/b.txt": textBytes("B"), "books/a/x.txt": textBytes("AX")])
    let (output, error) = run("""
      let p = text("poems.txt")
      print(p.name, p.size, p.document(1))
      let whole = text("poems.txt", documents: "file")
      print(whole.size)
      let books = text("books")
      print(books.size, books.document(0), books.document(1))
      let tok = char_tokenizer(to_corpus(books))
      print(tok.kind)
      """, in: dir)
    #expect(error == nil)
    #expect(output == "poems 2 three\n1\n2 AX B\ncharacter")
    #expect(run(#"text("poems.txt", documents: "lines")"#, in: dir).error
      == #"text: documents must be "paragraphs" (split at blank lines) or "file" (one document per file), got "lines""#)
    #expect(run(#"text("missing")"#, in: dir).error == "missing: no such file or directory")
    #expect(run("to_corpus(3)", in: dir).error == "to_corpus: `data` must be records (from jsonl) or a corpus, got a number")
  }
}

/// Lines an interpreter printed.
final class OutputLog: @unchecked Sendable {
  var lines: [String] = []
}
