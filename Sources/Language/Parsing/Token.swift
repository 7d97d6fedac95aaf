/// A lexical token with its exact source range.
public struct Token: Sendable, CustomStringConvertible {
  public enum Kind: Equatable, Sendable {
    case identifier(String)
    case keyword(Keyword)
    case number(Double)
    case string(String)
    case symbol(String)
    case newline
    case endOfFile
  }

  public var kind: Kind
  public var range: SourceRange

  public var description: String {
    switch kind {
    case .identifier(let s): return "`\(s)`"
    case .keyword(let k): return "`\(k.rawValue)`"
    case .number: return "a number"
    case .string: return "a string"
    case .symbol(let s): return "`\(s)`"
    case .newline: return "the end of the line"
    case .endOfFile: return "the end of the input"
    }
  }
}

public enum Keyword: String, CaseIterable, Sendable {
  case `let`, fn, `if`, `else`, `for`, `in`, `while`, `return`, `break`, `continue`, `import`
  case noGrad = "no_grad"
  case `true`, `false`, none, and, or, not
}

/// Multi-character symbols first, so the lexer takes the longest match.
let symbols = [
  "...", "**=", "..", "**", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=",
  "+", "-", "*", "/", "%", "@", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ":", ".", ";",
]
