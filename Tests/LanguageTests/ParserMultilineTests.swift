import Language
import Testing

extension LanguageTests {
  /// Newlines end statements except where one cannot end: after a binary operator, inside
  /// brackets and records, after `\`.
  @Suite struct ParserMultiline {
    @Test("input spread over lines parses as one statement", arguments: [
      ("let x = 1 +\n  2", "(let x (+ 1 2))"),
      ("let y = a and\n  b or\n  c", "(let y (or (and a b) c))"),
      ("f(1,\n  2,\n)", "(call f 1 2)"),
      ("f(\n  x,\n  axis: 0\n)", "(call f x axis: 0)"),
      ("[\n  [1, 2],\n  [3, 4]\n]", "[[1 2] [3 4]]"),
      ("{\n  a: 1,\n  b: 2\n}", "{a: 1, b: 2}"),
      ("(1\n + 2)", "(+ 1 2)"),
      ("let loss = (a\n  - b\n  ** 2)", "(let loss (- a (** b 2)))"),
      ("[a\n  or b, c]", "[(or a b) c]"),
      ("f(x\n  * 2\n)", "(call f (* x 2))"),
      ("{k: 1\n  + 2}", "{k: (+ 1 2)}"),
      ("(0\n..3)", "(.. 0 3)"),
      ("x[0,\n  1:2]", "(index x 0 1:2:_)"),
      ("let z = 1 \\\n  + 2", "(let z (+ 1 2))"),
      ("let w =\n  3", "(let w 3)"),
      ("0..\n5", "(.. 0 5)"),
      ("x = y *\n\n  2", "(= x (* y 2))"),
    ])
    func continues(_ source: String, _ tree: String) {
      let (program, errors) = parse(source)
      #expect(errors.isEmpty, "\(source.debugDescription): \(errors.map(\.message))")
      #expect(sexpr(program) == tree, "\(source.debugDescription)")
    }

    @Test("a newline ends a statement elsewhere", arguments: [
      ("a\nb", "a\nb"),
      ("let x = 1\n-2", "(let x 1)\n(neg 2)"),
      ("f(x)\n{ a: 1 }", "(call f x)\n{a: 1}"),
      ("a\n\n\nb\n", "a\nb"),
      ("a\r\nb", "a\nb"),
    ])
    func ends(_ source: String, _ tree: String) {
      let (program, errors) = parse(source)
      #expect(errors.isEmpty, "\(source.debugDescription): \(errors.map(\.message))")
      #expect(sexpr(program) == tree, "\(source.debugDescription)")
    }

    @Test("blocks span lines; else may start the next line")
    func blocks() {
      let source = """
        if x > 0 {
          print("positive")
        }
        else {
          print("not")
        }
        fn f(
          a,
          b = 2
        ) {
          return a + b
        }
        """
      let (program, errors) = parse(source)
      #expect(errors.isEmpty, "\(errors.map(\.message))")
      #expect(sexpr(program) == """
        (if (> x 0) {(call print "positive")} else {(call print "not")})
        (fn f (a b=2) {(return (+ a b))})
        """)
    }

    @Test("statement ranges cover their lines")
    func ranges() {
      let (program, _) = parse("let x = 1 +\n  22\nprint(x)")
      #expect(program.statements.map { span($0.range) } == ["1:1-2:5", "3:1-3:9"])
    }
  }
}
