import Language
import TensorEngine

extension Interpreter {
  /// `show x` and `inspect x`.
  func registerInspectionCommands() {
    register(CommandSpec(
      name: "show", doc: "show x — the value, then its statistics (tensors: shape, dtype, mean, std, min, max, non-finite count, histogram)",
      options: ["rows", "precision"]
    ) { command, env, interpreter, file in
      guard let subject = command.operands.first?.value, command.operands.count == 1 else {
        throw RuntimeError("`show` takes one value: `show x`", at: (file, command.verb.range))
      }
      let value = try interpreter.evaluate(subject, in: env, file: file)
      var formatter = TensorFormatter()
      if let options = command.options {
        let record = try interpreter.evaluateRecord(options, in: env, file: file)
        if case .number(let p)? = record["precision"] { formatter.precision = Swift.max(0, Swift.min(10, Int(p))) }
        if case .number(let r)? = record["rows"] { formatter.edgeItems = Swift.max(1, Int(r)) }
      }
      interpreter.output(interpreter.show(value, formatter: formatter))
    })
    register(CommandSpec(
      name: "inspect", doc: "inspect x — the structure of a value: its kind, layout and members", options: []
    ) { command, env, interpreter, file in
      guard let subject = command.operands.first?.value, command.operands.count == 1 else {
        throw RuntimeError("`inspect` takes one value: `inspect x`", at: (file, command.verb.range))
      }
      interpreter.output(interpreter.inspect(try interpreter.evaluate(subject, in: env, file: file)))
    })
  }

  public func show(_ value: Value, formatter: TensorFormatter = TensorFormatter()) -> String {
    switch value {
    case .tensor(let t):
      var lines = [formatter.format(t)]
      lines += TensorStatistics(t).lines
      if let g = t.grad { lines.append("grad: mean \(Display.number(Double(TensorStatistics(g).mean)))  (show x.grad for all of it)") }
      return lines.joined(separator: "\n")
    case .object(let o):
      return ([o.summary] + o.details).joined(separator: "\n")
    default:
      return Display.format(value) + "    (\(value.typeName))"
    }
  }

  public func inspect(_ value: Value) -> String {
    switch value {
    case .tensor(let t):
      var lines = [
        "tensor",
        "  shape        \(formatShape(t.shape))   (\(t.count) element\(t.count == 1 ? "" : "s"), rank \(t.rank))",
        "  dtype        \(t.dtype)",
        "  strides      \(formatShape(t.strides))   offset \(t.offset)",
        "  contiguous   \(t.isContiguous)",
        "  storage      \(t.storage.count) float\(t.storage.count == 1 ? "" : "s") (\(t.storage.byteCount) bytes)\(t.storage.count != t.count ? ", shared with other views" : "")",
        "  autograd     " + (t.requiresGrad ? (t.isLeaf ? "parameter (leaf)" : "result of \(t.gradientFunctionName ?? "?")") : "none")
          + (t.grad != nil ? ", has grad" : ""),
        "properties: " + TensorMembers.propertyNames.joined(separator: ", "),
      ]
      lines.append("methods: " + tensorMethodNames.sorted().joined(separator: ", "))
      return lines.joined(separator: "\n")
    case .object(let o):
      var lines = [o.typeName, "  " + o.summary]
      // The object's own structure (a model's layers and parameter shapes, a batch's tokens).
      lines += o.details.map { "  " + $0 }
      lines.append("members:")
      for m in o.members { lines.append("  \(m.kind == .property ? "property" : "method  ") \(m.signature.padding(toLength: Swift.max(28, m.signature.count), withPad: " ", startingAt: 0)) \(m.doc)") }
      return lines.joined(separator: "\n")
    case .function(let f):
      switch f.body {
      case .builtin(let b): return "built-in function \(b.signature)\n  \(b.doc)"
      case .user(let decl, _, let file):
        return "function \(f.signature), defined at \(file.name):\(decl.name.range.start)" + (decl.documentation.map { doc in
          // Every line of a multi-line doc comment indented alike.
          doc.split(separator: "\n", omittingEmptySubsequences: false).map { "\n  " + $0 }.joined()
        } ?? "")
      }
    case .list(let xs):
      return "list of \(xs.count): " + Display.format(value)
    case .record(let r):
      return (["record with \(r.fields.count) keys"] + r.fields.map { "  \($0.key): \(Display.describeType($0.value))" }).joined(separator: "\n")
    default:
      return "\(value.typeName): \(Display.format(value, nested: true))"
    }
  }
}
