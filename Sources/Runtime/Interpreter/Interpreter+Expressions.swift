import Language
import TensorEngine

extension Interpreter {
  /// Evaluates an expression; errors without a location get this expression's range.
  public func evaluate(_ e: Expression, in env: Environment, file: SourceFile) throws -> Value {
    // Recursion through user functions nests expressions without bound: stop before the stack does.
    if StackGuard.isNearlyFull() {
      throw RuntimeError("nested too deeply: out of stack space", hint: "calls are \(callDepth) deep here; is a function recursing without end?", at: (file, e.range))
    }
    do {
      return try evaluateUnlocated(e, in: env, file: file)
    } catch var error as RuntimeError {
      if error.location == nil { error.location = (file, e.range) }
      throw error
    } catch let error as TensorError {
      throw RuntimeError(error.description, at: (file, e.range))
    }
  }

  private func evaluateUnlocated(_ e: Expression, in env: Environment, file: SourceFile) throws -> Value {
    switch e.kind {
    case .number(let x): return .number(x)
    case .string(let s): return .string(s)
    case .boolean(let b): return .bool(b)
    case .none: return .none
    case .name(let name):
      if let v = env.lookup(name) { return v }
      if builtins[name] != nil { return .function(Callable(name: name, body: .builtin(builtins[name]!))) }
      throw RuntimeError("unknown name `\(name)`", hint: Suggestions.hint(for: name, in: env.allNames + predefinedNames))
    case .list(let items):
      return .list(try items.map { try evaluate($0, in: env, file: file) })
    case .record(let literal):
      return .record(try evaluateRecord(literal, in: env, file: file))
    case .range(let a, let b):
      let lo = try integer(evaluate(a, in: env, file: file), what: "a range's start")
      let hi = try integer(evaluate(b, in: env, file: file), what: "a range's end")
      return .range(lo, hi)
    case .unary(.negate, let operand):
      return try Operators.negate(evaluate(operand, in: env, file: file))
    case .unary(.not, let operand):
      return .bool(!(try evaluate(operand, in: env, file: file).truthy()))
    case .binary(.and, let a, let b):
      guard try evaluate(a, in: env, file: file).truthy() else { return .bool(false) }
      return .bool(try evaluate(b, in: env, file: file).truthy())
    case .binary(.or, let a, let b):
      if try evaluate(a, in: env, file: file).truthy() { return .bool(true) }
      return .bool(try evaluate(b, in: env, file: file).truthy())
    case .binary(let op, let a, let b):
      let left = try evaluate(a, in: env, file: file)
      let right = try evaluate(b, in: env, file: file)
      return try Operators.binary(op, left, right)
    case .call(let callee, let arguments, let trailing):
      return try evaluateCall(callee, arguments, trailing, range: e.range, in: env, file: file)
    case .member(let base, let member):
      return try self.member(member.name, of: evaluate(base, in: env, file: file), range: member.range, file: file)
    case .index(let base, let subscripts):
      let value = try evaluate(base, in: env, file: file)
      return try index(value, subscripts, in: env, file: file)
    }
  }

  func evaluateRecord(_ literal: RecordLiteral, in env: Environment, file: SourceFile) throws -> Record {
    Record(try literal.fields.map { ($0.key.name, try evaluate($0.value, in: env, file: file)) })
  }

  func integer(_ v: Value, what: String) throws -> Int {
    guard case .number(let x) = v else { throw RuntimeError("\(what) must be a whole number, got \(Display.describeType(v))") }
    guard x == x.rounded(), Swift.abs(x) < 1e15 else { throw RuntimeError("\(what) must be a whole number, got \(Display.number(x))") }
    return Int(x)
  }

  // MARK: Members

  /// `value.name` as a property (methods are handled by calls). Errors point at `name`.
  func member(_ name: String, of value: Value, range: SourceRange, file: SourceFile) throws -> Value {
    do {
      return try memberUnlocated(name, of: value)
    } catch var error as RuntimeError {
      if error.location == nil { error.location = (file, range) }
      throw error
    }
  }

  private func memberUnlocated(_ name: String, of value: Value) throws -> Value {
    switch value {
    case .tensor(let t):
      if let v = try TensorMembers.property(name, of: t) { return v }
      if let builtin = builtins[name], builtin.isTensorMethod {
        throw RuntimeError("`\(name)` is a method of tensors", hint: "call it: `.\(name)()`")
      }
      throw RuntimeError("a tensor has no member `\(name)`",
                         hint: Suggestions.hint(for: name, in: TensorMembers.propertyNames + tensorMethodNames))
    case .record(let r):
      if let v = r[name] { return v }
      throw RuntimeError("the record has no key `\(name)`", hint: Suggestions.hint(for: name, in: r.keys) ?? "its keys: \(r.keys.joined(separator: ", "))")
    case .object(let o):
      if o.members.contains(where: { $0.name == name && $0.kind == .property }) { return try o.property(name) }
      if o.members.contains(where: { $0.name == name }) {
        throw RuntimeError("`\(name)` is a method of \(o.typeName)", hint: "call it: `.\(name)()`")
      }
      throw RuntimeError("\(o.typeName) has no member `\(name)`", hint: Suggestions.hint(for: name, in: o.members.map(\.name)) ?? commandHint(name))
    case .list(let items) where name == "length":
      return .number(Double(items.count))
    case .string(let s) where name == "length":
      return .number(Double(s.count))
    default:
      throw RuntimeError("\(Display.describeType(value)) has no member `\(name)`")
    }
  }

  var tensorMethodNames: [String] { builtins.values.filter(\.isTensorMethod).map(\.name) }

  // MARK: Assignment

  /// `target = value` for a name, a record field, a list element or a tensor element.
  func assign(_ value: Value, to target: Expression, in env: Environment, file: SourceFile) throws {
    switch target.kind {
    case .name(let name):
      guard env.assign(name, value) else {
        throw RuntimeError("`\(name)` is not defined", hint: "create it with `let \(name) = ...`", at: (file, target.range))
      }
    case .member(let base, let member):
      var container = try evaluate(base, in: env, file: file)
      guard case .record(var record) = container else {
        throw RuntimeError("cannot assign to `.\(member.name)` of \(Display.describeType(container))", at: (file, target.range))
      }
      record[member.name] = value
      container = .record(record)
      try assign(container, to: base, in: env, file: file)
    case .index(let base, let subscripts):
      let container = try evaluate(base, in: env, file: file)
      let updated = try assignElement(value, in: container, subscripts, in: env, file: file)
      try assign(updated, to: base, in: env, file: file)
    default:
      throw RuntimeError("cannot assign to this expression", at: (file, target.range))
    }
  }
}
