import Foundation
import Language
import Runtime
import TensorEngine

/// The interactive prompt: numbered cells, multi-line input, meta commands (`:help`, `:vars`,
/// ...), and a session that survives every error.
public final class REPL {
  let interpreter: Interpreter
  let editor: LineEditor
  let useColor: Bool
  var notebook = Notebook()
  var cellNumber = 1
  /// Output captured for the current cell (for the notebook), also printed as it comes.
  var captured = ""
  let renderer: DiagnosticRenderer

  public init(useColor: Bool) {
    self.useColor = useColor
    self.renderer = DiagnosticRenderer(useColor: useColor)
    let home = ProcessInfo.processInfo.environment["HOME"] ?? NSTemporaryDirectory()
    self.editor = LineEditor(historyPath: home + "/.llmlab_history")
    self.interpreter = Interpreter()
    interpreter.useColor = useColor
    interpreter.output = { [unowned self] text in self.emit(text) }
    interpreter.stream = { [unowned self] piece in
      print(piece, terminator: "")
      fflush(nil)
      self.captured += piece
    }
    activeCompleter = Completer(interpreter: interpreter)
    interpreter.readLine = { [unowned self] prompt in
      if case .line(let text) = self.editor.read(prompt: prompt) { return text }
      return nil
    }
  }

  func emit(_ text: String) {
    print(text)
    fflush(nil)
    captured += text + "\n"
  }

  func paint(_ text: String, _ code: String) -> String { useColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

  /// Colors in a prompt sit between libedit's ignore markers (\1 … \1), or libedit would
  /// count the escape codes as visible characters.
  func promptPaint(_ text: String, _ code: String) -> String {
    useColor ? "\u{1}\u{1B}[\(code)m\u{1}\(text)\u{1}\u{1B}[0m\u{1}" : text
  }

  /// Runs until Ctrl-D or `:quit`; returns the exit status.
  public func run() -> Int32 {
    Interrupt.installHandler()
    print("llmlab \(LLMLabInfo.version) — type :help for help, Ctrl-D to quit")
    while true {
      guard let input = readCell() else { break }
      if input.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
      editor.remember(input)
      if input.trimmingCharacters(in: .whitespaces).hasPrefix(":") {
        if !runMetaCommand(input.trimmingCharacters(in: .whitespaces)) { break }
        continue
      }
      evaluateCell(input)
    }
    print("")
    return 0
  }

  /// Reads one cell: more lines while brackets are open or a line ends in an operator.
  func readCell() -> String? {
    var buffer = ""
    while true {
      let prompt = buffer.isEmpty ? promptPaint("[\(cellNumber)]>", "1;32") + " " : promptPaint("   ...", "2") + " "
      switch editor.read(prompt: prompt) {
      case .endOfInput:
        return buffer.isEmpty ? nil : buffer
      case .interrupted:
        if !buffer.isEmpty { print(paint("(input cleared)", "2")) }
        buffer = ""
        continue
      case .line(let line):
        buffer += buffer.isEmpty ? line : "\n" + line
        if buffer.trimmingCharacters(in: .whitespaces).hasPrefix(":") { return buffer }
        if !needsMoreInput(buffer) { return buffer }
      }
    }
  }

  /// True when the text so far parses only as the beginning of something.
  func needsMoreInput(_ text: String) -> Bool {
    var parser = Parser(file: SourceFile(name: "<cell>", text: text), commandWords: interpreter.commandWords)
    _ = parser.parseProgram()
    return parser.isIncomplete
  }

  /// Runs one cell; its value is shown as `[n]: value`. Errors keep the session.
  func evaluateCell(_ input: String, echo: Bool = true) {
    let number = cellNumber
    cellNumber += 1
    captured = ""
    let source = SourceFile(name: "<\(number)>", text: input)
    var succeeded = false
    Interrupt.clear()
    do {
      if let value = try interpreter.run(source: source), !isNone(value) {
        let text = Display.format(value)
        let label = paint("[\(number)]:", "1;34")
        emit(text.contains("\n") ? "\(label)\n\(text)" : "\(label) \(text)")
      }
      succeeded = true
    } catch let list as DiagnosticList {
      for d in list.diagnostics { emitError(renderer.render(d)) }
    } catch let error as RuntimeError {
      if error.message == "interrupted" { print("") }  // past the terminal's ^C
      emitError(renderer.render(error.diagnostic(fallback: source)))
    } catch {
      emitError("error: \(error)\n")
    }
    notebook.cells.append(Notebook.Cell(number: number, input: input, output: captured, succeeded: succeeded))
  }

  func emitError(_ text: String) {
    fflush(nil)
    FileHandle.standardError.write(text.data(using: .utf8)!)
    captured += text
  }

  func isNone(_ v: Value) -> Bool {
    if case .none = v { return true }
    return false
  }
}

/// Facts the REPL's banner and `--version` share.
public enum LLMLabInfo {
  public static let version = "0.2.0"
}
