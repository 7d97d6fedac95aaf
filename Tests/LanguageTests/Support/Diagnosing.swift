import Language
import Runtime

/// The diagnostics a program produces: those of parsing and resolving when there are any,
/// otherwise the runtime error of running it (none when it runs cleanly).
func diagnostics(of text: String, name: String = "test.llm", interpreter: Interpreter? = nil) -> [Diagnostic] {
  let interpreter = interpreter ?? Interpreter(output: { _ in })
  let source = SourceFile(name: name, text: text)
  do {
    try interpreter.run(source: source)
    return []
  } catch let list as DiagnosticList {
    return list.diagnostics
  } catch let error as RuntimeError {
    return [error.diagnostic(fallback: source)]
  } catch {
    return [Diagnostic("unexpected error type \(type(of: error)): \(error)", file: source, range: SourceRange(.init(line: 0, column: 0, offset: 0), .init(line: 0, column: 0, offset: 0)))]
  }
}

/// Parses only: the program and the parser's diagnostics.
func parse(_ text: String, commandWords: Set<String> = ["show", "inspect"]) -> (Program, [Diagnostic]) {
  Parser.parseRecovering(SourceFile(name: "test.llm", text: text), commandWords: commandWords)
}
