import Language
import Runtime
import Testing

extension LanguageTests {
  /// Diagnostics point at exactly the text at fault, counted in characters, also after
  /// multi-byte characters (Chinese, emoji, combining marks). `⟨ ⟩` mark the expected range.
  @Suite struct DiagnosticPositions {
    static let cases: [(MarkedSource, String)] = [
      // Unknown names (found by the resolver).
      (MarkedSource("let x = ⟨sofmax⟩(1)"), "unknown name `sofmax`"),
      (MarkedSource("let 名字 = 1\nprint(⟨名学⟩)"), "unknown name `名学`"),
      (MarkedSource("let 数据 = \"世界\" + ⟨未知⟩"), "unknown name `未知`"),
      (MarkedSource("print(\"👋🏽👋🏽\", ⟨nope⟩)"), "unknown name `nope`"),
      (MarkedSource("print(\"👨‍👩‍👧\", \"🇫🇷\", ⟨nope⟩)"), "unknown name `nope`"),
      (MarkedSource("print(\"e\u{301}e\u{301}\", ⟨nope⟩)"), "unknown name `nope`"),
      (MarkedSource("let a = 1\r\nlet b = 2\r\n  ⟨nope⟩"), "unknown name `nope`"),
      (MarkedSource("\t⟨nope⟩"), "unknown name `nope`"),
      (MarkedSource("# 注释 🙂\nfn f(参数) {\n  return 参数 + ⟨参救⟩\n}"), "unknown name `参救`"),
      // Argument names.
      (MarkedSource("let 张量 = tensor([1])\nsoftmax(张量, ⟨axs⟩: 0)"), "`softmax` has no parameter `axs`"),
      // Syntax errors.
      (MarkedSource("let 数 = (1 + 2⟨⟩\nlet y = 1"), "expected `)`, found the end of the line"),
      (MarkedSource("let s = \"🙂🙂\" + ⟨\"x⟩"), "unterminated string"),
      (MarkedSource("let 结果 = 1 ⟨2⟩"), "expected the end of the statement, found a number"),
      (MarkedSource("let ⟨🙂⟩ = 1"), "unexpected character `🙂`"),
      (MarkedSource("print(\"中\") ⟨（⟩"), "unexpected character `（`"),
      (MarkedSource("let x = ⟨“⟩hi”"), "unexpected character `“`"),
      (MarkedSource("let 文 = \"a\\⟨q⟩\""), "unknown escape `\\q`"),
      (MarkedSource("let 文 = [1, 2⟨⟩"), "expected `]` or `,` in the list, found the end of the input"),
      // Runtime errors.
      (MarkedSource("let 结果 = ⟨tensor([1, 2]) @ tensor([1, 2, 3])⟩"), "matmul"),
      (MarkedSource("let 文字 = ⟨\"é\" + 1⟩"), "`+` is not defined for a string and a number"),
      (MarkedSource("print(\"🙂\", zeros(2).⟨shap⟩)"), "a tensor has no member `shap`"),
      (MarkedSource("let 记录 = {甲: 1}\n记录.⟨乙⟩"), "the record has no key `乙`"),
      (MarkedSource("fn 取(表) { return ⟨表[5]⟩ }\n取([1])"), "index 5 is out of range for a sequence of length 1"),
      (MarkedSource("let t = zeros(2, 3)\nprint(\"👋🏽\", ⟨t[2, 0]⟩)"), "select: index 2 is out of range for axis 0 of size 2"),
      (MarkedSource("let 零 = 0\nprint(\"世界\", ⟨1 / 零⟩)"), "division by zero"),
    ]

    @Test("the diagnostic covers the marked range", arguments: cases)
    func position(_ marked: MarkedSource, _ message: String) throws {
      let found = diagnostics(of: marked.text)
      let d = try #require(found.first, "no diagnostic for \(marked)")
      #expect(d.message.hasPrefix(message), "\(marked): \(d.message)")
      #expect(span(d.range) == span(marked), "\(marked): \(d.message)")
    }

    @Test("every error of a file is reported, in source order, each at its own place")
    func allErrorsInOrder() {
      let source = """
        let 甲 = (1 +
        let 乙 = ⟨未定义⟩
        print(甲, 乙)
        """
      // The resolver also reports `甲` (its `let` failed): errors come sorted by position.
      let marked = MarkedSource(source)
      let found = diagnostics(of: marked.text)
      #expect(found.map(\.message) == [
        "expected an expression, found the end of the line", "unknown name `未定义`", "unknown name `甲`",
      ])
      #expect(found.map { span($0.range) } == ["1:13-1:13", span(marked), "3:7-3:8"])
    }

    @Test("lines end at \\n and at \\r\\n alike, for positions and excerpts")
    func crlfLines() throws {
      let source = "let a = 1\r\nlet b = 2\nlet c = 3\r\n  nope\r\n"
      let d = try #require(diagnostics(of: source, name: "crlf.llm").first)
      #expect(span(d.range) == "4:3-4:7")
      #expect(d.file.lines == ["let a = 1", "let b = 2", "let c = 3", "  nope", ""])
      #expect(DiagnosticRenderer(useColor: false).render(d) == "crlf.llm:4:3: error: unknown name `nope`\n 4 |   nope\n   |   ^~~~\n")
    }

    @Test("call-chain notes point at each call site")
    func callChainNotes() throws {
      let marked = MarkedSource("""
        fn 内(x) { return ⟨x @ ones(2, 2)⟩ }
        fn 外(x) {
          return 内(x)
        }
        外(tensor([1, 2, 3]))
        """)
      let d = try #require(diagnostics(of: marked.text).first)
      #expect(d.message.hasPrefix("matmul"))
      #expect(span(d.range) == span(marked))
      #expect(d.notes.map(\.message) == ["in `内`, called here", "in `外`, called here"])
      #expect(d.notes.map { span($0.range) } == ["3:10-3:14", "5:1-5:21"])
    }

    @Test("the rendered caret lines up under wide characters")
    func renderedCaret() throws {
      let source = "print(\"世界🙂\", nope)"
      let d = try #require(diagnostics(of: source, name: "wide.llm").first)
      let text = DiagnosticRenderer(useColor: false).render(d)
      // 世, 界 and 🙂 each take two terminal cells: 7 + 2·3 + 3 = 16 cells before `nope`.
      #expect(text == """
        wide.llm:1:14: error: unknown name `nope`
         1 | print("世界🙂", nope)
           |                 ^~~~

        """)
    }

    @Test("an error inside an imported file names that file")
    func importedFileError() throws {
      let interpreter = Interpreter(output: { _ in })
      interpreter.baseDirectory = Fixtures.directory.path
      let d = try #require(diagnostics(of: "import \"_broken.llm\"\n", interpreter: interpreter).first)
      #expect(d.message == "index 5 is out of range for a sequence of length 2")
      #expect(d.file.name == "_broken.llm")
      #expect(span(d.range) == "3:12-3:21")
    }

    @Test("a missing import is reported at the import statement")
    func missingImport() throws {
      let interpreter = Interpreter(output: { _ in })
      interpreter.baseDirectory = Fixtures.directory.path
      let d = try #require(diagnostics(of: "let 中 = 1\nimport \"_missing.llm\"\n", interpreter: interpreter).first)
      #expect(d.message == "cannot read _missing.llm")
      #expect(d.file.name == "test.llm")
      #expect(span(d.range) == "2:1-2:22")
    }
  }
}
