/// A message about the source: where, what, and (when one exists) what to do instead.
public struct Diagnostic: Error, Sendable, CustomStringConvertible {
  public enum Severity: String, Sendable {
    case error, warning, note
  }

  public var severity: Severity
  public var message: String
  public var file: SourceFile
  public var range: SourceRange
  /// "did you mean `softmax`?", "expected `}` to close the block opened at 3:12"
  public var hint: String?
  /// Further located notes: the chain of calls that led to a runtime error.
  public var notes: [(message: String, file: SourceFile, range: SourceRange)]

  /// An error.
  public init(
    _ message: String, file: SourceFile, range: SourceRange, hint: String? = nil,
    notes: [(message: String, file: SourceFile, range: SourceRange)] = []
  ) {
    self.init(severity: .error, message, file: file, range: range, hint: hint, notes: notes)
  }

  public init(
    severity: Severity, _ message: String, file: SourceFile, range: SourceRange,
    hint: String? = nil, notes: [(message: String, file: SourceFile, range: SourceRange)] = []
  ) {
    self.severity = severity
    self.message = message
    self.file = file
    self.range = range
    self.hint = hint
    self.notes = notes
  }

  /// `file:line:column: error: message`
  public var description: String {
    "\(file.name):\(range.start.line):\(range.start.column): \(severity.rawValue): \(message)"
  }
}

/// Several diagnostics from one pass (the parser reports every error it can recover from).
public struct DiagnosticList: Error, Sendable {
  public var diagnostics: [Diagnostic]
  public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}
