import Foundation
import Testing

extension LanguageTests {
  /// The diff golden-file failures print: removed lines, then added ones, with context.
  @Suite struct LineDiffs {
    @Test("a changed line shows as - expected, + actual, with two lines of context")
    func changedLine() {
      let diff = lineDiff(expected: "a\nb\nc\nd\ne\nf\n", actual: "a\nb\nc\nD\ne\nf\n")
      #expect(diff == "@@ line 2\n  b\n  c\n- d\n+ D\n  e\n  f")
    }

    @Test("separate changes get separate headers; equal texts give no diff")
    func separateChanges() {
      let expected = (1...12).map(String.init).joined(separator: "\n")
      let actual = expected.replacingOccurrences(of: "2\n", with: "two\n").replacingOccurrences(of: "11", with: "eleven")
      #expect(lineDiff(expected: expected, actual: actual) == """
        @@ line 1
          1
        - 2
        + two
          3
          4
        @@ line 9
          9
          10
        - 11
        + eleven
          12
        """)
      #expect(lineDiff(expected: "same\n", actual: "same\n") == "")
    }
  }
}
