/// The syntax tree. Every node keeps its source range, so that any error, at parse time or
/// while running, can point at the exact text that caused it.

/// A whole script or REPL cell.
public struct Program: Sendable {
  public var statements: [Statement]
  public var file: SourceFile
}

public struct Identifier: Hashable, Sendable {
  public var name: String
  public var range: SourceRange
}

public indirect enum StatementKind: Sendable {
  /// `let name = value`
  case letBinding(Identifier, Expression)
  /// `target = value`, `target += value` (operator nil for plain assignment)
  case assignment(target: Expression, op: BinaryOperator?, value: Expression)
  /// `fn name(params) { body }`
  case function(FunctionDeclaration)
  /// `if cond { } else if cond { } else { }`
  case ifElse(condition: Expression, then: Block, otherwise: Block?)
  /// `for name in sequence { }`
  case forIn(Identifier, Expression, Block)
  /// `while cond { }`
  case whileLoop(Expression, Block)
  case returnValue(Expression?)
  case breakLoop
  case continueLoop
  /// `import "file.llm"`
  case importFile(path: String)
  /// `no_grad { }`: runs the block without recording gradients.
  case noGrad(Block)
  /// A command word with a subject, prepositional clauses, an optional text and options:
  /// `show x`, `pretrain gpt on data { steps: 100 }`.
  case command(Command)
  /// An expression whose value the REPL shows.
  case expression(Expression)
}

public struct Statement: Sendable {
  public var kind: StatementKind
  public var range: SourceRange
}

public struct Block: Sendable {
  public var statements: [Statement]
  public var range: SourceRange
}

public struct Parameter: Sendable {
  public var name: Identifier
  public var defaultValue: Expression?
}

public struct FunctionDeclaration: Sendable {
  public var name: Identifier
  public var parameters: [Parameter]
  public var body: Block
  /// The doc comment lines directly above `fn`, shown by `help(name)`.
  public var documentation: String?
}

public struct Command: Sendable {
  public var verb: Identifier
  /// What follows the verb, in order: plain expressions, and `on data` / `with rm` clauses
  /// (an operand with its preposition).
  public var operands: [CommandOperand]
  public var options: RecordLiteral?
}

public struct CommandOperand: Sendable {
  public var preposition: Identifier?
  public var value: Expression
}

public struct Argument: Sendable {
  public var label: Identifier?
  public var value: Expression
}

public struct RecordField: Sendable {
  public var key: Identifier
  public var value: Expression
}

public struct RecordLiteral: Sendable {
  public var fields: [RecordField]
  public var range: SourceRange
}

/// One position inside `x[...]`.
public enum Subscript: Sendable {
  case index(Expression)
  /// `start:end:step`, each part optional
  case slice(start: Expression?, end: Expression?, step: Expression?)
  /// `...`: as many full slices as needed
  case ellipsis
}

public enum BinaryOperator: String, Sendable, CaseIterable {
  case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%", power = "**"
  case matmul = "@"
  case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
  case and = "and", or = "or"
}

public enum UnaryOperator: String, Sendable {
  case negate = "-", not = "not"
}

public indirect enum ExpressionKind: Sendable {
  case number(Double)
  case string(String)
  case boolean(Bool)
  case none
  case name(String)
  case list([Expression])
  case record(RecordLiteral)
  /// `start..end` (end excluded)
  case range(Expression, Expression)
  case unary(UnaryOperator, Expression)
  case binary(BinaryOperator, Expression, Expression)
  /// `callee(args) { options }`
  case call(callee: Expression, arguments: [Argument], trailing: RecordLiteral?)
  case member(Expression, Identifier)
  case index(Expression, [Subscript])
}

public struct Expression: Sendable {
  public var kind: ExpressionKind
  public var range: SourceRange

  public init(_ kind: ExpressionKind, _ range: SourceRange) {
    self.kind = kind
    self.range = range
  }
}
