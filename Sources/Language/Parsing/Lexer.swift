/// Turns source text into tokens. Works on characters (grapheme clusters), so identifiers
/// may be Chinese and positions count what a reader sees.
///
/// Newlines are tokens: they end statements. The parser skips them where a statement cannot
/// end (inside parentheses, brackets, records, after a binary operator).
public struct Lexer {
  let file: SourceFile
  let chars: [Character]
  var index = 0
  var line = 1
  var column = 1
  public private(set) var diagnostics: [Diagnostic] = []
  /// Comment text by line, for doc comments above `fn`.
  public private(set) var comments: [Int: String] = [:]

  public init(file: SourceFile) {
    self.file = file
    self.chars = Array(file.text)
  }

  var location: SourceLocation { SourceLocation(line: line, column: column, offset: index) }

  mutating func advance() -> Character {
    let c = chars[index]
    index += 1
    if c == "\n" || c == "\r\n" {
      line += 1
      column = 1
    } else {
      column += 1
    }
    return c
  }

  func peek(_ k: Int = 0) -> Character? { index + k < chars.count ? chars[index + k] : nil }

  public mutating func tokenize() -> [Token] {
    var tokens: [Token] = []
    while true {
      skipSpacesAndComments()
      let start = location
      guard let c = peek() else {
        tokens.append(Token(kind: .endOfFile, range: SourceRange(start, start)))
        return tokens
      }
      if c == "\n" || c == "\r\n" {
        _ = advance()
        tokens.append(Token(kind: .newline, range: SourceRange(start, location)))
      } else if c.isNumber && c.isASCII {
        tokens.append(lexNumber(start))
      } else if c == "." && (peek(1).map { $0.isASCII && $0.isNumber } ?? false) {
        tokens.append(lexNumber(start))
      } else if isIdentifierStart(c) {
        var name = ""
        while let d = peek(), isIdentifierPart(d) { name.append(advance()) }
        let kind: Token.Kind = Keyword(rawValue: name).map { .keyword($0) } ?? .identifier(name)
        tokens.append(Token(kind: kind, range: SourceRange(start, location)))
      } else if c == "\"" || c == "'" {
        tokens.append(lexString(start, quote: c))
      } else if let symbol = matchSymbol() {
        for _ in 0..<symbol.count { _ = advance() }
        tokens.append(Token(kind: .symbol(symbol), range: SourceRange(start, location)))
      } else {
        _ = advance()
        var hint: String? = nil
        if c == "\t" { hint = nil }
        if "“”‘’".contains(c) { hint = "use straight quotes \" for strings" }
        if "（）【】，：；".contains(c) { hint = "this is a full-width character; use its ASCII form" }
        diagnostics.append(Diagnostic(
          "unexpected character `\(c)`", file: file, range: SourceRange(start, location), hint: hint))
      }
    }
  }

  func isIdentifierStart(_ c: Character) -> Bool {
    c == "_" || (c.isLetter && !"（）【】，：；“”‘’".contains(c))
  }

  func isIdentifierPart(_ c: Character) -> Bool { isIdentifierStart(c) || c.isNumber }

  func matchSymbol() -> String? {
    for s in symbols {
      var ok = true
      for (k, ch) in s.enumerated() where peek(k) != ch {
        ok = false
        break
      }
      if ok { return s }
    }
    return nil
  }

  mutating func skipSpacesAndComments() {
    while let c = peek() {
      if c == " " || c == "\t" || c == "\r" {
        _ = advance()
      } else if c == "#" {
        let commentLine = line
        var text = ""
        _ = advance()
        while let d = peek(), d != "\n", d != "\r\n" { text.append(advance()) }
        comments[commentLine] = text
      } else if c == "\\" && (peek(1) == "\n" || peek(1) == "\r\n") {
        // An explicit line continuation.
        _ = advance()
        _ = advance()
      } else {
        return
      }
    }
  }

  mutating func lexNumber(_ start: SourceLocation) -> Token {
    var text = ""
    func digits() { while let d = peek(), (d.isASCII && d.isNumber) || d == "_" { let ch = advance(); if ch != "_" { text.append(ch) } } }
    digits()
    // A fraction, but not the start of a range `1..5`.
    if peek() == ".", peek(1) != ".", !(peek(1).map(isIdentifierStart) ?? false) {
      text.append(advance())
      digits()
    }
    if let e = peek(), e == "e" || e == "E" {
      let sign = peek(1)
      let afterSign = (sign == "+" || sign == "-") ? peek(2) : sign
      if let d = afterSign, d.isASCII && d.isNumber {
        text.append(advance())
        if sign == "+" || sign == "-" { text.append(advance()) }
        digits()
      }
    }
    let range = SourceRange(start, location)
    guard let value = Double(text) else {
      diagnostics.append(Diagnostic("malformed number `\(text)`", file: file, range: range))
      return Token(kind: .number(0), range: range)
    }
    return Token(kind: .number(value), range: range)
  }

  mutating func lexString(_ start: SourceLocation, quote: Character) -> Token {
    _ = advance()
    var value = ""
    while true {
      guard let c = peek(), c != "\n", c != "\r\n" else {
        diagnostics.append(Diagnostic(
          "unterminated string", file: file, range: SourceRange(start, location),
          hint: "close it with \(quote) before the end of the line"))
        return Token(kind: .string(value), range: SourceRange(start, location))
      }
      _ = advance()
      if c == quote { break }
      if c != "\\" {
        value.append(c)
        continue
      }
      let escapeStart = location
      guard let e = peek(), e != "\n" else { continue }
      _ = advance()
      switch e {
      case "n": value.append("\n")
      case "t": value.append("\t")
      case "r": value.append("\r")
      case "0": value.append("\0")
      case "\\": value.append("\\")
      case "\"": value.append("\"")
      case "'": value.append("'")
      case "u":
        // \u{4E2D}
        var hex = ""
        if peek() == "{" {
          _ = advance()
          while let h = peek(), h.isHexDigit { hex.append(advance()) }
          if peek() == "}" { _ = advance() } else { hex = "" }
        }
        if let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) {
          value.append(Character(scalar))
        } else {
          diagnostics.append(Diagnostic(
            "malformed unicode escape", file: file, range: SourceRange(escapeStart, location),
            hint: "write it as \\u{4E2D}"))
        }
      default:
        diagnostics.append(Diagnostic(
          "unknown escape `\\\(e)`", file: file, range: SourceRange(escapeStart, location),
          hint: "known escapes: \\n \\t \\r \\0 \\\\ \\\" \\' \\u{...}"))
      }
    }
    return Token(kind: .string(value), range: SourceRange(start, location))
  }
}
