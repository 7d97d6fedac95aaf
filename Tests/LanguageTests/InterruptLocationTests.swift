import Foundation
import Language
import Runtime
import Testing

extension LanguageTests {
  /// Ctrl-C stops a program at a safe point; the message names the statement it stopped at,
  /// whether that was between statements, between loop iterations or inside a call.
  @Suite(.serialized) struct InterruptLocations {
    @Test("an interrupt between statements names the statement", arguments: [
      "let a = 1\nlet b = 2",
      "for i in 0..3 { let c = i }",
      "fn f() { let d = 1\nreturn d }\nf()",
    ])
    func located(_ text: String) throws {
      let source = SourceFile(name: "interrupt.llm", text: text)
      let interpreter = Interpreter(output: { _ in })
      Interrupt.request()
      defer { Interrupt.clear() }
      do {
        try interpreter.run(source: source)
        Issue.record("expected an interrupt")
      } catch let error as RuntimeError {
        #expect(error.message == "interrupted")
        let location = try #require(error.location, "no location for: \(text)")
        #expect(location.0 === source && location.1.start.line == 1)
      }
    }
  }
}
