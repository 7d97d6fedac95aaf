import Foundation
import Language
import Runtime
import Testing

/// `llmlab run FILE --set NAME=VALUE`: overriding a script's top-level literal lets, as the
/// runner does it, and the rewrite of the parsed program underneath.
extension LanguageTests {
  @Suite struct SetOption {
    static let script = """
      print("ran")
      let steps = 3
      let lr = -1
      let corpus_name = "tang300"
      let fast = false
      let data = [1, 2]
      let twice = 1
      let twice = 2
      print(steps, lr, corpus_name, fast)

      """

    /// The transcript of running `script` with `--set` arguments as the command line gives them.
    static func run(_ arguments: [String], _ text: String = script) throws -> String {
      transcript(of: text, name: "settings.llm", overrides: try arguments.map(ScriptOverrides.parse))
    }

    @Test("--set gives each kind of literal let a new value of its kind")
    func overridesEachKind() throws {
      #expect(try Self.run([]) == "ran\n3 -1 tang300 false\nexit: 0\n")
      let out = try Self.run(["steps=5", "lr=3e-4", "corpus_name=\"song 100\"", "fast=true"])
      #expect(out == "ran\n5 0.0003 song 100 true\nexit: 0\n")
      // A string let takes any text: digits and true stay text; quotes inside are kept.
      #expect(try Self.run(["corpus_name=2"]).contains("3 -1 2 false"))
      #expect(try Self.run(["corpus_name=true"]).contains("3 -1 true false"))
      #expect(try Self.run(["corpus_name=a\"b"]).contains("3 -1 a\"b false"))
      #expect(try Self.run(["corpus_name="]).contains("3 -1  false"))
      #expect(try Self.run(["steps=-1.5", "lr=1_000", "fast=false"]).contains("-1.5 1000 tang300 false"))
    }

    @Test(
      "a --set that cannot apply is a usage error naming the flag, and nothing runs",
      arguments: [
        ("steps=abc", "--set steps=abc: `let steps` (settings.llm:2) holds a number; \"abc\" is not a number"),
        ("steps=\"2\"", "--set steps=\"2\": `let steps` (settings.llm:2) holds a number; \"2\" is quoted text, not a number"),
        ("lr=0x10", "--set lr=0x10: `let lr` (settings.llm:3) holds a number; \"0x10\" is not a number"),
        ("lr=1e999", "--set lr=1e999: `let lr` (settings.llm:3) holds a number; \"1e999\" is not a number"),
        ("fast=yes", "--set fast=yes: `let fast` (settings.llm:5) holds true or false; \"yes\" is not true or false"),
        ("fast=1", "--set fast=1: `let fast` (settings.llm:5) holds true or false; \"1\" is not true or false"),
        ("stps=2", "--set stps=2: the script has no top-level `let stps` (did you mean `steps`?); lets that can be set: steps, lr, corpus_name, fast"),
        ("seed=2", "--set seed=2: the script has no top-level `let seed`; lets that can be set: steps, lr, corpus_name, fast"),
        ("data=1", "--set data=1: `let data` (settings.llm:6) is not a literal; only a let of a number, a string or true/false can be set"),
        ("twice=3", "--set twice=3: `let twice` appears 2 times at the top level of settings.llm (lines 7, 8); --set changes only a let made once"),
      ])
    func usageErrors(argument: String, message: String) throws {
      #expect(try Self.run([argument]) == "llmlab: \(message)\nexit: 2\n")
    }

    @Test("the same name set twice, and a let inside a function, are refused")
    func repeatedAndNested() throws {
      #expect(try Self.run(["steps=1", "steps=2"]) == "llmlab: --set steps=2: steps is already set by --set steps=1\nexit: 2\n")
      let nested = "fn f() {\n  let inner = 1\n  return inner\n}\nprint(f())\n"
      #expect(try Self.run(["inner=2"], nested)
        == "llmlab: --set inner=2: the script has no top-level `let inner`; it has no top-level let of a number, a string or true/false to set\nexit: 2\n")
    }

    @Test("malformed --set arguments are refused", arguments: ["steps", "=3", ""])
    func malformed(argument: String) {
      #expect(throws: ScriptOverrides.UsageError("--set \(argument): expected NAME=VALUE, as in --set seed=2")) {
        try ScriptOverrides.parse(argument)
      }
    }

    @Test func parseSplitsAtTheFirstEquals() throws {
      let (name, value) = try ScriptOverrides.parse("prompt=a=b")
      #expect(name == "prompt" && value == "a=b")
    }

    @Test("errors after an overridden let still point at their own lines")
    func diagnosticsKeepTheirLines() throws {
      let text = "let n = 2\n\nprint(10 / n)\n"
      #expect(try Self.run(["n=0"], text) == """
        settings.llm:3:7: error: division by zero
         3 | print(10 / n)
           |       ^~~~~~
        exit: 1

        """)
      // A value of the let's kind that the script then misuses: the error is at the use.
      let strings = "let name = \"a\"\nlet x = name + 1\n"
      #expect(try Self.run(["name=2"], strings).hasPrefix("settings.llm:2:9: error: `+` is not defined for a string and a number"))
    }

    @Test("the rewrite replaces only the let's value and keeps its source range")
    func rewriteKeepsRanges() throws {
      let source = SourceFile(name: "t.llm", text: "let a = -1\nlet b = \"x\"\nlet c = a\n")
      let (program, problems) = Parser.parseRecovering(source, commandWords: [])
      #expect(problems.isEmpty)
      let rewritten = try ScriptOverrides.apply([("a", "2.5"), ("b", "\"y z\"")], to: program)
      for (old, new) in zip(program.statements, rewritten.statements) {
        guard case .letBinding(let oldName, let oldValue) = old.kind, case .letBinding(let newName, let newValue) = new.kind else {
          Issue.record("not a let")
          continue
        }
        #expect(oldName == newName && old.range == new.range && oldValue.range == newValue.range)
      }
      let values = rewritten.statements.map { statement -> String in
        guard case .letBinding(_, let value) = statement.kind else { return "?" }
        return sexpr(value)
      }
      #expect(values == ["2.5", "\"y z\"", "a"])
    }

    @Test("the run report records the settings")
    func reportRecordsSettings() throws {
      let interpreter = Interpreter(output: { _ in })
      let runner = ScriptRunner(interpreter: interpreter, useColor: false, errorOutput: { _ in })
      let outcome = runner.run(SourceFile(name: "s.llm", text: Self.script),
                               overrides: [("steps", "2"), ("fast", "true"), ("corpus_name", "song100")])
      #expect(outcome == .success)
      let data = try ScriptRunner.reportJSON(script: "s.llm", ok: true, seconds: 0, stages: [], overrides: interpreter.overrides)
      let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      let set = try #require(object["set"] as? [String: Any])
      #expect(set["steps"] as? Double == 2 && set["fast"] as? Bool == true && set["corpus_name"] as? String == "song100")
      #expect(String(decoding: data, as: UTF8.self).contains("\"steps\" : 2"))
      let plain = try ScriptRunner.reportJSON(script: "s.llm", ok: true, seconds: 0, stages: [])
      #expect(try (JSONSerialization.jsonObject(with: plain) as? [String: Any])?["set"] == nil)
    }
  }
}
