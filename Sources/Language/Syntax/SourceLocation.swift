/// A position in a source text: 1-based line and column, where a column counts characters
/// (extended grapheme clusters), so a caret lands under the right character after Chinese
/// text or emoji.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
  public var line: Int
  public var column: Int
  /// Offset in the source's characters, for slicing.
  public var offset: Int

  public init(line: Int, column: Int, offset: Int) {
    self.line = line
    self.column = column
    self.offset = offset
  }

  public static func < (a: SourceLocation, b: SourceLocation) -> Bool { a.offset < b.offset }
  public var description: String { "\(line):\(column)" }
}

/// A half-open range of source text.
public struct SourceRange: Hashable, Sendable {
  public var start: SourceLocation
  public var end: SourceLocation

  public init(_ start: SourceLocation, _ end: SourceLocation) {
    self.start = start
    self.end = end
  }

  /// The smallest range covering both.
  public func union(_ other: SourceRange) -> SourceRange {
    SourceRange(Swift.min(start, other.start), Swift.max(end, other.end))
  }
}

/// A named source text (a script file, a REPL cell, standard input).
public final class SourceFile: Sendable {
  public let name: String
  public let text: String
  /// The text split into lines (without terminators), as characters for column arithmetic.
  public let lines: [String]

  public init(name: String, text: String) {
    self.name = name
    self.text = text
    // "\r\n" is one Character in Swift, not "\r" followed by "\n": split on both, as the lexer counts lines.
    self.lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
  }

  public func line(_ n: Int) -> String? { n >= 1 && n <= lines.count ? lines[n - 1] : nil }
}
