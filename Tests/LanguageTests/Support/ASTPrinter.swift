import Language

/// The syntax tree as an S-expression, so precedence and associativity read at a glance:
/// `1 + 2 * 3` is `(+ 1 (* 2 3))`.
func sexpr(_ e: Expression) -> String {
  switch e.kind {
  case .number(let x): return x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
  case .string(let s): return s.debugDescription
  case .boolean(let b): return b ? "true" : "false"
  case .none: return "none"
  case .name(let n): return n
  case .list(let items): return "[" + items.map(sexpr).joined(separator: " ") + "]"
  case .record(let r): return record(r)
  case .range(let a, let b): return "(.. \(sexpr(a)) \(sexpr(b)))"
  case .unary(.negate, let x): return "(neg \(sexpr(x)))"
  case .unary(.not, let x): return "(not \(sexpr(x)))"
  case .binary(let op, let a, let b): return "(\(op.rawValue) \(sexpr(a)) \(sexpr(b)))"
  case .call(let callee, let arguments, let trailing):
    var parts = [sexpr(callee)] + arguments.map { ($0.label.map { $0.name + ": " } ?? "") + sexpr($0.value) }
    if let trailing { parts.append("trailing " + record(trailing)) }
    return "(call " + parts.joined(separator: " ") + ")"
  case .member(let base, let name): return "(. \(sexpr(base)) \(name.name))"
  case .index(let base, let subscripts):
    return "(index \(sexpr(base)) " + subscripts.map(subscriptText).joined(separator: " ") + ")"
  }
}

private func record(_ r: RecordLiteral) -> String {
  "{" + r.fields.map { "\($0.key.name): \(sexpr($0.value))" }.joined(separator: ", ") + "}"
}

private func subscriptText(_ s: Subscript) -> String {
  switch s {
  case .index(let e): return sexpr(e)
  case .ellipsis: return "..."
  case .slice(let a, let b, let c): return [a, b, c].map { $0.map(sexpr) ?? "_" }.joined(separator: ":")
  }
}

/// One statement in the same notation.
func sexpr(_ s: Statement) -> String {
  switch s.kind {
  case .letBinding(let name, let value): return "(let \(name.name) \(sexpr(value)))"
  case .assignment(let target, let op, let value): return "(\(op.map { $0.rawValue } ?? "")= \(sexpr(target)) \(sexpr(value)))"
  case .function(let f):
    let params = f.parameters.map { $0.name.name + ($0.defaultValue.map { "=" + sexpr($0) } ?? "") }
    return "(fn \(f.name.name) (\(params.joined(separator: " "))) \(block(f.body)))"
  case .ifElse(let c, let t, let o): return "(if \(sexpr(c)) \(block(t))" + (o.map { " else " + block($0) } ?? "") + ")"
  case .forIn(let name, let seq, let body): return "(for \(name.name) \(sexpr(seq)) \(block(body)))"
  case .whileLoop(let c, let body): return "(while \(sexpr(c)) \(block(body)))"
  case .returnValue(let e): return "(return" + (e.map { " " + sexpr($0) } ?? "") + ")"
  case .breakLoop: return "(break)"
  case .continueLoop: return "(continue)"
  case .importFile(let path): return "(import \(path.debugDescription))"
  case .noGrad(let b): return "(no_grad \(block(b)))"
  case .command(let c):
    var parts = [c.verb.name] + c.operands.map { ($0.preposition.map { $0.name + " " } ?? "") + sexpr($0.value) }
    if let options = c.options { parts.append("options " + record(options)) }
    return "(command " + parts.joined(separator: " ") + ")"
  case .expression(let e): return sexpr(e)
  }
}

private func block(_ b: Block) -> String { "{" + b.statements.map(sexpr).joined(separator: "; ") + "}" }

/// The whole program, one statement per line.
func sexpr(_ p: Program) -> String { p.statements.map(sexpr).joined(separator: "\n") }
