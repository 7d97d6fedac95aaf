import Foundation
import Language
import TensorEngine

extension Interpreter {
  func registerCoreBuiltins() {
    register(Builtin("print", [.variadic("values")], category: "core",
                     doc: "Writes the values separated by spaces.") { args, ctx in
      ctx.interpreter.output(args.rest.map { Display.format($0) }.joined(separator: " "))
      return .none
    })
    register(Builtin("type", [.required("x")], category: "core", doc: "The kind of a value: number, string, tensor, list, ...") { args, _ in
      .string(args.value("x").typeName)
    })
    register(Builtin("len", [.required("x")], category: "core",
                     doc: "Length of a list, string, record or range; size of a tensor's first axis.") { args, _ in
      switch args.value("x") {
      case .list(let xs): return .number(Double(xs.count))
      case .string(let s): return .number(Double(s.count))
      case .record(let r): return .number(Double(r.fields.count))
      case .range(let a, let b): return .number(Double(Swift.max(0, b - a)))
      case .tensor(let t):
        guard t.rank > 0 else { throw RuntimeError("len: a scalar tensor has no first axis") }
        return .number(Double(t.shape[0]))
      case let v: throw RuntimeError("len: \(Display.describeType(v)) has no length")
      }
    })
    register(Builtin("range", [.required("start"), .optional("end")], category: "core",
                     doc: "range(n) is 0..n; range(a, b) is a..b (the end is excluded).") { args, _ in
      if args.has("end") { return .range(try args.int("start"), try args.int("end")) }
      return .range(0, try args.int("start"))
    })
    register(Builtin("str", [.required("x")], category: "core", doc: "The value as text.") { args, _ in
      .string(Display.format(args.value("x")))
    })
    register(Builtin("round", [.required("x"), .optional("digits", "0")], category: "core",
                     doc: "A number rounded to `digits` decimals.") { args, _ in
      let scale = Foundation.pow(10, Double(try args.int("digits", default: 0)))
      return .number((try args.number("x") * scale).rounded() / scale)
    })
    register(Builtin("list", [.required("x")], category: "core",
                     doc: "A list from a range, string, tensor (its first axis) or list.") { args, ctx in
      let v = args.value("x")
      if case .tensor(let t) = v {
        return try Interpreter.tensorToList(t)
      }
      return .list(try ctx.interpreter.elements(of: v, at: ctx.range, file: ctx.file))
    })
    register(Builtin("keys", [.required("record")], category: "core", doc: "The keys of a record, in order.") { args, _ in
      guard case .record(let r) = args.value("record") else { throw RuntimeError("keys: expected a record") }
      return .list(r.keys.map { .string($0) })
    })
    register(Builtin("append", [.required("list"), .required("value")], category: "core",
                     doc: "A new list with `value` added at the end: `xs = append(xs, 3)`.") { args, _ in
      guard case .list(let xs) = args.value("list") else { throw RuntimeError("append: expected a list") }
      return .list(xs + [args.value("value")])
    })
    register(Builtin("help", [.optional("topic")], category: "core",
                     doc: "help() lists the built-ins by topic; help(name) explains one.") { args, ctx in
      ctx.interpreter.output(ctx.interpreter.help(args.value("topic")))
      return .none
    })
  }

  static func tensorToList(_ t: Tensor) throws -> Value {
    if t.rank == 0 { return .number(Convert.number(try t.item())) }
    return .list(try (0..<t.shape[0]).map { try tensorToList(try t.selected(axis: 0, index: $0)) })
  }

  /// The text of `help(...)` and `:help`.
  public func help(_ topic: Value) -> String {
    switch topic {
    case .none:
      var lines = ["Built-in functions by topic (help(name) explains one):"]
      let byCategory = Dictionary(grouping: builtins.values, by: \.category)
      for category in byCategory.keys.sorted() {
        lines.append("  \(category): " + byCategory[category]!.map(\.name).sorted().joined(separator: ", "))
      }
      lines.append("  commands: " + commands.keys.sorted().joined(separator: ", "))
      lines.append("Tensor properties: " + TensorMembers.propertyNames.joined(separator: ", "))
      return lines.joined(separator: "\n")
    case .string(let name):
      if let b = builtins[name] {
        return "\(b.signature)\n  \(b.doc)" + (b.isTensorMethod ? "\n  Also a tensor method: x.\(name)(...)" : "")
      }
      if let c = commands[name] {
        return "\(c.doc)" + (c.options.isEmpty ? "" : "\n  options: " + c.options.joined(separator: ", "))
      }
      if let (_, doc) = TensorMembers.properties.first(where: { $0.0 == name }) { return "x.\(name): \(doc)" }
      if let v = globals.lookup(name) { return inspect(v) }
      return "no help for `\(name)`" + (Suggestions.hint(for: name, in: Array(builtins.keys) + Array(commands.keys)).map { "; \($0)" } ?? "")
    case .function(let f):
      if case .builtin = f.body { return help(.string(f.name)) }
      return inspect(topic)
    default:
      return inspect(topic)
    }
  }
}
