import Language
import TensorEngine

extension Interpreter {
  func evaluateCall(
    _ callee: Expression, _ arguments: [Argument], _ trailing: RecordLiteral?, range: SourceRange,
    in env: Environment, file: SourceFile
  ) throws -> Value {
    var positional: [Value] = []
    var labeled: [(Identifier, Value)] = []
    for a in arguments {
      let v = try evaluate(a.value, in: env, file: file)
      if let label = a.label { labeled.append((label, v)) } else { positional.append(v) }
    }
    // A trailing `{ key: value }` block passes its fields as named arguments.
    if let trailing {
      for f in trailing.fields { labeled.append((f.key, try evaluate(f.value, in: env, file: file))) }
    }
    let context = CallContext(interpreter: self, file: file, range: range)

    // Method call: `x.name(...)`.
    if case .member(let baseExpression, let member) = callee.kind {
      let base = try evaluate(baseExpression, in: env, file: file)
      switch base {
      case .object(let o):
        guard let spec = o.members.first(where: { $0.name == member.name }) else {
          throw RuntimeError("\(o.typeName) has no member `\(member.name)`",
                             hint: Suggestions.hint(for: member.name, in: o.members.map(\.name)) ?? commandHint(member.name), at: (file, member.range))
        }
        guard spec.kind == .method else {
          throw RuntimeError("`\(member.name)` is a property of \(o.typeName), not a method", hint: "drop the parentheses", at: (file, range))
        }
        let bound = try bind(o.typeName + "." + member.name, spec.parameters, positional, labeled, file: file)
        return try o.callMethod(member.name, bound, context)
      case .record(let r) where r[member.name] != nil:
        return try callValue(r[member.name]!, positional, labeled, context, name: member.name)
      default:
        if let builtin = builtins[member.name], builtin.isTensorMethod, Display.isTensorLike(base) {
          return try call(builtin, [base] + positional, labeled, context)
        }
        if case .tensor = base {
          throw RuntimeError("a tensor has no method `\(member.name)`",
                             hint: Suggestions.hint(for: member.name, in: tensorMethodNames + TensorMembers.propertyNames), at: (file, member.range))
        }
        let value = try self.member(member.name, of: base, range: member.range, file: file)
        return try callValue(value, positional, labeled, context, name: member.name)
      }
    }
    let function = try evaluate(callee, in: env, file: file)
    var name = "function"
    if case .name(let n) = callee.kind { name = n }
    return try callValue(function, positional, labeled, context, name: name)
  }

  func callValue(_ value: Value, _ positional: [Value], _ labeled: [(Identifier, Value)], _ context: CallContext, name: String) throws -> Value {
    guard case .function(let callable) = value else {
      throw RuntimeError("`\(name)` is \(Display.describeType(value)), which cannot be called")
    }
    switch callable.body {
    case .builtin(let b):
      return try call(b, positional, labeled, context)
    case .user(let decl, let closure, let declFile):
      return try callUser(callable.name, decl, closure, declFile, positional, labeled, context)
    }
  }

  public func call(_ builtin: Builtin, _ positional: [Value], _ labeled: [(Identifier, Value)], _ context: CallContext) throws -> Value {
    let bound = try bind(builtin.name, builtin.parameters, positional, labeled, file: context.file)
    do {
      return try builtin.run(bound, context)
    } catch let error as TensorError {
      throw RuntimeError(error.description)
    }
  }

  /// Matches arguments to parameters: positional in order (a variadic parameter takes the
  /// rest), then by name. Unknown names get a suggestion; missing ones name the signature.
  func bind(_ function: String, _ parameters: [ParameterSpec], _ positional: [Value], _ labeled: [(Identifier, Value)], file: SourceFile) throws -> BoundArguments {
    var values: [String: Value] = [:]
    var rest: [Value] = []
    var index = 0
    for p in parameters {
      if p.variadic {
        rest = Array(positional[Swift.min(index, positional.count)...])
        index = positional.count
        break
      }
      if index < positional.count {
        values[p.name] = positional[index]
        index += 1
      }
    }
    let signature = "\(function)(" + parameters.map(\.display).joined(separator: ", ") + ")"
    if index < positional.count {
      throw RuntimeError("`\(function)` takes at most \(parameters.count) positional argument\(parameters.count == 1 ? "" : "s"), got \(positional.count)",
                         hint: "its signature: \(signature)")
    }
    for (label, v) in labeled {
      guard parameters.contains(where: { $0.name == label.name && !$0.variadic }) else {
        throw RuntimeError("`\(function)` has no parameter `\(label.name)`",
                           hint: Suggestions.hint(for: label.name, in: parameters.map(\.name)) ?? "its signature: \(signature)",
                           at: (file, label.range))
      }
      guard values[label.name] == nil else {
        throw RuntimeError("`\(function)`: `\(label.name)` is given twice", at: (file, label.range))
      }
      values[label.name] = v
    }
    for p in parameters where p.isRequired && !p.variadic && values[p.name] == nil {
      throw RuntimeError("`\(function)` needs `\(p.name)`", hint: "its signature: \(signature)")
    }
    return BoundArguments(function: function, values: values, rest: rest)
  }

  func callUser(
    _ name: String, _ decl: FunctionDeclaration, _ closure: Environment, _ declFile: SourceFile,
    _ positional: [Value], _ labeled: [(Identifier, Value)], _ context: CallContext
  ) throws -> Value {
    guard callDepth < Interpreter.maximumCallDepth else {
      throw RuntimeError("too many nested calls (more than \(Interpreter.maximumCallDepth))", hint: "is `\(name)` recursing without end?")
    }
    let scope = Environment(parent: closure)
    let specs = decl.parameters.map { ParameterSpec(name: $0.name.name, defaultText: $0.defaultValue == nil ? nil : "…", variadic: false) }
    let bound = try bind(name, specs, positional, labeled, file: context.file)
    for p in decl.parameters {
      if let v = bound.values[p.name.name] {
        scope.define(p.name.name, v)
      } else if let d = p.defaultValue {
        scope.define(p.name.name, try evaluate(d, in: closure, file: declFile))
      }
    }
    callDepth += 1
    defer { callDepth -= 1 }
    do {
      try executeBlock(decl.body, in: scope, file: declFile)
      return .none
    } catch ControlFlow.returning(let v) {
      return v
    } catch ControlFlow.breaking, ControlFlow.continuing {
      throw RuntimeError("`break` or `continue` outside a loop in `\(name)`")
    } catch var error as RuntimeError {
      error.trace.append((name, context.file, context.range))
      throw error
    }
  }
}

extension Interpreter {
  /// "`save` is a command: ..." when a student writes a command as a method (`m.save(...)`).
  func commandHint(_ name: String) -> String? {
    guard let spec = commands[name] else { return nil }
    return "`\(name)` is a command, not a method: \(spec.doc.components(separatedBy: " — ").first ?? spec.name)"
  }
}
