import Language

/// `llmlab run FILE --set NAME=VALUE`: a script's top-level `let NAME = <literal>` given another
/// literal before the script runs, so one script can be run with other settings unedited.
///
/// The override rewrites the parsed program, not its text: the new literal keeps the old one's
/// source range, so every diagnostic of the script still points at the right line.
///
/// A let can be set when its value is a literal: a number (also `-1`: a minus applied to a
/// number), a string, or `true`/`false`. The value must be of the same kind: a number
/// (`2`, `-1.5`, `3e-4`, `1_000`), `true`/`false`, or for a string any text, taken as it is
/// (one pair of surrounding double quotes is dropped; there are no escapes). A name the
/// script binds twice at the top level is refused: which of the two should change is not
/// clear, and the second would replace the first's value anyway.
public enum ScriptOverrides {
  /// A `--set` that cannot be applied; the text starts with the flag as given.
  public struct UsageError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
  }

  /// One override checked against the script: the let it changes and the value it gets.
  public struct Resolved {
    public var name: String
    public var value: Value
    /// Where the let is in `Program.statements`.
    var statementIndex: Int
    var literal: ExpressionKind
  }

  /// Splits a `--set` argument at its first `=`: `seed=2` is ("seed", "2").
  public static func parse(_ argument: String) throws -> (name: String, value: String) {
    guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
      throw UsageError("--set \(argument): expected NAME=VALUE, as in --set seed=2")
    }
    return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
  }

  /// The program with each override's let holding the new literal.
  public static func apply(_ overrides: [(name: String, value: String)], to program: Program) throws -> Program {
    rewrite(program, with: try resolve(overrides, in: program))
  }

  /// Checks every override against the program's top-level lets, in the order given.
  public static func resolve(_ overrides: [(name: String, value: String)], in program: Program) throws -> [Resolved] {
    let lets = topLevelLets(program)
    var resolved: [Resolved] = []
    for (i, (name, text)) in overrides.enumerated() {
      let flag = "--set \(name)=\(text)"
      if let earlier = overrides[..<i].first(where: { $0.name == name }) {
        throw UsageError("\(flag): \(name) is already set by --set \(earlier.name)=\(earlier.value)")
      }
      let matches = lets.filter { $0.name.name == name }
      guard let target = matches.first else { throw UsageError("\(flag): " + unknown(name, lets)) }
      let place = "`let \(name)` (\(program.file.name):\(target.name.range.start.line))"
      guard matches.count == 1 else {
        let lines = matches.map { "\($0.name.range.start.line)" }.joined(separator: ", ")
        throw UsageError("\(flag): `let \(name)` appears \(matches.count) times at the top level of \(program.file.name) (lines \(lines)); --set changes only a let made once")
      }
      guard let kind = LiteralKind(target.value) else {
        throw UsageError("\(flag): \(place) is not a literal; only a let of a number, a string or true/false can be set")
      }
      let (value, literal) = try convert(text, to: kind, flag: flag, place: place)
      resolved.append(Resolved(name: name, value: value, statementIndex: target.index, literal: literal))
    }
    return resolved
  }

  /// The program with the resolved lets' values replaced, each keeping its source range.
  public static func rewrite(_ program: Program, with overrides: [Resolved]) -> Program {
    var program = program
    for override in overrides {
      let statement = program.statements[override.statementIndex]
      guard case .letBinding(let name, let old) = statement.kind else { continue }
      program.statements[override.statementIndex].kind = .letBinding(name, Expression(override.literal, old.range))
    }
    return program
  }

  // MARK: - Implementation details

  /// The kind of literal a let holds.
  enum LiteralKind {
    case number, string, boolean

    init?(_ expression: Expression) {
      switch expression.kind {
      case .number: self = .number
      case .unary(.negate, let operand): guard case .number = operand.kind else { return nil }; self = .number
      case .string: self = .string
      case .boolean: self = .boolean
      default: return nil
      }
    }
  }

  /// The let statements at the top level, in source order.
  static func topLevelLets(_ program: Program) -> [(index: Int, name: Identifier, value: Expression)] {
    program.statements.enumerated().compactMap { index, statement in
      guard case .letBinding(let name, let value) = statement.kind else { return nil }
      return (index, name, value)
    }
  }

  /// Why a name cannot be set, with the nearest settable name and the list of them (the
  /// top-level lets of a literal made once).
  static func unknown(_ name: String, _ lets: [(index: Int, name: Identifier, value: Expression)]) -> String {
    let settable = lets.filter { l in LiteralKind(l.value) != nil && lets.count(where: { $0.name.name == l.name.name }) == 1 }.map(\.name.name)
    var message = "the script has no top-level `let \(name)`"
    if let nearest = Suggestions.closest(to: name, in: settable) { message += " (did you mean `\(nearest)`?)" }
    if settable.isEmpty { return message + "; it has no top-level let of a number, a string or true/false to set" }
    return message + "; lets that can be set: " + settable.joined(separator: ", ")
  }

  /// The value text as the let's kind of literal, or a usage error saying what was expected.
  static func convert(_ text: String, to kind: LiteralKind, flag: String, place: String) throws -> (Value, ExpressionKind) {
    let quoted = text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"")
    let unquoted = quoted ? String(text.dropFirst().dropLast()) : text
    func mismatch(_ expected: String) -> UsageError {
      let given = quoted ? "\(text) is quoted text, not" : "\"\(text)\" is not"
      return UsageError("\(flag): \(place) holds \(expected); \(given) \(expected)")
    }
    switch kind {
    case .string:
      return (.string(unquoted), .string(unquoted))
    case .number:
      guard !quoted, let number = number(text) else { throw mismatch("a number") }
      return (.number(number), .number(number))
    case .boolean:
      guard !quoted, text == "true" || text == "false" else { throw mismatch("true or false") }
      return (.bool(text == "true"), .boolean(text == "true"))
    }
  }

  /// A number as the language writes one (`42`, `-1.5`, `.5`, `3e-4`, `1_000`), finite.
  static func number(_ text: String) -> Double? {
    guard text.wholeMatch(of: /[+-]?(\d[\d_]*(\.[\d_]*)?|\.\d[\d_]*)([eE][+-]?\d+)?/) != nil,
          let value = Double(text.replacingOccurrences(of: "_", with: "")), value.isFinite else { return nil }
    return value
  }
}
