import Language

/// An error while running a program: what went wrong, where, and the chain of calls that
/// led there. Engine errors (`TensorError`) are wrapped at the statement that caused them.
public struct RuntimeError: Error {
  public var message: String
  public var hint: String?
  /// Where it happened (filled in by the interpreter when the thrower does not know).
  public var location: (file: SourceFile, range: SourceRange)?
  /// Calls that led here, innermost first: the function's name and its call site.
  public var trace: [(function: String, file: SourceFile, range: SourceRange)] = []

  /// Notes shown for the call chain before the middle of it is elided.
  static let maximumNotes = 8

  public init(_ message: String, hint: String? = nil, at location: (file: SourceFile, range: SourceRange)? = nil) {
    self.message = message
    self.hint = hint
    self.location = location
  }

  /// The error as a located diagnostic with one note per call in the chain.
  public func diagnostic(fallback: SourceFile) -> Diagnostic {
    let (file, range) = location ?? (fallback, SourceRange(SourceLocation(line: 1, column: 1, offset: 0), SourceLocation(line: 1, column: 1, offset: 0)))
    var notes = trace.map { (message: "in `\($0.function)`, called here", file: $0.file, range: $0.range) }
    // Runaway recursion: the innermost calls and the outermost ones tell the story.
    if notes.count > RuntimeError.maximumNotes {
      let skipped = notes.count - 6
      let next = notes[4]
      notes = Array(notes.prefix(4)) + [(message: "in `\(trace[4].function)`, called here, and \(skipped - 1) more calls not shown", file: next.file, range: next.range)]
        + Array(notes.suffix(2))
    }
    return Diagnostic(message, file: file, range: range, hint: hint, notes: notes)
  }
}

/// `return`, `break` and `continue` unwind through Swift's error mechanism.
enum ControlFlow: Error, @unchecked Sendable {
  case returning(Value)
  case breaking
  case continuing
}
