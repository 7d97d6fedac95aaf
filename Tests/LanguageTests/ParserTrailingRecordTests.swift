import Language
import Testing

extension LanguageTests {
  /// `f(x) { a: 1 }` passes options to a call; after `if`, `for` and `while` a `{` opens
  /// the block instead.
  @Suite struct ParserTrailingRecords {
    @Test("a record after a call's parentheses is its options", arguments: [
      ("f(x) { a: 1 }", "(call f x trailing {a: 1})"),
      ("let y = f(x) {\n  a: 1,\n  b: 2\n}", "(let y (call f x trailing {a: 1, b: 2}))"),
      ("g() { lr: 0.1 }.steps", "(. (call g trailing {lr: 0.1}) steps)"),
      ("h(f(x) { a: 1 })", "(call h (call f x trailing {a: 1}))"),
      ("[f() { k: 2 }]", "[(call f trailing {k: 2})]"),
    ])
    func trailing(_ source: String, _ tree: String) {
      let (program, errors) = parse(source)
      #expect(errors.isEmpty, "\(source): \(errors.map(\.message))")
      #expect(sexpr(program) == tree)
    }

    @Test("after if, for and while a brace opens the block", arguments: [
      ("if f(x) { print(1) }", "(if (call f x) {(call print 1)})"),
      ("if x { a }", "(if x {a})"),
      ("for i in range(3) { print(i) }", "(for i (call range 3) {(call print i)})"),
      ("while g() { x += 1 }", "(while (call g) {(+= x 1)})"),
      ("if (f(x) { a: 1 }).ok { y }", "(if (. (call f x trailing {a: 1}) ok) {y})"),
      ("if [f() { a: 1 }] { y }", "(if [(call f trailing {a: 1})] {y})"),
    ])
    func blocks(_ source: String, _ tree: String) {
      let (program, errors) = parse(source)
      #expect(errors.isEmpty, "\(source): \(errors.map(\.message))")
      #expect(sexpr(program) == tree)
    }

    @Test("command statements: a verb, operands and options", arguments: [
      ("show x", "(command show x)"),
      ("inspect x.T", "(command inspect (. x T))"),
      ("show x { precision: 2 }", "(command show x options {precision: 2})"),
      ("show x + 1", "(command show (+ x 1))"),
      ("show f(x) { rows: 1 }", "(command show (call f x) options {rows: 1})"),
      ("show", "(command show)"),
      ("if ok { show x }", "(if ok {(command show x)})"),
      // Used as a value or assigned, a command word is a plain name.
      ("show = 5", "(= show 5)"),
      ("show.x", "(. show x)"),
      ("show += 1", "(+= show 1)"),
    ])
    func commands(_ source: String, _ tree: String) {
      let (program, errors) = parse(source)
      #expect(errors.isEmpty, "\(source): \(errors.map(\.message))")
      #expect(sexpr(program) == tree)
    }

    @Test("a command word the interpreter does not define is an ordinary name")
    func unknownCommandWord() {
      let (program, errors) = parse("show x", commandWords: [])
      #expect(sexpr(program) == "")
      #expect(errors.map(\.message) == ["expected the end of the statement, found `x`"])
    }

    @Test("command options are checked against the command", arguments: [
      ("let x = 1\nshow x { precison: 2 }", "`show` has no option `precison`", "did you mean `precision`?"),
      ("let x = 1\ninspect x { rows: 2 }", "`inspect` has no option `rows`", "`inspect` takes no options"),
    ])
    func unknownOption(_ source: String, _ message: String, _ hint: String) {
      let d = diagnostics(of: source)
      #expect(d.map(\.message) == [message])
      #expect(d.first?.hint == hint)
    }
  }
}
