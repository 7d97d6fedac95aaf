import Language
import Testing

extension LanguageTests {
  /// `isIncomplete` tells the REPL to ask for another line: true only when the input ended
  /// inside an unfinished construct, never for input that is complete or plainly wrong.
  @Suite struct ParserIncomplete {
    static func isIncomplete(_ text: String) -> (Bool, [String]) {
      var parser = Parser(file: SourceFile(name: "<cell>", text: text), commandWords: ["show", "inspect"])
      _ = parser.parseProgram()
      return (parser.isIncomplete, parser.diagnostics.map(\.message))
    }

    @Test("unfinished input is incomplete", arguments: [
      "let x = (1 +", "fn f() {", "[1, 2,", "let x =", "1 +", "f(1,", "{a: 1,", "x[0,",
      "if x {", "if x { print(1) } else {", "for i in 0..3 {", "while true {\n  print(1)",
      "fn f(a,", "let r = {\n  a: 1", "no_grad {", "x = y *\n", "a and", "(",
      "let m = [\n  [1, 2],\n", "fn outer() {\n  fn inner() {\n  }\n",
    ])
    func incomplete(_ text: String) {
      let (incomplete, errors) = Self.isIncomplete(text)
      #expect(incomplete, "\(text.debugDescription) should ask for more; errors: \(errors)")
      #expect(!errors.isEmpty)
    }

    @Test("complete or plainly wrong input is not incomplete", arguments: [
      "let x = 1", "1 + 2", "fn f() { }", "f(1, 2)", "[1, 2]", "if x { } else { }", "show x", "",
      "# only a comment", ")", "let = 5", "1 +* 2", "x y", "[1, 2]]", "let x = (1 + 2))", "else",
      "let s = \"abc", "fn (", "1 < 2 < 3", "let x = 1 +\nlet y = 2", "f(1,\nlet y = 2", "}",
    ])
    func notIncomplete(_ text: String) {
      let (incomplete, errors) = Self.isIncomplete(text)
      #expect(!incomplete, "\(text.debugDescription) is not waiting for more; errors: \(errors)")
    }

    @Test("at the end of input the error points after the last token and names the open bracket")
    func endOfInputDiagnostic() {
      var parser = Parser(file: SourceFile(name: "<cell>", text: "let x = f(1,\n  [2, 3\n"), commandWords: [])
      _ = parser.parseProgram()
      let d = parser.diagnostics.first
      #expect(d.map { span($0.range) } == "2:8-2:8")
      #expect(d?.hint == "expected `]` to close the `[` opened at 2:3")
    }
  }
}
