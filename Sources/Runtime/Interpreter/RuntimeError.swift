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

  public init(_ message: String, hint: String? = nil, at location: (file: SourceFile, range: SourceRange)? = nil) {
    self.message = message
    self.hint = hint
    self.location = location
  }

  /// The error as a located diagnostic with one note per call in the chain.
  public func diagnostic(fallback: SourceFile) -> Diagnostic {
    let (file, range) = location ?? (fallback, SourceRange(SourceLocation(line: 1, column: 1, offset: 0), SourceLocation(line: 1, column: 1, offset: 0)))
    return Diagnostic(
      message, file: file, range: range, hint: hint,
      notes: trace.map { ("in `\($0.function)`, called here", $0.file, $0.range) })
  }
}

/// `return`, `break` and `continue` unwind through Swift's error mechanism.
enum ControlFlow: Error {
  case returning(Value)
  case breaking
  case continuing
}
