import Language

/// Source text with the expected range of a diagnostic marked by `⟨` and `⟩`. The markers
/// are removed; lines and columns count characters (grapheme clusters), as `SourceLocation`
/// does, so a column after `世界` or `👋🏽` is what a reader counts.
struct MarkedSource: CustomStringConvertible, Sendable {
  let text: String
  let start: (line: Int, column: Int)
  let end: (line: Int, column: Int)
  let original: String

  init(_ marked: String) {
    original = marked
    var text = ""
    var line = 1, column = 1
    var start = (line: 0, column: 0), end = (line: 0, column: 0)
    for c in marked {
      switch c {
      case "⟨": start = (line, column)
      case "⟩": end = (line, column)
      default:
        text.append(c)
        if c == "\n" || c == "\r\n" { line += 1; column = 1 } else { column += 1 }
      }
    }
    precondition(start.line > 0 && end.line > 0, "mark the expected range with ⟨ and ⟩: \(marked)")
    self.text = text
    self.start = start
    self.end = end
  }

  var description: String { original.debugDescription }
}

/// Where a diagnostic points, as `line:column-line:column`, for readable expectations.
func span(_ range: SourceRange) -> String {
  "\(range.start.line):\(range.start.column)-\(range.end.line):\(range.end.column)"
}

func span(_ m: MarkedSource) -> String {
  "\(m.start.line):\(m.start.column)-\(m.end.line):\(m.end.column)"
}
