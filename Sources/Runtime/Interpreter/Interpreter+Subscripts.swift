import Language
import Models
import TensorEngine

extension Interpreter {
  /// `value[...]` for lists, strings, records and tensors.
  func index(_ value: Value, _ subscripts: [Subscript], in env: Environment, file: SourceFile) throws -> Value {
    switch value {
    case .tensor(let t):
      return .tensor(try tensorView(t, subscripts, in: env, file: file))
    case .list(let items):
      guard subscripts.count == 1 else {
        // A nested list indexed like a tensor: x[0, 1] means x[0][1].
        let first = try index(value, [subscripts[0]], in: env, file: file)
        return try index(first, Array(subscripts.dropFirst()), in: env, file: file)
      }
      return try indexSequence(items, subscripts[0], in: env, file: file) { .list($0) }
    case .string(let s):
      guard subscripts.count == 1 else { throw RuntimeError("a string takes one index") }
      return try indexSequence(s.map { Value.string(String($0)) }, subscripts[0], in: env, file: file) {
        .string($0.map { if case .string(let c) = $0 { return c } else { return "" } }.joined())
      }
    case .record(let r):
      guard subscripts.count == 1, case .index(let keyExpression) = subscripts[0],
        case .string(let key) = try evaluate(keyExpression, in: env, file: file)
      else { throw RuntimeError("a record is indexed by a key string: `r[\"name\"]`") }
      guard let v = r[key] else {
        throw RuntimeError("the record has no key `\(key)`", hint: Suggestions.hint(for: key, in: r.keys))
      }
      return v
    case .range(let a, let b):
      return try index(.list(Ranges.numbers(a, b).map { .number(Double($0)) }), subscripts, in: env, file: file)
    case .object(let o as RecordsObject):
      // records[i] is one record's value; records[a:b] are records again (the first 200
      // prompts: `tasks.prompts[0:200]`).
      guard subscripts.count == 1 else { throw RuntimeError("records take one index or slice") }
      let positions = o.file.records.indices.map { Value.number(Double($0)) }
      let picked = try indexSequence(positions, subscripts[0], in: env, file: file) { .list($0) }
      func record(_ v: Value) -> DataRecord? { if case .number(let i) = v { return o.file.records[Int(i)] } else { return nil } }
      if case .list(let items) = picked {
        let chosen = items.compactMap(record)
        guard !chosen.isEmpty else { throw RuntimeError("the slice of \(o.file.name) holds no records") }
        return .object(RecordsObject(try JSONLFile(name: o.file.name, records: chosen)))
      }
      return record(picked).map(RecordsObject.value) ?? .none
    default:
      throw RuntimeError("\(Display.describeType(value)) cannot be indexed")
    }
  }

  func indexSequence(_ items: [Value], _ sub: Subscript, in env: Environment, file: SourceFile, rebuild: ([Value]) -> Value) throws -> Value {
    switch sub {
    case .index(let e):
      let i = try integer(evaluate(e, in: env, file: file), what: "an index")
      let j = i < 0 ? i + items.count : i
      guard j >= 0 && j < items.count else {
        throw RuntimeError("index \(i) is out of range for a sequence of length \(items.count)")
      }
      return items[j]
    case .slice(let start, let end, let step):
      let n = items.count
      let st = try step.map { try integer(evaluate($0, in: env, file: file), what: "a slice step") } ?? 1
      guard st != 0 else { throw RuntimeError("slice step cannot be zero") }
      func bound(_ e: Expression?, _ fallback: Int) throws -> Int {
        guard let e else { return fallback }
        let v = try integer(evaluate(e, in: env, file: file), what: "a slice bound")
        let w = v < 0 ? v + n : v
        return st > 0 ? Swift.min(Swift.max(w, 0), n) : Swift.min(Swift.max(w, -1), n - 1)
      }
      let lo = try bound(start, st > 0 ? 0 : n - 1)
      let hi = try bound(end, st > 0 ? n : -1)
      var out: [Value] = []
      var i = lo
      while st > 0 ? i < hi : i > hi {
        out.append(items[i])
        i += st
      }
      return rebuild(out)
    case .ellipsis:
      return rebuild(items)
    }
  }

  /// Applies `x[0, :, 1:3]`, `x[..., -1]` as engine views (no copy).
  func tensorView(_ t: Tensor, _ subscripts: [Subscript], in env: Environment, file: SourceFile) throws -> Tensor {
    let ellipses = subscripts.filter { if case .ellipsis = $0 { return true } else { return false } }.count
    guard ellipses <= 1 else { throw RuntimeError("at most one `...` in a subscript") }
    let explicit = subscripts.count - ellipses
    guard explicit <= t.rank else {
      throw RuntimeError("too many indices (\(explicit)) for a tensor of rank \(t.rank) and shape \(formatShape(t.shape))")
    }
    var expanded: [Subscript] = []
    for s in subscripts {
      if case .ellipsis = s {
        expanded += Array(repeating: .slice(start: nil, end: nil, step: nil), count: t.rank - explicit)
      } else {
        expanded.append(s)
      }
    }
    var result = t
    var axis = 0
    for s in expanded {
      switch s {
      case .index(let e):
        let v = try evaluate(e, in: env, file: file)
        let i = try integer(v, what: "a tensor index")
        result = try result.selected(axis: axis, index: i)
      case .slice(let start, let end, let step):
        func part(_ e: Expression?) throws -> Int? {
          try e.map { try integer(evaluate($0, in: env, file: file), what: "a slice bound") }
        }
        result = try result.sliced(axis: axis, start: part(start), end: part(end), step: part(step) ?? 1)
        axis += 1
      case .ellipsis:
        break
      }
    }
    return result
  }

  /// The container with one element replaced: `xs[2] = 5`, `r["k"] = v`, `t[0, 1] = 3`.
  func assignElement(_ value: Value, in container: Value, _ subscripts: [Subscript], in env: Environment, file: SourceFile) throws -> Value {
    switch container {
    case .list(var items):
      guard case .index(let e) = subscripts[0] else { throw RuntimeError("assigning to a slice of a list is not supported") }
      let i = try integer(evaluate(e, in: env, file: file), what: "an index")
      let j = i < 0 ? i + items.count : i
      guard j >= 0 && j < items.count else { throw RuntimeError("index \(i) is out of range for a list of length \(items.count)") }
      if subscripts.count > 1 {
        items[j] = try assignElement(value, in: items[j], Array(subscripts.dropFirst()), in: env, file: file)
      } else {
        items[j] = value
      }
      return .list(items)
    case .record(var r):
      guard subscripts.count == 1, case .index(let e) = subscripts[0], case .string(let key) = try evaluate(e, in: env, file: file) else {
        throw RuntimeError("a record is indexed by a key string: `r[\"name\"]`")
      }
      r[key] = value
      return .record(r)
    case .tensor(var t):
      var index: [Int] = []
      for s in subscripts {
        guard case .index(let e) = s else {
          throw RuntimeError("only single elements of a tensor can be assigned (`t[0, 1] = 3`)",
                             hint: "build a new tensor instead, for example with `where(mask, a, b)`")
        }
        index.append(try integer(evaluate(e, in: env, file: file), what: "a tensor index"))
      }
      guard case .number(let x) = value else { throw RuntimeError("a tensor element must be a number, got \(Display.describeType(value))") }
      guard !t.requiresGrad || !GradMode.isEnabled else {
        throw RuntimeError("cannot write into a tensor that takes part in differentiation",
                           hint: "write into a detached copy (`x.detach()`), or inside `no_grad { }`")
      }
      try t.setElement(Float(x), at: index)
      return .tensor(t)
    default:
      throw RuntimeError("\(Display.describeType(container)) does not support element assignment")
    }
  }
}
