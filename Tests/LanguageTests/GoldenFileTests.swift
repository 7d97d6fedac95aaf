import Foundation
import Testing

extension LanguageTests {
  /// Each `Fixtures/NAME.llm` runs as `llmlab run` would; its whole transcript (output,
  /// diagnostics, exit code) must equal `NAME.expected`. `LLMLAB_RECORD=1` re-records.
  @Suite struct GoldenFiles {
    @Test("the fixture directory holds the scripts", .tags(.golden))
    func fixturesExist() {
      #expect(Fixtures.names.count >= 15, "found \(Fixtures.names) in \(Fixtures.directory.path)")
    }

    @Test("fixture transcript matches its .expected file", .tags(.golden), arguments: Fixtures.names)
    func fixture(_ name: String) throws {
      let source = try Fixtures.source(name)
      let actual = onMainSizedStack { transcript(of: source, name: name + ".llm") }
      if Fixtures.recording {
        try Fixtures.record(name, actual)
        return
      }
      guard let expected = Fixtures.expected(name) else {
        Issue.record("no \(name).expected: run with LLMLAB_RECORD=1 to create it, then read it carefully")
        return
      }
      if actual != expected {
        Issue.record("\(name).llm: transcript differs from \(name).expected (- expected, + actual):\n\(lineDiff(expected: expected, actual: actual))")
      }
    }
  }
}

extension Tag {
  @Tag static var golden: Self
}
