import Foundation
import Language
import Runtime

extension REPL {
  static let metaHelp = """
    Meta commands:
      :help [topic]    this list, or help on a built-in, command or variable
      :vars            the session's variables and their values
      :inspect x       the structure of a value (same as `inspect x`)
      :time stmt       run a statement and print how long it took
      :load file.llm   run a script into this session
      :save file.llm   write this session's successful inputs as a script
      :export file.md  write this session as a Markdown notebook
      :reset           forget every variable
      :quit            leave (so does Ctrl-D)
    Ctrl-C clears the line, or stops running work at a safe point (values are kept).
    Tab completes names, members after `.`, and option keys inside `{ }`.
    """

  /// Runs a `:command`; returns false to quit.
  func runMetaCommand(_ line: String) -> Bool {
    let parts = line.dropFirst().split(separator: " ", maxSplits: 1).map(String.init)
    let name = parts.first ?? ""
    let argument = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
    switch name {
    case "quit", "q", "exit":
      return false
    case "help", "h":
      print(argument.isEmpty ? REPL.metaHelp + "\n\n" + interpreter.help(.none) : interpreter.help(.string(argument)))
    case "vars":
      let names = interpreter.globals.values.keys.sorted()
      if names.isEmpty { print("(no variables yet)") }
      for n in names {
        let v = interpreter.globals.values[n]!
        var text = Display.format(v, nested: true)
        if text.count > 60 { text = String(text.prefix(57)) + "..." }
        print("  \(n.padding(toLength: 12, withPad: " ", startingAt: 0)) \(v.typeName.padding(toLength: 10, withPad: " ", startingAt: 0)) \(text)")
      }
    case "inspect":
      guard !argument.isEmpty else { print("usage: :inspect x"); break }
      evaluateCell("inspect \(argument)")
    case "time":
      guard !argument.isEmpty else { print("usage: :time statement"); break }
      let start = Date()
      evaluateCell(argument)
      print(paint(String(format: "time: %.3f s", Date().timeIntervalSince(start)), "2"))
    case "load":
      guard !argument.isEmpty else { print("usage: :load file.llm"); break }
      evaluateCell("import \(Display.format(.string(argument), nested: true))")
    case "save", "export":
      guard !argument.isEmpty else { print("usage: :\(name) file"); break }
      let text = name == "save" ? notebook.script : notebook.markdown
      do {
        try writeAtomically(Data(text.utf8), to: argument)
        let count = name == "save" ? notebook.cells.filter(\.succeeded).count : notebook.cells.count
        print("wrote \(argument) (\(count) cells)")
      } catch let error as RuntimeError {
        emitError("error: \(error.message)\n")
      } catch {
        emitError("error: cannot write \(argument): \(error.localizedDescription)\n")
      }
    case "reset":
      interpreter.globals.removeAll()
      print("session reset: every variable is gone")
    default:
      let known = ["help", "vars", "inspect", "time", "load", "save", "export", "reset", "quit"]
      emitError("unknown meta command `:\(name)`" + (Suggestions.hint(for: name, in: known).map { "; \($0)" } ?? "; :help lists them") + "\n")
    }
    return true
  }
}
