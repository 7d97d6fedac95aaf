import Foundation
import Language
import Runtime
import Testing

extension LanguageTests {
  /// Timings the REPL depends on, printed for a reader (never asserted: machines differ).
  @Suite struct Benchmarks {
    static func milliseconds(_ body: () throws -> Void) rethrows -> Double {
      let start = DispatchTime.now().uptimeNanoseconds
      try body()
      return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    static func median(_ xs: [Double]) -> Double {
      let s = xs.sorted()
      return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func format(_ ms: Double) -> String { String(format: ms < 1 ? "%.3f ms" : "%.1f ms", ms) }

    @Test("prints the time to parse and evaluate a one-line statement (target under 1 ms)", arguments: [
      "let y = (x + 1) * 2 - x / 3",
      "let total = sum([1, 2, 3]) + len(\"世界\")",
      "let h = relu(t @ t.T + 1).mean()",
    ])
    func oneLineStatement(_ line: String) throws {
      let interpreter = Interpreter(output: { _ in })
      try interpreter.run(source: SourceFile(name: "<setup>", text: "let x = 3\nlet t = tensor([[1, 2], [3, 4]])"))
      let source = SourceFile(name: "<cell>", text: line)
      for _ in 0..<20 { try interpreter.run(source: source) }  // warm up
      var times: [Double] = []
      for _ in 0..<500 { times.append(try Self.milliseconds { try interpreter.run(source: source) }) }
      print("benchmark: parse + evaluate `\(line)`: median \(Self.format(Self.median(times))), best \(Self.format(times.min()!)) over 500 runs (target < 1 ms)")
    }

    @Test("prints the REPL start-up time: constructing an Interpreter (target under 300 ms)")
    func startUp() {
      var times: [Double] = []
      for _ in 0..<30 { times.append(Self.milliseconds { _ = Interpreter(output: { _ in }) }) }
      print("benchmark: REPL start-up, Interpreter(): median \(Self.format(Self.median(times))), first of this run \(Self.format(times[0])), worst \(Self.format(times.max()!)) over 30 (target < 300 ms)")
    }
  }
}
