import Foundation

/// The golden scripts in `Fixtures/`: `NAME.llm` beside `NAME.expected`. Files starting with
/// `_` are only imported by other fixtures.
enum Fixtures {
  static let directory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

  /// Every runnable fixture, by name without extension, sorted.
  static let names: [String] = {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return files.filter { $0.hasSuffix(".llm") && !$0.hasPrefix("_") }.map { String($0.dropLast(4)) }.sorted()
  }()

  static func source(_ name: String) throws -> String {
    try String(contentsOf: directory.appendingPathComponent(name + ".llm"), encoding: .utf8)
  }

  static func expected(_ name: String) -> String? {
    try? String(contentsOf: directory.appendingPathComponent(name + ".expected"), encoding: .utf8)
  }

  static func record(_ name: String, _ text: String) throws {
    try text.write(to: directory.appendingPathComponent(name + ".expected"), atomically: true, encoding: .utf8)
  }

  /// `LLMLAB_RECORD=1` rewrites the expected files instead of comparing.
  static var recording: Bool { ProcessInfo.processInfo.environment["LLMLAB_RECORD"] == "1" }
}
