import Foundation
import Language
import Runtime
import Testing

extension LanguageTests {
  /// Absurd input must end in a diagnostic, never in a stack overflow or a failed
  /// allocation: deep nesting, runaway recursion, huge tensor requests.
  @Suite struct NestingLimits {
    static let deepInputs: [(String, String)] = [
      ("5000 `(`", String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)),
      ("5000 `[`", String(repeating: "[", count: 5000)),
      ("5000 `-`", String(repeating: "-", count: 5000) + "1"),
      ("5000 `not`", String(repeating: "not ", count: 5000) + "true"),
      ("5000 `+` prefixes", String(repeating: "+", count: 5000) + "1"),
      ("5000 records", String(repeating: "{a: ", count: 5000) + "1" + String(repeating: "}", count: 5000)),
      ("5000 calls", "f" + String(repeating: "(", count: 5000)),
      ("5000 `**`", "let x = " + Array(repeating: "2", count: 5000).joined(separator: " ** ")),
      ("a 5000-term sum", "let x = " + Array(repeating: "1", count: 5000).joined(separator: " + ")),
      ("5000 members", "x" + String(repeating: ".a", count: 5000)),
      ("5000 subscripts", "x" + String(repeating: "[0]", count: 5000)),
      ("5000 chained calls", "f" + String(repeating: "()", count: 5000)),
      ("5000 ranges", Array(repeating: "(0", count: 5000).joined(separator: "..") + String(repeating: ")", count: 5000)),
      ("5000 nested ifs", String(repeating: "if true { ", count: 5000) + String(repeating: "}", count: 5000)),
      ("5000 else-ifs", String(repeating: "if false { } else ", count: 5000) + "{ }"),
      ("5000 nested functions", String(repeating: "fn f() { ", count: 5000) + String(repeating: "}", count: 5000)),
      ("5000 nested loops", String(repeating: "while false { ", count: 5000) + String(repeating: "}", count: 5000)),
    ]

    @Test("deep nesting is a diagnostic, on the test runner's own thread", arguments: deepInputs)
    func deepInput(_ what: String, _ source: String) throws {
      let found = diagnostics(of: source)
      let d = try #require(found.first, "\(what): no diagnostic")
      #expect(d.message.contains("nested too deeply"), "\(what): \(d.message)")
      #expect(found.count <= 2, "\(what): \(found.map(\.message))")
    }

    @Test("deep nesting is a diagnostic on a main-thread-sized stack too", arguments: deepInputs)
    func deepInputMainStack(_ what: String, _ source: String) {
      let messages = onMainSizedStack { diagnostics(of: source).map(\.message) }
      #expect(messages.first?.contains("nested too deeply") == true, "\(what): \(messages)")
    }

    @Test("nesting just under the limit parses and runs", arguments: [
      String(repeating: "(", count: 150) + "1" + String(repeating: ")", count: 150),
      String(repeating: "- ", count: 150) + "1",
      "let x = " + Array(repeating: "1", count: 150).joined(separator: " + "),
      String(repeating: "[", count: 150) + String(repeating: "]", count: 150),
      String(repeating: "if true { ", count: 60) + "print(1)" + String(repeating: " }", count: 60),
    ])
    func underTheLimit(_ source: String) {
      let messages = onMainSizedStack { diagnostics(of: source).map(\.message) }
      #expect(messages.isEmpty, "\(messages)")
    }

    @Test("runaway recursion stops at 200 calls")
    func runawayRecursion() throws {
      let found = onMainSizedStack { diagnostics(of: "fn f(n) { return f(n + 1) }\nf(0)") }
      let d = try #require(found.first)
      #expect(d.message == "too many nested calls (more than 200)")
      #expect(d.hint == "is `f` recursing without end?")
      // The call chain is elided in the middle: 4 innermost calls, a summary, the outermost 2.
      #expect(d.notes.count == 7)
      #expect(d.notes[4].message == "in `f`, called here, and 193 more calls not shown")
    }

    @Test("mutual recursion stops at 200 calls")
    func mutualRecursion() {
      let messages = onMainSizedStack {
        diagnostics(of: "fn ping(n) { return pong(n) }\nfn pong(n) { return ping(n) }\nping(1)").map(\.message)
      }
      #expect(messages == ["too many nested calls (more than 200)"])
    }

    @Test("recursion through deep expressions stops before the stack runs out", arguments: [8 << 20, 512 << 10])
    func recursionThroughDeepExpressions(stackSize: Int) {
      let source = "fn f(n) {\n  if n == 0 { return 0 }\n  return " + String(repeating: "- ", count: 150) + "f(n - 1)\n}\nf(199)"
      let box = ResultBox { diagnostics(of: source).map(\.message) }
      let done = DispatchSemaphore(value: 0)
      let thread = Thread {
        box.result = box.body()
        done.signal()
      }
      thread.stackSize = stackSize
      thread.start()
      done.wait()
      // A main-sized stack fails while running; a small one may already fail while parsing.
      #expect(box.result?.count == 1)
      #expect(box.result?.first?.contains("nested too deeply") == true, "\(box.result ?? [])")
      if stackSize == 8 << 20 { #expect(box.result == ["nested too deeply: out of stack space"]) }
    }

    @Test("deep but finite recursion works")
    func finiteRecursion() {
      let messages = onMainSizedStack {
        diagnostics(of: "fn sum(n) {\n  if n == 0 { return 0 }\n  return n + sum(n - 1)\n}\nlet s = sum(150)\nif s != 11325 { print(1 / 0) }")
          .map(\.message)
      }
      #expect(messages.isEmpty, "\(messages)")
    }

    @Test("huge tensor requests are errors", arguments: [
      "zeros(100000, 100000, 100000)", "ones([1e10, 1e10])", "full([65536, 65536], 1)", "zeros(0, 1e14, 1e14)",
      "eye(1000000)", "linspace(0, 1, 1e12)", "arange(1e20)", "arange(0, 1e12, 0.5)", "randn(1e6, 1e6)",
      "rand(shape: [3037000500, 3037000500])", "ones(2 ** 40, 2 ** 40)", "tensor([1]).expand(1e12)",
      "zeros(100000, 1) + zeros(1, 100000)", "tensor(0..1e12)",
    ])
    func hugeTensor(_ source: String) throws {
      let d = try #require(diagnostics(of: source).first, "\(source)")
      #expect(d.message.contains("too many") || d.message.contains("more than 2^31"), "\(source): \(d.message)")
    }

    @Test("huge ranges are walked by for, and refused as lists", arguments: [
      ("let n = 0\nfor i in 0..1e12 { n += 1; if n == 3 { break } }\nif n != 3 { print(1 / 0) }", nil),
      ("list(0..1e12)", "the range 0..1000000000000 holds 1000000000000 numbers, too many to hold at once (the limit is 2^26)"),
      ("(0..123456789012)[2:8:3]", "the range 0..123456789012 holds 123456789012 numbers, too many to hold at once (the limit is 2^26)"),
      ("zeros(0..1e12)", "the range 0..1000000000000 holds 1000000000000 numbers, too many to hold at once (the limit is 2^26)"),
      ("let s = \"abc\" * 1000000\ns * 1000", "the repeated string would be longer than 100 MB"),
    ] as [(String, String?)])
    func hugeRanges(_ source: String, _ message: String?) {
      #expect(diagnostics(of: source).map(\.message) == (message.map { [$0] } ?? []))
    }

    @Test("tensors up to the limit's neighbourhood are still allowed in shape checks")
    func smallTensorsStillWork() {
      #expect(diagnostics(of: "let t = zeros(1000, 1000)\nif t.size != 1000000 { print(1 / 0) }").isEmpty)
      #expect(diagnostics(of: "let t = zeros(0, 5)\nif t.size != 0 { print(1 / 0) }").isEmpty)
    }
  }
}
