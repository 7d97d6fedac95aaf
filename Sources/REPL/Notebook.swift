import Foundation

/// The session as numbered cells: what was typed and what it printed. `:save` writes the
/// successful inputs as a script; `:export` writes a Markdown notebook.
struct Notebook {
  struct Cell {
    var number: Int
    var input: String
    var output: String
    var succeeded: Bool
  }

  var cells: [Cell] = []

  /// The successful inputs, in order: replaying them rebuilds the session.
  var script: String {
    "# llmlab session saved \(Notebook.timestamp())\n\n" + cells.filter(\.succeeded).map(\.input).joined(separator: "\n") + "\n"
  }

  /// Each cell's input as an `llm` code block with its output below it.
  var markdown: String {
    var out = "# llmlab session\n\nExported \(Notebook.timestamp()).\n"
    for cell in cells {
      out += "\n## [\(cell.number)]\n\n```llm\n\(cell.input)\n```\n"
      let text = cell.output.trimmingCharacters(in: .newlines)
      if !text.isEmpty { out += "\n```text\n\(text)\n```\n" }
    }
    return out
  }

  static func timestamp() -> String {
    let f = DateFormatter()
    f.dateFormat = "yyyy-MM-dd HH:mm"
    return f.string(from: Date())
  }
}
