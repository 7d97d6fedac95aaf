import Foundation
import Language

/// The programs the fuzz test mutates: every fixture, and a few snippets for the corners
/// fixtures do not reach.
enum FuzzCorpus {
  static let snippets = [
    "let x = [1, 2, 3]\nfor i in 0..len(x) { x[i] = x[i] * 2 }\nprint(x)",
    "let t = reshape(arange(12), 3, 4)\nshow t[1:, ::-1] { rows: 2 }\ninspect t.T",
    "fn f(a, b = 2, c = 3) { return a + b * c }\nprint(f(1, c: 4), f(b: 1, a: 2))",
    "let w = param([[1, 2], [3, 4]])\nlet loss = (w @ w).sum()\nloss.backward()\nprint(w.grad)",
    "let r = {a: {b: [1, {c: 2}]}}\nr.a.b[1].c = 5\nprint(r)",
    "let s = \"世界 👋🏽 e\\u{301}\"\nprint(s[::-1], len(s), s[1:3])",
    "let n = 0\nwhile n < 10 { n += 1; if n % 3 == 0 { continue } }\nprint(n)",
    "no_grad { let y = param([1]) * 2 }\nprint(y.requires_grad)",
    "let opt = adamw([param([1, 2])], lr: 0.1)\nopt.step()\nprint(opt)",
    "print(softmax(tensor([1, 2, 3])), tensor([[1], [2]]) + tensor([1, 2]))",
  ]

  static func load() throws -> [String] {
    let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.directory.path).filter { $0.hasSuffix(".llm") }.sorted()
    return try files.map { try String(contentsOf: Fixtures.directory.appendingPathComponent($0), encoding: .utf8) } + snippets
  }
}

/// Small random edits of a program: tokens or characters deleted, duplicated or swapped,
/// lines swapped, brackets, operators, keywords and Unicode inserted, numbers made extreme.
enum Mutator {
  static let insertions = [
    "(", ")", "[", "]", "{", "}", "+", "-", "*", "**", "/", "%", "@", "..", "...", ":", ",", ".", "=", "==", "+=",
    "\n", "\"", "'", "\\", "\\\n", "#", ";", "世", "👋🏽", "é", "e\u{301}", "（", "“", "\t", "\r\n", "not ", " and ", " or ",
    "fn ", "let ", "if ", "else ", "for ", "in ", "while ", "return ", "break", "continue", "import ", "no_grad ",
    "show ", "inspect ", "0", "-1", "1e309", "0.5", "none", "true", "x", "t", "f(", "[0]", "[:, ::-1]", "[..., -1]",
    ".sum()", ".T", ".grad", "param(", "tensor(", "zeros(", "{a: 1}", "\u{0}",
  ]
  static let extremeNumbers = ["0", "-1", "1e308", "1e-308", "1e400", "123456789012", "2", "0.000001", "-0"]

  static func mutate(_ program: String, using rng: inout SeededGenerator) -> String {
    var chars = Array(program)
    for _ in 0..<Int.random(in: 1...4, using: &rng) {
      chars = once(chars, using: &rng)
    }
    return String(chars)
  }

  static func once(_ chars: [Character], using rng: inout SeededGenerator) -> [Character] {
    var chars = chars
    let tokens = tokenRanges(String(chars))
    switch Int.random(in: 0..<9, using: &rng) {
    case 0 where !tokens.isEmpty:  // delete a token
      chars.removeSubrange(tokens.randomElement(using: &rng)!)
    case 1 where !tokens.isEmpty:  // duplicate a token
      let r = tokens.randomElement(using: &rng)!
      chars.insert(contentsOf: Array(chars[r]) + [" "], at: r.lowerBound)
    case 2 where tokens.count > 1:  // swap two neighbouring tokens
      let k = Int.random(in: 0..<(tokens.count - 1), using: &rng)
      let (a, b) = (tokens[k], tokens[k + 1])
      chars.replaceSubrange(a.lowerBound..<b.upperBound, with: Array(chars[b]) + Array(chars[a.upperBound..<b.lowerBound]) + Array(chars[a]))
    case 3 where !chars.isEmpty:  // delete a character
      chars.remove(at: Int.random(in: 0..<chars.count, using: &rng))
    case 4 where !chars.isEmpty:  // duplicate a character
      let i = Int.random(in: 0..<chars.count, using: &rng)
      chars.insert(chars[i], at: i)
    case 5:  // swap two lines
      var lines = String(chars).split(separator: "\n", omittingEmptySubsequences: false)
      if lines.count > 1 {
        let i = Int.random(in: 0..<lines.count, using: &rng), j = Int.random(in: 0..<lines.count, using: &rng)
        lines.swapAt(i, j)
      }
      chars = Array(lines.joined(separator: "\n"))
    case 6:  // make a number extreme
      let numbers = tokenRanges(String(chars), onlyNumbers: true)
      if let r = numbers.randomElement(using: &rng) {
        chars.replaceSubrange(r, with: Array(extremeNumbers.randomElement(using: &rng)!))
      }
    default:  // insert something
      let i = Int.random(in: 0...chars.count, using: &rng)
      chars.insert(contentsOf: Array(insertions.randomElement(using: &rng)!), at: i)
    }
    return chars
  }

  /// Character ranges of the program's tokens (from the real lexer).
  static func tokenRanges(_ text: String, onlyNumbers: Bool = false) -> [Range<Int>] {
    var lexer = Lexer(file: SourceFile(name: "m", text: text))
    return lexer.tokenize().compactMap { t in
      switch t.kind {
      case .endOfFile, .newline: return nil
      case .number: break
      default: if onlyNumbers { return nil }
      }
      return t.range.start.offset < t.range.end.offset ? t.range.start.offset..<t.range.end.offset : nil
    }
  }
}

/// Random programs over a small prelude: expressions of every kind, nested up to a depth,
/// and statements with bounded loops.
enum ProgramGenerator {
  static let prelude = """
    let x = 3
    let s = "héllo 世界"
    let xs = [1, 2, 3]
    let r = {a: 1, b: [2, 3]}
    let t = tensor([[1, 2], [3, 4]])
    let w = param([0.5, -1])
    fn f(a, b = 2) { return a * b }

    """
  static let names = ["x", "s", "xs", "r", "t", "w", "f", "none", "true", "false", "y", "softmax", "len"]
  static let binary = ["+", "-", "*", "/", "%", "**", "@", "==", "!=", "<", "<=", ">", ">=", "and", "or", ".."]
  static let calls = [
    "len", "str", "type", "print", "tensor", "zeros", "ones", "sum", "mean", "max", "relu", "exp", "softmax", "reshape",
    "transpose", "abs", "f", "list", "round", "arange", "eye", "concat", "stack", "where", "maximum", "clamp", "item",
  ]
  static let members = ["T", "shape", "grad", "sum()", "mean(axis: 0)", "a", "b", "length", "item()", "relu()", "requires_grad"]

  static func expression(depth: Int, using rng: inout SeededGenerator) -> String {
    if depth == 0 || Int.random(in: 0..<4, using: &rng) == 0 { return atom(using: &rng) }
    let d = depth - 1
    switch Int.random(in: 0..<9, using: &rng) {
    case 0: return "(\(expression(depth: d, using: &rng)) \(binary.randomElement(using: &rng)!) \(expression(depth: d, using: &rng)))"
    case 1: return ["-", "not "].randomElement(using: &rng)! + expression(depth: d, using: &rng)
    case 2:
      let args = (0..<Int.random(in: 0...3, using: &rng)).map { _ in expression(depth: d, using: &rng) }
      return "\(calls.randomElement(using: &rng)!)(\(args.joined(separator: ", ")))"
    case 3: return "[" + (0..<Int.random(in: 0...3, using: &rng)).map { _ in expression(depth: d, using: &rng) }.joined(separator: ", ") + "]"
    case 4: return "{k: \(expression(depth: d, using: &rng)), v: \(expression(depth: d, using: &rng))}"
    case 5: return "\(atom(using: &rng))[\(subscriptText(depth: d, using: &rng))]"
    case 6: return "\(expression(depth: d, using: &rng)).\(members.randomElement(using: &rng)!)"
    case 7: return "\(calls.randomElement(using: &rng)!)(\(expression(depth: d, using: &rng)), axis: \(Int.random(in: -2...2, using: &rng)))"
    default: return "(\(expression(depth: d, using: &rng)))"
    }
  }

  static func subscriptText(depth: Int, using rng: inout SeededGenerator) -> String {
    (0..<Int.random(in: 1...3, using: &rng)).map { _ in
      switch Int.random(in: 0..<4, using: &rng) {
      case 0: return "..."
      case 1: return "\(Int.random(in: -3...3, using: &rng)):\(Int.random(in: -3...3, using: &rng)):\([1, -1, 2, 0].randomElement(using: &rng)!)"
      case 2: return ":"
      default: return expression(depth: min(depth, 1), using: &rng)
      }
    }.joined(separator: ", ")
  }

  static func atom(using rng: inout SeededGenerator) -> String {
    switch Int.random(in: 0..<5, using: &rng) {
    case 0: return String(Int.random(in: -5...5, using: &rng))
    case 1: return ["0.5", "1e-3", "2.5e10", "0", "1e308"].randomElement(using: &rng)!
    case 2: return ["\"a\"", "\"世界\"", "\"\"", "\"👋🏽\\n\""].randomElement(using: &rng)!
    default: return names.randomElement(using: &rng)!
    }
  }

  static func statement(depth: Int, using rng: inout SeededGenerator) -> String {
    let e = { (rng: inout SeededGenerator) in expression(depth: 3, using: &rng) }
    switch Int.random(in: 0..<8, using: &rng) {
    case 0: return "let y = \(e(&rng))"
    case 1: return "print(\(e(&rng)))"
    case 2 where depth > 0: return "if \(e(&rng)) { \(statement(depth: depth - 1, using: &rng)) } else { \(statement(depth: depth - 1, using: &rng)) }"
    case 3 where depth > 0: return "for i in 0..\(Int.random(in: 0...4, using: &rng)) { \(statement(depth: depth - 1, using: &rng)) }"
    case 4: return "show \(e(&rng))"
    case 5: return "x = \(e(&rng))"
    case 6 where depth > 0: return "fn g(a) { \(statement(depth: depth - 1, using: &rng)); return \(e(&rng)) }\nprint(g(\(e(&rng))))"
    default: return e(&rng)
    }
  }

  static func program(using rng: inout SeededGenerator) -> String {
    prelude + (0..<Int.random(in: 1...6, using: &rng)).map { _ in statement(depth: 2, using: &rng) }.joined(separator: "\n")
  }
}
