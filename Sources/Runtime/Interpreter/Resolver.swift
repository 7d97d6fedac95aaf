import Language

/// Checks a program before it runs: every name must be defined by then, calls to known
/// functions must use their parameter names, and `return`/`break`/`continue` must sit where
/// they mean something. Finds every such error in one pass.
struct Resolver {
  let interpreter: Interpreter
  let file: SourceFile
  var diagnostics: [Diagnostic] = []
  /// Innermost scope last. Blocks share their function's scope, as at run time.
  var scopes: [Set<String>]
  /// Functions declared anywhere at the top level, callable from function bodies.
  var programFunctions: [String: FunctionDeclaration] = [:]
  var loopDepth = 0
  var functionDepth = 0
  /// Files whose names are being collected for an `import` (against a cycle).
  var importing: Set<String> = []

  init(interpreter: Interpreter, file: SourceFile) {
    self.interpreter = interpreter
    self.file = file
    self.scopes = [Set(interpreter.globals.allNames)]
  }

  mutating func resolve(_ program: Program) {
    for s in program.statements {
      if case .function(let decl) = s.kind { programFunctions[decl.name.name] = decl }
    }
    for s in program.statements { statement(s) }
  }

  func isDefined(_ name: String) -> Bool {
    scopes.contains { $0.contains(name) } || interpreter.builtins[name] != nil
      || (functionDepth > 0 && programFunctions[name] != nil)
  }

  mutating func define(_ name: String) { scopes[scopes.count - 1].insert(name) }

  mutating func error(_ message: String, _ range: SourceRange, hint: String? = nil) {
    diagnostics.append(Diagnostic(message, file: file, range: range, hint: hint))
  }

  mutating func block(_ b: Block) { for s in b.statements { statement(s) } }

  mutating func statement(_ s: Statement) {
    switch s.kind {
    case .letBinding(let name, let value):
      expression(value)
      define(name.name)
    case .assignment(let target, _, let value):
      expression(value)
      expression(target)
    case .function(let decl):
      define(decl.name.name)
      var inner = Set(decl.parameters.map(\.name.name))
      inner.insert(decl.name.name)
      for p in decl.parameters { if let d = p.defaultValue { expression(d) } }
      scopes.append(inner)
      functionDepth += 1
      let savedLoop = loopDepth
      loopDepth = 0
      block(decl.body)
      loopDepth = savedLoop
      functionDepth -= 1
      scopes.removeLast()
    case .ifElse(let condition, let then, let otherwise):
      expression(condition)
      block(then)
      if let otherwise { block(otherwise) }
    case .forIn(let name, let sequence, let body):
      expression(sequence)
      define(name.name)
      loopDepth += 1
      block(body)
      loopDepth -= 1
    case .whileLoop(let condition, let body):
      expression(condition)
      loopDepth += 1
      block(body)
      loopDepth -= 1
    case .returnValue(let e):
      if functionDepth == 0 { error("`return` outside a function", s.range) }
      if let e { expression(e) }
    case .breakLoop, .continueLoop:
      if loopDepth == 0 { error("`\(s.kind.keyword)` outside a loop", s.range) }
    case .importFile(let path):
      // The imported file is checked when it runs; here only the names it defines matter.
      guard let (resolved, source) = interpreter.importSource(path, from: file), !importing.contains(resolved) else { break }
      var inner = Resolver(interpreter: interpreter, file: source)
      inner.scopes = [scopes[0]]
      inner.importing = importing.union([resolved])
      inner.resolve(Parser.parseRecovering(source, commandWords: interpreter.commandWords).0)
      scopes[0].formUnion(inner.scopes[0])
    case .noGrad(let b):
      block(b)
    case .command(let command):
      for operand in command.operands { expression(operand.value) }
      for field in command.options?.fields ?? [] { expression(field.value) }
    case .expression(let e):
      expression(e)
    }
  }

  mutating func expression(_ e: Expression) {
    switch e.kind {
    case .number, .string, .boolean, .none:
      break
    case .name(let name):
      if !isDefined(name) {
        let candidates = scopes.flatMap { $0 } + Array(interpreter.builtins.keys)
        let hint = Suggestions.hint(for: name, in: candidates)
          ?? (interpreter.commands[name] != nil ? "`\(name)` is a command: write `\(name) x`" : nil)
        error("unknown name `\(name)`", e.range, hint: hint)
      }
    case .list(let items):
      items.forEach { expression($0) }
    case .record(let r):
      r.fields.forEach { expression($0.value) }
    case .range(let a, let b):
      expression(a)
      expression(b)
    case .unary(_, let x):
      expression(x)
    case .binary(_, let a, let b):
      expression(a)
      expression(b)
    case .call(let callee, let arguments, let trailing):
      expression(callee)
      arguments.forEach { expression($0.value) }
      trailing?.fields.forEach { expression($0.value) }
      checkArguments(callee, arguments, trailing)
    case .member(let base, _):
      expression(base)
    case .index(let base, let subscripts):
      expression(base)
      for s in subscripts {
        switch s {
        case .index(let x): expression(x)
        case .slice(let a, let b, let c): [a, b, c].compactMap { $0 }.forEach { expression($0) }
        case .ellipsis: break
        }
      }
    }
  }

  /// Named arguments of calls to functions known before running: built-ins (not shadowed by
  /// a variable) and functions declared in the program.
  mutating func checkArguments(_ callee: Expression, _ arguments: [Argument], _ trailing: RecordLiteral?) {
    guard case .name(let name) = callee.kind, !scopes.dropFirst().contains(where: { $0.contains(name) }) else { return }
    let parameters: [String]
    let variadic: Bool
    if let b = interpreter.builtins[name], !scopes[0].contains(name) {
      parameters = b.parameters.filter { !$0.variadic }.map(\.name)
      variadic = b.parameters.contains { $0.variadic }
    } else if let decl = programFunctions[name] {
      parameters = decl.parameters.map(\.name.name)
      variadic = false
    } else {
      return
    }
    let labels = arguments.compactMap(\.label) + (trailing?.fields.map(\.key) ?? [])
    for label in labels where !parameters.contains(label.name) {
      error("`\(name)` has no parameter `\(label.name)`", label.range,
            hint: Suggestions.hint(for: label.name, in: parameters) ?? "its parameters: \(parameters.joined(separator: ", "))")
    }
    let positional = arguments.filter { $0.label == nil }
    if !variadic && positional.count > parameters.count, let extra = positional.dropFirst(parameters.count).first {
      error("`\(name)` takes at most \(parameters.count) positional argument\(parameters.count == 1 ? "" : "s"), got \(positional.count)", extra.value.range)
    }
  }
}

extension StatementKind {
  var keyword: String {
    switch self {
    case .breakLoop: return "break"
    case .continueLoop: return "continue"
    default: return ""
    }
  }
}
