import Foundation
import Training
import Language
import TensorEngine

/// A command statement the runtime understands (`show x`, `inspect x`, later `pretrain ...`).
public struct CommandSpec {
  public var name: String
  public var doc: String
  /// Option keys accepted in its `{ }` block (an unknown key is an error with a suggestion).
  public var options: [String]
  public var run: (Command, Environment, Interpreter, SourceFile) throws -> Void
}

/// Runs programs statement by statement, turning them into engine calls. One interpreter is
/// one session: its global scope survives errors, so the REPL carries on after one.
public final class Interpreter {
  public let globals = Environment()
  public internal(set) var builtins: [String: Builtin] = [:]
  public internal(set) var commands: [String: CommandSpec] = [:]
  /// Where `print`, `show` and friends write.
  public var output: (String) -> Void
  /// Where text produced piece by piece goes (sampling streams tokens as they come); no
  /// newline is added.
  public var stream: (String) -> Void = { piece in
    print(piece, terminator: "")
    fflush(nil)
  }
  /// Reads one line of user input with a prompt (the REPL's line editor); nil when there is
  /// no interactive input, or at its end.
  public var readLine: ((String) -> String?)?
  /// Whether output may use terminal colors.
  public var useColor = false
  /// Files being imported, to refuse an import cycle.
  var importStack: [String] = []
  var callDepth = 0
  static let maximumCallDepth = 200
  /// The text of the last `sample` (prompt and continuation), for scripts and tests.
  public var lastSample: String?
  /// What training stages measured, for `llmlab run --report` (filled by later stages).
  public var stageReports: [[String: Any]] = []
  /// Held-out evaluations already run, by weights, prompts and seed (`heldOutEvaluation`).
  var evaluationCache: [(key: String, value: ChatEvaluation)] = []
  /// The outcomes of `check(condition, what)` calls: a run with a failed check fails.
  public var checks: [(what: String, passed: Bool)] = []
  /// The top-level lets `llmlab run --set` gave other values, in command-line order (for the report).
  public var overrides: [(name: String, value: Value)] = []
  /// Directory against which `import` and file names resolve.
  public var baseDirectory: String = FileManager.default.currentDirectoryPath

  public init(output: @escaping (String) -> Void = { print($0) }) {
    self.output = output
    registerCoreBuiltins()
    registerTensorBuiltins()
    registerOptimizerBuiltins()
    registerInspectionCommands()
    registerModelBuiltins()
  }

  public var commandWords: Set<String> { Set(commands.keys) }

  public func register(_ builtin: Builtin) { builtins[builtin.name] = builtin }
  public func register(_ command: CommandSpec) { commands[command.name] = command }

  /// Every name a program may use without defining it.
  public var predefinedNames: [String] { Array(builtins.keys) }

  // MARK: Programs

  /// Parses, resolves and runs `source`. Returns the value of the last statement when it
  /// is an expression (what the REPL shows). Diagnostics are thrown as `DiagnosticList`.
  @discardableResult
  public func run(source: SourceFile, echo: Bool = false) throws -> Value? {
    let program = try check(source)
    return try run(program, echo: echo)
  }

  /// Parses and resolves: syntax errors and unknown names, all of them, in source order.
  public func check(_ source: SourceFile) throws -> Program {
    let (program, syntax) = Parser.parseRecovering(source, commandWords: commandWords)
    var resolver = Resolver(interpreter: self, file: source)
    resolver.resolve(program)
    let all = (syntax + resolver.diagnostics).sorted { $0.range.start < $1.range.start }
    if !all.isEmpty { throw DiagnosticList(all) }
    return program
  }

  /// Checks names and argument labels before anything runs.
  public func resolve(_ program: Program) throws {
    var resolver = Resolver(interpreter: self, file: program.file)
    resolver.resolve(program)
    if !resolver.diagnostics.isEmpty { throw DiagnosticList(resolver.diagnostics) }
  }

  /// Runs a resolved program. With `echo`, the value of every top-level expression
  /// statement is shown as the REPL would show it (scripts and piped input do this).
  @discardableResult
  public func run(_ program: Program, echo: Bool = false) throws -> Value? {
    var last: Value? = nil
    for statement in program.statements {
      last = try execute(statement, in: globals, file: program.file)
      if echo, let value = last {
        if case .none = value { continue }
        output(Display.format(value))
      }
    }
    return last
  }

  // MARK: Statements

  /// Runs one statement; returns its value when it is an expression statement.
  func execute(_ statement: Statement, in env: Environment, file: SourceFile) throws -> Value? {
    do {
      // Inside the `do`: an interrupt between statements names the statement it stopped before.
      try Interrupt.check()
      return try executeUnlocated(statement, in: env, file: file)
    } catch var error as RuntimeError {
      if error.location == nil { error.location = (file, statement.range) }
      throw error
    } catch let error as TensorError {
      throw RuntimeError(error.description, at: (file, statement.range))
    }
  }

  private func executeUnlocated(_ statement: Statement, in env: Environment, file: SourceFile) throws -> Value? {
    switch statement.kind {
    case .letBinding(let name, let value):
      env.define(name.name, try evaluate(value, in: env, file: file))
    case .assignment(let target, let op, let valueExpression):
      var value = try evaluate(valueExpression, in: env, file: file)
      if let op {
        let current = try evaluate(target, in: env, file: file)
        value = try Operators.binary(op, current, value)
      }
      try assign(value, to: target, in: env, file: file)
    case .function(let decl):
      env.define(decl.name.name, .function(Callable(name: decl.name.name, body: .user(decl, closure: env, file: file))))
    case .ifElse(let condition, let then, let otherwise):
      if try evaluate(condition, in: env, file: file).truthy() {
        try executeBlock(then, in: env, file: file)
      } else if let otherwise {
        try executeBlock(otherwise, in: env, file: file)
      }
    case .forIn(let name, let sequenceExpression, let body):
      let sequence = try evaluate(sequenceExpression, in: env, file: file)
      // A range is walked without holding its numbers: `for i in 0..1e12` starts at once.
      let items: AnySequence<Value>
      if case .range(let a, let b) = sequence {
        items = AnySequence((a..<Swift.max(a, b)).lazy.map { Value.number(Double($0)) })
      } else {
        items = AnySequence(try elements(of: sequence, at: sequenceExpression.range, file: file))
      }
      for item in items {
        try Interrupt.check()
        env.define(name.name, item)
        if try !runLoopBody(body, in: env, file: file) { break }
      }
    case .whileLoop(let condition, let body):
      while try evaluate(condition, in: env, file: file).truthy() {
        try Interrupt.check()
        if try !runLoopBody(body, in: env, file: file) { break }
      }
    case .returnValue(let e):
      throw ControlFlow.returning(try e.map { try evaluate($0, in: env, file: file) } ?? .none)
    case .breakLoop:
      throw ControlFlow.breaking
    case .continueLoop:
      throw ControlFlow.continuing
    case .importFile(let path):
      try importFile(path, file: file)
    case .noGrad(let block):
      try GradMode.withoutGradients { try executeBlock(block, in: env, file: file) }
    case .command(let command):
      guard let spec = commands[command.verb.name] else {
        throw RuntimeError("unknown command `\(command.verb.name)`", at: (file, command.verb.range))
      }
      if let options = command.options {
        for field in options.fields where !spec.options.contains(field.key.name) {
          throw RuntimeError(
            "`\(spec.name)` has no option `\(field.key.name)`",
            hint: Suggestions.hint(for: field.key.name, in: spec.options)
              ?? (spec.options.isEmpty ? "`\(spec.name)` takes no options" : "its options: \(spec.options.joined(separator: ", "))"),
            at: (file, field.key.range))
        }
      }
      try spec.run(command, env, self, file)
    case .expression(let e):
      return try evaluate(e, in: env, file: file)
    }
    return nil
  }

  /// One pass of a loop's body; false when it ran `break`.
  func runLoopBody(_ body: Block, in env: Environment, file: SourceFile) throws -> Bool {
    do {
      try executeBlock(body, in: env, file: file)
    } catch ControlFlow.breaking {
      return false
    } catch ControlFlow.continuing {
      return true
    }
    return true
  }

  /// Blocks share their enclosing scope (as in Python): a `let` inside an `if` is visible after it.
  func executeBlock(_ block: Block, in env: Environment, file: SourceFile) throws {
    for s in block.statements { _ = try execute(s, in: env, file: file) }
  }

  /// What `for x in value` walks over.
  func elements(of value: Value, at range: SourceRange, file: SourceFile) throws -> [Value] {
    switch value {
    case .list(let items): return items
    case .range(let a, let b): return try Ranges.numbers(a, b).map { .number(Double($0)) }
    case .string(let s): return s.map { .string(String($0)) }
    case .record(let r): return r.keys.map { .string($0) }
    case .tensor(let t):
      guard t.rank >= 1 else { throw RuntimeError("cannot iterate over a scalar tensor", at: (file, range)) }
      return try (0..<t.shape[0]).map { .tensor(try t.selected(axis: 0, index: $0)) }
    default:
      throw RuntimeError("cannot iterate over \(Display.describeType(value))",
                         hint: "loop over a list, a range like `0..10`, a string or a tensor", at: (file, range))
    }
  }

  /// Where `import "path"` written in `file` reads from, and the name its diagnostics use:
  /// its path from where the importing file's name starts, so that its own imports resolve.
  /// Beside the importing file; a name without a directory (or a REPL cell) is in `baseDirectory`.
  func importTarget(_ path: String, from file: SourceFile) -> (resolved: String, name: String) {
    let directory = file.name.hasPrefix("<") ? "" : (file.name as NSString).deletingLastPathComponent
    let base = directory.isEmpty ? baseDirectory : directory
    let full = path.hasPrefix("/") ? path : (base.isEmpty ? path : base + "/" + path)
    let resolved = (full as NSString).standardizingPath
    return (resolved, path.hasPrefix("/") ? resolved : (directory.isEmpty ? path : directory + "/" + path))
  }

  /// The text of an imported file, or nil when it cannot be read.
  func importSource(_ path: String, from file: SourceFile) -> (resolved: String, source: SourceFile)? {
    let (resolved, name) = importTarget(path, from: file)
    guard let text = try? String(contentsOfFile: resolved, encoding: .utf8) else { return nil }
    return (resolved, SourceFile(name: name, text: text))
  }

  /// `import "file.llm"`: runs another script into this session's global scope.
  func importFile(_ path: String, file: SourceFile) throws {
    let resolved = importTarget(path, from: file).resolved
    guard !importStack.contains(resolved) else {
      throw RuntimeError("import cycle: \(resolved) is already being imported")
    }
    guard let (_, source) = importSource(path, from: file) else {
      throw RuntimeError("cannot read \(path)", hint: FileManager.default.fileExists(atPath: resolved) ? "the file is not valid UTF-8 text" : "no such file: \(resolved)")
    }
    importStack.append(resolved)
    defer { importStack.removeLast() }
    let program = try check(source)
    for s in program.statements { _ = try execute(s, in: globals, file: source) }
  }
}
