/// A recursive-descent parser with Pratt parsing for expressions. It follows
/// `Grammar/llm.ebnf`; each function repeats its production.
///
/// Errors do not stop it: it records a diagnostic, skips to the end of the statement and
/// goes on, so one run reports every syntax error in a file. When input ends inside an
/// unfinished construct, `isIncomplete` is set, which the REPL uses to ask for another line.
public struct Parser {
  var tokens: [Token]
  var position = 0
  let file: SourceFile
  let comments: [Int: String]
  /// Identifiers that start a command statement (`show`, `inspect`, `pretrain`, ...).
  let commandWords: Set<String>
  public private(set) var diagnostics: [Diagnostic] = []
  /// True when an error happened because the input ended too early.
  public private(set) var isIncomplete = false
  /// Depth of `( [` nesting and of record braces, where newlines do not end statements.
  var allowTrailingRecord = true
  /// Inside `( )`, `[ ]` and a record, where a newline before an operator does not end
  /// the expression: `(a\n + b)` is `a + b`.
  var insideBrackets = false
  /// How deep the tree being built is: brackets, blocks, prefix operators and each link of
  /// an operator or postfix chain. Later passes walk the tree recursively, so this bound
  /// keeps them (and the parser) within the stack.
  var depth = 0
  /// Deeper input is reported as "nested too deeply" instead of overflowing the stack.
  public static let maximumDepth = 200

  /// Words that introduce a clause of a command: `pretrain gpt on data`.
  public static let prepositions: Set<String> = ["on", "with", "to", "from", "as", "vs", "against", "into"]

  public init(file: SourceFile, commandWords: Set<String> = []) {
    var lexer = Lexer(file: file)
    self.tokens = lexer.tokenize()
    self.file = file
    self.comments = lexer.comments
    self.commandWords = commandWords
    self.diagnostics = lexer.diagnostics
  }

  /// Parses a whole program; throws every diagnostic when there is at least one error.
  public static func parse(_ file: SourceFile, commandWords: Set<String> = []) throws -> Program {
    let (program, diagnostics) = parseRecovering(file, commandWords: commandWords)
    if !diagnostics.isEmpty { throw DiagnosticList(diagnostics) }
    return program
  }

  /// The statements that parsed, and the diagnostics of those that did not.
  public static func parseRecovering(_ file: SourceFile, commandWords: Set<String> = []) -> (Program, [Diagnostic]) {
    var parser = Parser(file: file, commandWords: commandWords)
    let program = parser.parseProgram()
    return (program, parser.diagnostics)
  }

  // MARK: Token helpers

  var current: Token { tokens[position] }
  var previous: Token { tokens[Swift.max(position - 1, 0)] }

  mutating func advance() -> Token {
    let t = tokens[position]
    if position < tokens.count - 1 { position += 1 }
    return t
  }

  func check(_ symbol: String) -> Bool { current.kind == .symbol(symbol) }
  func check(_ keyword: Keyword) -> Bool { current.kind == .keyword(keyword) }
  var atEnd: Bool { current.kind == .endOfFile }
  var atNewline: Bool { current.kind == .newline }

  mutating func match(_ symbol: String) -> Bool {
    if check(symbol) { _ = advance(); return true }
    return false
  }

  mutating func match(_ keyword: Keyword) -> Bool {
    if check(keyword) { _ = advance(); return true }
    return false
  }

  mutating func skipNewlines() {
    while atNewline || check(";") { _ = advance() }
  }

  struct ParseError: Error {}

  /// Records an error at the current token and unwinds to the statement level. At the end
  /// of the input the error points just after the last token and names the innermost
  /// bracket still open.
  mutating func fail(_ message: String, at range: SourceRange? = nil, hint: String? = nil) -> ParseError {
    var where_ = range ?? current.range
    var hint = hint
    if atEnd {
      isIncomplete = true
      if range == nil, let last = tokens[..<position].last(where: { $0.kind != .newline }) {
        where_ = SourceRange(last.range.end, last.range.end)
      }
      if hint == nil, let opener = openBrackets.last, case .symbol(let o) = opener.kind {
        let close = o == "(" ? ")" : (o == "[" ? "]" : "}")
        hint = "expected `\(close)` to close the `\(o)` opened at \(opener.range.start)"
      }
    }
    // Recovery may stop at the token that failed and fail on it again: report it once.
    if diagnostics.last?.range != where_ || diagnostics.last?.message != message {
      diagnostics.append(Diagnostic(message, file: file, range: where_, hint: hint))
    }
    return ParseError()
  }

  /// One level deeper; fails past `maximumDepth`. Callers restore `depth` when they return.
  mutating func descend(_ what: String) throws {
    depth += 1
    if depth > Parser.maximumDepth {
      throw fail("\(what) nested too deeply (more than \(Parser.maximumDepth) levels)",
                 hint: "split it into smaller parts, for example with `let`")
    }
    if depth > 16 && StackGuard.isNearlyFull() {
      throw fail("\(what) nested too deeply for this thread's stack (\(depth) levels)",
                 hint: "split it into smaller parts, for example with `let`")
    }
  }

  /// Brackets opened and not yet closed, innermost last (for "expected `)` to close ...").
  var openBrackets: [Token] = []

  /// Consumes an opening bracket and remembers it until `close(_:)`.
  mutating func open() -> Token {
    let t = advance()
    openBrackets.append(t)
    return t
  }

  mutating func close(_ symbol: String, _ what: String, opener: Token) throws -> Token {
    let t = try expect(symbol, what, opener: opener)
    if let i = openBrackets.lastIndex(where: { $0.range == opener.range }) { openBrackets.removeSubrange(i...) }
    return t
  }

  mutating func expect(_ symbol: String, _ what: String, opener: Token? = nil) throws -> Token {
    if check(symbol) { return advance() }
    var hint: String? = nil
    if let opener, case .symbol(let o) = opener.kind {
      hint = "expected `\(symbol)` to close the `\(o)` opened at \(opener.range.start)"
      if let lineEnd = backUpToLineEndBeforeStatement() {
        throw fail("expected \(what), found the end of the line", at: lineEnd, hint: hint)
      }
    }
    throw fail("expected \(what), found \(current)", hint: hint)
  }

  /// When newlines were skipped (inside brackets, after an operator) and the next line starts
  /// with a keyword that only begins a statement (`let`, `fn`, ...), the construct was left
  /// unfinished on the line before: moves back to that line's end, so the error points there
  /// and the next line is parsed as the statement it is. Returns the position to report.
  mutating func backUpToLineEndBeforeStatement() -> SourceRange? {
    guard case .keyword(let k) = current.kind,
      [.let, .fn, .if, .for, .while, .return, .break, .continue, .import, .noGrad].contains(k)
    else { return nil }
    var j = position - 1
    while j > 0 && tokens[j].kind == .newline { j -= 1 }
    guard j < position - 1 else { return nil }
    position = j + 1
    return SourceRange(tokens[j].range.end, tokens[j].range.end)
  }

  mutating func expectIdentifier(_ what: String) throws -> Identifier {
    if case .identifier(let name) = current.kind {
      let t = advance()
      return Identifier(name: name, range: t.range)
    }
    if case .keyword(let k) = current.kind {
      throw fail("expected \(what), found the keyword `\(k.rawValue)`", hint: "`\(k.rawValue)` is reserved; choose another name")
    }
    throw fail("expected \(what), found \(current)")
  }

  // MARK: Statements

  /// ```
  /// program = { separator } { statement separator { separator } } EOF ;
  /// separator = NEWLINE | ";" ;
  /// ```
  public mutating func parseProgram() -> Program {
    var statements: [Statement] = []
    skipNewlines()
    while !atEnd {
      let before = position
      if let s = parseStatementRecovering() { statements.append(s) }
      // A stray closing bracket stops recovery where it stands: step over it (once reported).
      if position == before { _ = advance() }
      skipNewlines()
    }
    return Program(statements: statements, file: file)
  }

  /// Parses one statement; on error, skips past the rest of it and returns nil.
  mutating func parseStatementRecovering() -> Statement? {
    let statementStart = current.range.start
    do {
      let s = try parseStatement()
      if !(atNewline || atEnd || check(";") || check("}")) {
        throw fail("expected the end of the statement, found \(current)",
                   hint: "put one statement per line (or separate them with `;`)")
      }
      return s
    } catch {
      synchronize(statementStart: statementStart)
      openBrackets.removeAll { $0.range.start >= statementStart }
      return nil
    }
  }

  /// Skips to the next newline outside brackets (or to a `}` closing the current block).
  /// A closing bracket whose opener is in the failed statement is skipped with it (so
  /// `{a 1}` does not leave its `}` behind to be reported again).
  mutating func synchronize(statementStart: SourceLocation) {
    var depth = 0
    while !atEnd {
      if depth == 0 && atNewline { return }
      if check("(") || check("[") || check("{") { depth += 1 }
      if check(")") || check("]") || check("}") {
        if depth == 0 {
          guard let last = openBrackets.last, last.range.start >= statementStart,
            case .symbol(let o) = last.kind, case .symbol(let c) = current.kind, o + c == "()" || o + c == "[]" || o + c == "{}"
          else { return }
          openBrackets.removeLast()
          _ = advance()
          continue
        }
        depth -= 1
      }
      _ = advance()
    }
  }

  /// ```
  /// statement = let | function | if | for | while | return | "break" | "continue"
  ///           | import | no_grad | command | assignment | expression ;
  /// ```
  mutating func parseStatement() throws -> Statement {
    let start = current.range.start
    func finish(_ kind: StatementKind) -> Statement { Statement(kind: kind, range: SourceRange(start, previous.range.end)) }
    switch current.kind {
    case .keyword(.let):
      _ = advance()
      let name = try expectIdentifier("a name after `let`")
      _ = try expect("=", "`=` after `let \(name.name)`")
      skipNewlines()
      return finish(.letBinding(name, try parseExpression()))
    case .keyword(.fn):
      return finish(.function(try parseFunction()))
    case .keyword(.if):
      return try parseIf()
    case .keyword(.for):
      _ = advance()
      let name = try expectIdentifier("a loop variable after `for`")
      guard match(.in) else { throw fail("expected `in` after `for \(name.name)`, found \(current)") }
      let sequence = try parseHeaderExpression()
      return finish(.forIn(name, sequence, try parseBlock()))
    case .keyword(.while):
      _ = advance()
      let condition = try parseHeaderExpression()
      return finish(.whileLoop(condition, try parseBlock()))
    case .keyword(.return):
      _ = advance()
      if atNewline || atEnd || check("}") || check(";") { return finish(.returnValue(nil)) }
      return finish(.returnValue(try parseExpression()))
    case .keyword(.break):
      _ = advance()
      return finish(.breakLoop)
    case .keyword(.continue):
      _ = advance()
      return finish(.continueLoop)
    case .keyword(.import):
      _ = advance()
      guard case .string(let path) = current.kind else {
        throw fail("expected a file name in quotes after `import`, found \(current)", hint: "import \"other.llm\"")
      }
      _ = advance()
      return finish(.importFile(path: path))
    case .keyword(.noGrad):
      _ = advance()
      return finish(.noGrad(try parseBlock()))
    case .identifier(let word) where commandWords.contains(word) && startsCommand():
      return finish(.command(try parseCommand()))
    default:
      let expression = try parseExpression()
      if let op = assignmentOperator() {
        _ = advance()
        guard isAssignable(expression) else {
          throw fail("cannot assign to this expression", at: expression.range,
                     hint: "assign to a name, a member (`x.a`) or an element (`x[0]`); use `let` to create a name")
        }
        skipNewlines()
        return finish(.assignment(target: expression, op: op.binary, value: try parseExpression()))
      }
      return finish(.expression(expression))
    }
  }

  /// A command word starts a command unless it is being assigned to or used as a value.
  func startsCommand() -> Bool {
    let next = tokens[Swift.min(position + 1, tokens.count - 1)].kind
    switch next {
    case .symbol("="), .symbol("+="), .symbol("-="), .symbol("*="), .symbol("/="), .symbol("**="), .symbol("."):
      return false
    // `save + 1`, `train == x`: a command word used as a variable in an expression.
    case .symbol("+"), .symbol("*"), .symbol("/"), .symbol("%"), .symbol("**"), .symbol("@"), .symbol("=="), .symbol("!="),
      .symbol("<"), .symbol("<="), .symbol(">"), .symbol(">="), .symbol(".."), .symbol(")"), .symbol("]"), .symbol(","),
      .keyword(.and), .keyword(.or):
      return false
    default: return true
    }
  }

  func assignmentOperator() -> (symbol: String, binary: BinaryOperator?)? {
    switch current.kind {
    case .symbol("="): return ("=", nil)
    case .symbol("+="): return ("+=", .add)
    case .symbol("-="): return ("-=", .subtract)
    case .symbol("*="): return ("*=", .multiply)
    case .symbol("/="): return ("/=", .divide)
    case .symbol("**="): return ("**=", .power)
    default: return nil
    }
  }

  func isAssignable(_ e: Expression) -> Bool {
    switch e.kind {
    case .name, .member, .index: return true
    default: return false
    }
  }

  /// ```
  /// function = "fn" IDENT "(" [ parameter { "," parameter } [ "," ] ] ")" block ;
  /// parameter = IDENT [ "=" expression ] ;
  /// ```
  mutating func parseFunction() throws -> FunctionDeclaration {
    let fnToken = advance()
    let name = try expectIdentifier("a function name after `fn`")
    guard check("(") else { throw fail("expected `(` after the function name, found \(current)") }
    let (parameters, _) = try bracketed(closer: ")", what: "`)` or `,` in the parameter list") { (p: inout Parser, earlier: [Parameter]) in
      let name = try p.expectIdentifier("a parameter name")
      if earlier.contains(where: { $0.name.name == name.name }) {
        p.diagnostics.append(Diagnostic("duplicate parameter `\(name.name)`", file: p.file, range: name.range))
      }
      var defaultValue: Expression? = nil
      if p.match("=") { defaultValue = try p.parseExpression() }
      return Parameter(name: name, defaultValue: defaultValue)
    }
    let body = try parseBlock()
    return FunctionDeclaration(name: name, parameters: parameters, body: body, documentation: docComment(above: fnToken.range.start.line))
  }

  /// The run of comment lines directly above `line`.
  func docComment(above line: Int) -> String? {
    var lines: [String] = []
    var l = line - 1
    while let text = comments[l], file.line(l)?.trimmingLeadingSpaces.hasPrefix("#") == true {
      lines.insert(text.hasPrefix(" ") ? String(text.dropFirst()) : text, at: 0)
      l -= 1
    }
    return lines.isEmpty ? nil : lines.joined(separator: "\n")
  }

  /// ```
  /// if = "if" expression block [ "else" ( if | block ) ] ;
  /// ```
  mutating func parseIf() throws -> Statement {
    let savedDepth = depth
    defer { depth = savedDepth }
    try descend("blocks")
    let start = advance().range.start
    let condition = try parseHeaderExpression()
    let then = try parseBlock()
    var otherwise: Block? = nil
    // `else` may sit on the line after the closing brace.
    let save = position
    skipNewlines()
    if match(.else) {
      if check(.if) {
        let nested = try parseIf()
        otherwise = Block(statements: [nested], range: nested.range)
      } else {
        otherwise = try parseBlock()
      }
    } else {
      position = save
    }
    return Statement(kind: .ifElse(condition: condition, then: then, otherwise: otherwise), range: SourceRange(start, previous.range.end))
  }

  /// An expression before a block (`if x {`): a `{` there opens the block, not a record.
  mutating func parseHeaderExpression() throws -> Expression {
    let saved = allowTrailingRecord
    allowTrailingRecord = false
    defer { allowTrailingRecord = saved }
    return try parseExpression()
  }

  /// ```
  /// block = "{" { separator } { statement separator { separator } } "}" ;
  /// ```
  mutating func parseBlock() throws -> Block {
    guard check("{") else { throw fail("expected `{` to start a block, found \(current)") }
    let savedDepth = depth
    defer { depth = savedDepth }
    try descend("blocks")
    let open = self.open()
    var statements: [Statement] = []
    skipNewlines()
    while !check("}") {
      if atEnd {
        throw fail("expected `}` to close the block", hint: "expected `}` to close the block opened at \(open.range.start)")
      }
      let before = position
      if let s = parseStatementRecovering() { statements.append(s) }
      if position == before { _ = advance() }  // a stray `)` or `]`: step over it
      skipNewlines()
    }
    let closing = try close("}", "`}`", opener: open)
    return Block(statements: statements, range: SourceRange(open.range.start, closing.range.end))
  }

  /// ```
  /// command = COMMAND_WORD { operand } [ record ] ;
  /// operand = [ PREPOSITION ] expression ;
  /// ```
  mutating func parseCommand() throws -> Command {
    let verbToken = advance()
    guard case .identifier(let word) = verbToken.kind else { throw fail("expected a command") }
    let verb = Identifier(name: word, range: verbToken.range)
    var operands: [CommandOperand] = []
    var options: RecordLiteral? = nil
    let saved = allowTrailingRecord
    allowTrailingRecord = false
    defer { allowTrailingRecord = saved }
    while !(atNewline || atEnd || check(";") || check("}")) {
      if check("{") {
        options = try parseRecord()
        break
      }
      var preposition: Identifier? = nil
      if case .identifier(let p) = current.kind, Parser.prepositions.contains(p), !operands.isEmpty {
        preposition = Identifier(name: p, range: advance().range)
      }
      operands.append(CommandOperand(preposition: preposition, value: try parseExpression()))
    }
    return Command(verb: verb, operands: operands, options: options)
  }

  // MARK: Expressions

  /// Binding powers, loosest first: or, and, not, comparison, range, + -, * / % @,
  /// unary minus, ** (right-associative), then postfix calls, members and subscripts.
  enum Precedence: Int, Comparable {
    case lowest = 0, or, and, not, comparison, range, additive, multiplicative, prefix, power, postfix
    static func < (a: Precedence, b: Precedence) -> Bool { a.rawValue < b.rawValue }
  }

  func infixOperator() -> (BinaryOperator, Precedence)? {
    switch current.kind {
    case .keyword(.or): return (.or, .or)
    case .keyword(.and): return (.and, .and)
    case .symbol(let s):
      switch s {
      case "==", "!=", "<", "<=", ">", ">=": return (BinaryOperator(rawValue: s)!, .comparison)
      case "+", "-": return (BinaryOperator(rawValue: s)!, .additive)
      case "*", "/", "%", "@": return (BinaryOperator(rawValue: s)!, .multiplicative)
      case "**": return (.power, .power)
      default: return nil
      }
    default: return nil
    }
  }

  /// ```
  /// expression = or_expr ;
  /// or_expr = and_expr { "or" and_expr } ;
  /// and_expr = not_expr { "and" not_expr } ;
  /// not_expr = "not" not_expr | comparison ;
  /// comparison = range_expr [ ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) range_expr ] ;
  /// range_expr = additive [ ".." additive ] ;
  /// additive = multiplicative { ( "+" | "-" ) multiplicative } ;
  /// multiplicative = unary { ( "*" | "/" | "%" | "@" ) unary } ;
  /// unary = "-" unary | power ;
  /// power = postfix [ "**" unary ] ;
  /// ```
  public mutating func parseExpression() throws -> Expression {
    try parseExpression(above: .lowest)
  }

  /// Pratt loop: parses operators that bind tighter than `minimum`.
  mutating func parseExpression(above minimum: Precedence) throws -> Expression {
    let savedDepth = depth
    defer { depth = savedDepth }
    try descend("expression")
    var left = try parsePrefix()
    while true {
      if insideBrackets && atNewline {
        // Inside brackets a line may start with the operator that continues the expression.
        let saved = position
        while atNewline { _ = advance() }
        if !(check("..") || infixOperator() != nil) { position = saved }
      }
      if check(".."), minimum < .range {
        try descend("expression")
        _ = advance()
        skipNewlines()
        let right = try parseExpression(above: .range)
        left = Expression(.range(left, right), left.range.union(right.range))
        continue
      }
      guard let (op, precedence) = infixOperator(), minimum < precedence else { break }
      try descend("expression")  // each link of `a + b + c` is one level deeper in the tree
      let opToken = advance()
      skipNewlines()  // a line ending in an operator continues on the next
      // ** is right-associative and takes a unary operand: 2 ** -1.
      let right = op == .power ? try parseExpression(above: .multiplicative) : try parseExpression(above: precedence)
      if precedence == .comparison, let (next, p) = infixOperator(), p == .comparison {
        throw fail("comparisons cannot be chained (`a \(op.rawValue) b \(next.rawValue) c`)",
                   hint: "write `a \(op.rawValue) b and b \(next.rawValue) c`")
      }
      _ = opToken
      left = Expression(.binary(op, left, right), left.range.union(right.range))
    }
    return left
  }

  mutating func parsePrefix() throws -> Expression {
    let start = current.range
    if match(.not) {
      let operand = try parseExpression(above: .not)
      return Expression(.unary(.not, operand), start.union(operand.range))
    }
    if match("-") {
      let operand = try parseExpression(above: .prefix)
      return Expression(.unary(.negate, operand), start.union(operand.range))
    }
    if match("+") {
      return try parseExpression(above: .prefix)
    }
    return try parsePostfix(try parsePrimary())
  }

  /// ```
  /// postfix = primary { "(" [ arguments ] ")" [ record ] | "[" subscripts "]" | "." IDENT }
  ///         | IDENT record ;
  /// arguments = argument { "," argument } [ "," ] ;
  /// argument = [ IDENT ":" ] expression ;
  /// ```
  mutating func parsePostfix(_ base: Expression) throws -> Expression {
    var e = base
    while true {
      if check("(") || check("[") || check(".") { try descend("expression") }
      if check("(") {
        let (arguments, argumentsRange) = try bracketed(closer: ")", what: "`)` or `,` in the argument list") {
          (p: inout Parser, earlier: [Argument]) in
          var label: Identifier? = nil
          if case .identifier(let name) = p.current.kind, p.tokens[p.position + 1].kind == .symbol(":") {
            label = Identifier(name: name, range: p.advance().range)
            _ = p.advance()
            p.skipNewlines()
          } else if let last = earlier.last, last.label != nil {
            p.diagnostics.append(Diagnostic(
              "a positional argument cannot follow a named one", file: p.file, range: p.current.range,
              hint: "put positional arguments first"))
          }
          return Argument(label: label, value: try p.parseExpression())
        }
        var trailing: RecordLiteral? = nil
        if allowTrailingRecord && check("{") { trailing = try parseRecord() }
        e = Expression(.call(callee: e, arguments: arguments, trailing: trailing),
                       e.range.union(trailing?.range ?? argumentsRange))
      } else if check("[") {
        let (subscripts, range) = try bracketed(closer: "]", what: "`]` or `,` in the subscript") { (p: inout Parser, _: [Subscript]) in
          try p.parseSubscript()
        }
        if subscripts.isEmpty { throw fail("empty subscript `[]`", at: range, hint: "write an index, a slice `a:b` or `...`") }
        e = Expression(.index(e, subscripts), e.range.union(range))
      } else if check(".") {
        _ = advance()
        let member = try expectIdentifier("a member name after `.`")
        e = Expression(.member(e, member), e.range.union(member.range))
      } else if allowTrailingRecord && check("{"), case .name = e.kind {
        // `gpt { layers: 4 }`: a name followed by a record calls it with those options.
        let record = try parseRecord()
        e = Expression(.call(callee: e, arguments: [], trailing: record), e.range.union(record.range))
      } else {
        return e
      }
    }
  }

  /// ```
  /// subscript = "..." | [ expression ] ":" [ expression ] [ ":" [ expression ] ] | expression ;
  /// ```
  mutating func parseSubscript() throws -> Subscript {
    if match("...") { return .ellipsis }
    var start: Expression? = nil
    if !check(":") { start = try parseExpression() }
    guard match(":") else {
      return .index(start!)
    }
    var end: Expression? = nil, step: Expression? = nil
    if !check(":") && !check(",") && !check("]") { end = try parseExpression() }
    if match(":") {
      if !check(",") && !check("]") { step = try parseExpression() }
    }
    return .slice(start: start, end: end, step: step)
  }

  /// ```
  /// primary = NUMBER | STRING | "true" | "false" | "none" | IDENT
  ///         | "(" expression ")" | list | record ;
  /// list = "[" [ expression { "," expression } [ "," ] ] "]" ;
  /// ```
  mutating func parsePrimary() throws -> Expression {
    let t = current
    switch t.kind {
    case .number(let v):
      _ = advance()
      return Expression(.number(v), t.range)
    case .string(let s):
      _ = advance()
      return Expression(.string(s), t.range)
    case .keyword(.true):
      _ = advance()
      return Expression(.boolean(true), t.range)
    case .keyword(.false):
      _ = advance()
      return Expression(.boolean(false), t.range)
    case .keyword(.none):
      _ = advance()
      return Expression(.none, t.range)
    case .identifier(let name):
      _ = advance()
      return Expression(.name(name), t.range)
    case .symbol("("):
      let open = self.open()
      let saved = allowTrailingRecord
      allowTrailingRecord = true
      let savedInside = insideBrackets
      insideBrackets = true
      defer { insideBrackets = savedInside }
      defer { allowTrailingRecord = saved }
      skipNewlines()
      var inner = try parseExpression()
      skipNewlines()
      let closing = try close(")", "`)`", opener: open)
      inner.range = open.range.union(closing.range)
      return inner
    case .symbol("["):
      let (items, range) = try bracketed(closer: "]", what: "`]` or `,` in the list") { (p: inout Parser, _: [Expression]) in
        try p.parseExpression()
      }
      return Expression(.list(items), range)
    case .symbol("{"):
      let record = try parseRecord()
      return Expression(.record(record), record.range)
    case .newline, .endOfFile:
      throw fail("expected an expression, found \(t)")
    case .keyword(let k):
      if let lineEnd = backUpToLineEndBeforeStatement() {
        throw fail("expected an expression, found the end of the line", at: lineEnd)
      }
      throw fail("expected an expression, found the keyword `\(k.rawValue)`")
    default:
      throw fail("expected an expression, found \(t)")
    }
  }

  /// ```
  /// record = "{" [ field { "," field } [ "," ] ] "}" ;
  /// field = IDENT ":" expression ;
  /// ```
  mutating func parseRecord() throws -> RecordLiteral {
    guard check("{") else { throw fail("expected `{`, found \(current)") }
    let (fields, range) = try bracketed(closer: "}", what: "`}` or `,` in the record") { (p: inout Parser, earlier: [RecordField]) in
      let key: Identifier
      if case .keyword(let k) = p.current.kind {
        key = Identifier(name: k.rawValue, range: p.advance().range)
      } else {
        key = try p.expectIdentifier("a key in the record (`{ key: value }`)")
      }
      if earlier.contains(where: { $0.key.name == key.name }) {
        p.diagnostics.append(Diagnostic("duplicate key `\(key.name)` in the record", file: p.file, range: key.range))
      }
      _ = try p.expect(":", "`:` after the key `\(key.name)`")
      p.skipNewlines()
      return RecordField(key: key, value: try p.parseExpression())
    }
    return RecordLiteral(fields: fields, range: range)
  }
}

extension Parser {
  /// The comma-separated items from the opening bracket under the cursor to `closer`.
  /// Inside, newlines are insignificant and a trailing comma is allowed; `element` parses
  /// one item and sees the ones before it (to report duplicates).
  mutating func bracketed<T>(
    closer: String, what: String, _ element: (inout Parser, [T]) throws -> T
  ) throws -> (items: [T], range: SourceRange) {
    let open = self.open()
    let saved = allowTrailingRecord, savedInside = insideBrackets
    allowTrailingRecord = true
    insideBrackets = true
    defer {
      allowTrailingRecord = saved
      insideBrackets = savedInside
    }
    var items: [T] = []
    skipNewlines()
    while !check(closer) {
      items.append(try element(&self, items))
      skipNewlines()
      if !match(",") { break }
      skipNewlines()
    }
    let closing = try close(closer, what, opener: open)
    return (items, open.range.union(closing.range))
  }
}

extension String {
  var trimmingLeadingSpaces: Substring { drop(while: { $0 == " " || $0 == "\t" }) }
}
