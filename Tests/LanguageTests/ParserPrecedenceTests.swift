import Language
import Testing

extension LanguageTests {
  /// Binding powers and associativity, read off the tree the parser builds.
  @Suite struct ParserPrecedence {
    static let cases: [(source: String, tree: String)] = [
      ("1 + 2 * 3", "(+ 1 (* 2 3))"),
      ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
      ("a - b - c", "(- (- a b) c)"),
      ("a / b * c", "(* (/ a b) c)"),
      ("a % b + c", "(+ (% a b) c)"),
      ("a @ b * c", "(* (@ a b) c)"),
      ("a + b @ c", "(+ a (@ b c))"),
      // Unary minus binds looser than ** but tighter than * and +.
      ("-2 ** 2", "(neg (** 2 2))"),
      ("-a * b", "(* (neg a) b)"),
      ("a * -b", "(* a (neg b))"),
      ("1 - -1", "(- 1 (neg 1))"),
      ("- - a", "(neg (neg a))"),
      ("+a", "a"),
      // ** is right-associative and takes a unary operand on the right.
      ("2 ** 3 ** 2", "(** 2 (** 3 2))"),
      ("2 ** -1", "(** 2 (neg 1))"),
      ("2 ** -x ** 2", "(** 2 (neg (** x 2)))"),
      ("a * b ** c", "(* a (** b c))"),
      ("a ** b * c", "(* (** a b) c)"),
      ("(-2) ** 2", "(** (neg 2) 2)"),
      // Postfix binds tightest.
      ("-x.y", "(neg (. x y))"),
      ("-x[0] ** 2", "(neg (** (index x 0) 2))"),
      ("x.y[0](1)", "(call (index (. x y) 0) 1)"),
      ("f(a)(b)", "(call (call f a) b)"),
      // Comparison, then not, and, or.
      ("a + 1 < b * 2", "(< (+ a 1) (* b 2))"),
      ("not a == b", "(not (== a b))"),
      ("not a and b", "(and (not a) b)"),
      ("a or b and c", "(or a (and b c))"),
      ("a and b or c and d", "(or (and a b) (and c d))"),
      ("not not a", "(not (not a))"),
      ("a or b or c", "(or (or a b) c)"),
      // Ranges sit between comparison and addition.
      ("a + 1..b * 2", "(.. (+ a 1) (* b 2))"),
      ("0..n == r", "(== (.. 0 n) r)"),
      // Literals and subscripts.
      ("[1, 2, [3]]", "[1 2 [3]]"),
      ("[1, 2,]", "[1 2]"),
      ("{a: 1, b: [2]}", "{a: 1, b: [2]}"),
      ("x[0, :, 1:3]", "(index x 0 _:_:_ 1:3:_)"),
      ("x[..., -1]", "(index x ... (neg 1))"),
      ("x[::-1]", "(index x _:_:(neg 1))"),
      ("x[1::2, :3]", "(index x 1:_:2 _:3:_)"),
      ("f(x, axis: 0)", "(call f x axis: 0)"),
      ("1.5e3 + .5", "(+ 1500 0.5)"),
      ("1_000 * 2", "(* 1000 2)"),
      ("\"a\\tb\" + 'c'", "(+ \"a\\tb\" \"c\")"),
      ("none == true", "(== none true)"),
    ]

    @Test("an expression parses to the expected tree", arguments: cases)
    func tree(_ c: (source: String, tree: String)) {
      let (program, errors) = parse(c.source)
      #expect(errors.isEmpty, "\(c.source): \(errors.map(\.message))")
      #expect(sexpr(program) == c.tree, "\(c.source)")
    }

    @Test("statements parse to the expected trees", arguments: [
      ("let x = 1 + 2", "(let x (+ 1 2))"),
      ("x += 2 * 3", "(+= x (* 2 3))"),
      ("x.a[0] = 1", "(= (index (. x a) 0) 1)"),
      ("x **= 2", "(**= x 2)"),
      ("fn f(a, b = 2) { return a * b }", "(fn f (a b=2) {(return (* a b))})"),
      ("if a { b } else if c { d } else { e }", "(if a {b} else {(if c {d} else {e})})"),
      ("for i in 0..3 { print(i) }", "(for i (.. 0 3) {(call print i)})"),
      ("while x < 3 { x += 1; continue }", "(while (< x 3) {(+= x 1); (continue)})"),
      ("no_grad { y = w * 2 }", "(no_grad {(= y (* w 2))})"),
      ("import \"a.llm\"", "(import \"a.llm\")"),
      ("a; b; c", "a\nb\nc"),
    ])
    func statement(_ source: String, _ tree: String) {
      let (program, errors) = parse(source)
      #expect(errors.isEmpty, "\(source): \(errors.map(\.message))")
      #expect(sexpr(program) == tree, "\(source)")
    }

    @Test("chained comparisons are rejected with a rewrite", arguments: ["1 < 2 < 3", "a == b == c", "a < b >= c"])
    func chainedComparison(_ source: String) {
      let (_, errors) = parse(source)
      #expect(errors.count == 1)
      #expect(errors.first?.message.hasPrefix("comparisons cannot be chained") == true)
      #expect(errors.first?.hint?.contains(" and ") == true)
    }

    @Test("a positional argument after a named one is reported")
    func positionalAfterNamed() {
      let (_, errors) = parse("f(a: 1, 2)")
      #expect(errors.map(\.message) == ["a positional argument cannot follow a named one"])
    }

    @Test("assignment needs a name, member or element on its left")
    func assignmentTarget() {
      let (_, errors) = parse("f(x) = 1\n1 + 2 = 3")
      #expect(errors.map(\.message) == ["cannot assign to this expression", "cannot assign to this expression"])
      #expect(errors.map { span($0.range) } == ["1:1-1:5", "2:1-2:6"])
    }
  }
}
