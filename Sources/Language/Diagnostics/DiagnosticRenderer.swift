/// Draws a diagnostic the way compilers do:
///
///     script.llm:7:12: error: unknown name `sofmax`
///       7 | let y = sofmax(x)
///         |         ^~~~~~
///         = hint: did you mean `softmax`?
///
/// Colors only when asked (on a terminal without NO_COLOR).
public struct DiagnosticRenderer: Sendable {
  public var useColor: Bool

  public init(useColor: Bool) { self.useColor = useColor }

  private func paint(_ text: String, _ code: String) -> String {
    useColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }

  public func render(_ d: Diagnostic) -> String {
    var out = ""
    let color = d.severity == .error ? "1;31" : (d.severity == .warning ? "1;33" : "1;36")
    out += paint("\(d.file.name):\(d.range.start.line):\(d.range.start.column): ", "1")
    out += paint("\(d.severity.rawValue):", color) + " " + paint(d.message, "1") + "\n"
    out += excerpt(d.file, d.range, color: color)
    if let hint = d.hint {
      out += gutter(width: gutterWidth(d.range)) + " = " + paint("hint:", "1;36") + " \(hint)\n"
    }
    for note in d.notes {
      out += paint("\(note.file.name):\(note.range.start.line):\(note.range.start.column): ", "1")
      out += paint("note:", "1;36") + " \(note.message)\n"
      out += excerpt(note.file, note.range, color: "1;36")
    }
    return out
  }

  private func gutterWidth(_ range: SourceRange) -> Int { String(range.start.line).count }

  private func gutter(width: Int, number: Int? = nil) -> String {
    let label = number.map(String.init) ?? ""
    return String(repeating: " ", count: width - label.count + 1) + label + " |"
  }

  /// The source line with a caret under the start and tildes under the rest of the range
  /// (to the end of the line when the range spans lines).
  private func excerpt(_ file: SourceFile, _ range: SourceRange, color: String) -> String {
    guard let line = file.line(range.start.line) else { return "" }
    let width = gutterWidth(range)
    let chars = Array(line)
    let startCol = Swift.max(1, Swift.min(range.start.column, chars.count + 1))
    let endCol: Int
    if range.end.line == range.start.line {
      endCol = Swift.max(startCol + 1, Swift.min(range.end.column, chars.count + 1))
    } else {
      endCol = Swift.max(startCol + 1, chars.count + 1)
    }
    // Wide characters (CJK, emoji) take two terminal cells; pad the marker line to match.
    func cells(_ cs: ArraySlice<Character>) -> Int { cs.reduce(0) { $0 + displayWidth($1) } }
    let lead = cells(chars[0..<Swift.min(startCol - 1, chars.count)])
    let spanEnd = Swift.min(endCol - 1, chars.count)
    let spanCells = Swift.max(1, startCol - 1 < spanEnd ? cells(chars[(startCol - 1)..<spanEnd]) : 1)
    let marker = "^" + String(repeating: "~", count: spanCells - 1)
    var out = gutter(width: width, number: range.start.line) + " " + line + "\n"
    out += gutter(width: width) + " " + String(repeating: " ", count: lead) + paint(marker, color) + "\n"
    return out
  }
}

/// Terminal cells a character occupies: 2 for East Asian wide characters and emoji.
public func displayWidth(_ c: Character) -> Int {
  guard let scalar = c.unicodeScalars.first else { return 1 }
  let v = scalar.value
  if c.unicodeScalars.count > 1 && scalar.properties.isEmojiPresentation { return 2 }
  switch v {
  case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
    0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
    0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
    return 2
  default:
    return 1
  }
}
