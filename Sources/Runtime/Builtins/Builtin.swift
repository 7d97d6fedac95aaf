import Language
import TensorEngine

/// A parameter of a built-in function or method.
public struct ParameterSpec: Sendable {
  public var name: String
  /// Shown in signatures; nil means the parameter is required.
  public var defaultText: String?
  /// Takes every remaining positional argument (`zeros(2, 3, 4)`).
  public var variadic: Bool

  public static func required(_ name: String) -> ParameterSpec { ParameterSpec(name: name, defaultText: nil, variadic: false) }
  public static func optional(_ name: String, _ defaultText: String = "none") -> ParameterSpec {
    ParameterSpec(name: name, defaultText: defaultText, variadic: false)
  }
  public static func variadic(_ name: String) -> ParameterSpec { ParameterSpec(name: name, defaultText: "", variadic: true) }

  public var isRequired: Bool { defaultText == nil }
  public var display: String {
    if variadic { return "\(name)..." }
    return defaultText.map { "\(name): \($0)" } ?? name
  }
}

/// A function provided by the runtime.
public struct Builtin {
  public var name: String
  public var parameters: [ParameterSpec]
  public var doc: String
  /// The help topic it is listed under ("tensors", "autograd", "core", ...).
  public var category: String
  /// Also callable as a method of its first argument: `x.mean(axis: 0)` is `mean(x, axis: 0)`.
  public var isTensorMethod: Bool
  public var run: (BoundArguments, CallContext) throws -> Value

  public init(
    _ name: String, _ parameters: [ParameterSpec], category: String, method: Bool = false, doc: String,
    run: @escaping (BoundArguments, CallContext) throws -> Value
  ) {
    self.name = name
    self.parameters = parameters
    self.doc = doc
    self.category = category
    self.isTensorMethod = method
    self.run = run
  }

  public var signature: String { "\(name)(" + parameters.map(\.display).joined(separator: ", ") + ")" }
}

/// Where a built-in is being called from: for errors, output and nested calls.
public struct CallContext {
  public let interpreter: Interpreter
  public let file: SourceFile
  public let range: SourceRange
}

/// Arguments matched to a built-in's parameters, with typed accessors whose errors name the
/// function and the parameter.
public struct BoundArguments {
  public let function: String
  public var values: [String: Value]
  public var rest: [Value]

  public func has(_ name: String) -> Bool {
    if let v = values[name], case .none = v { return false }
    return values[name] != nil
  }

  public func value(_ name: String) -> Value { values[name] ?? .none }

  func typeError(_ name: String, _ expected: String, _ got: Value) -> RuntimeError {
    RuntimeError("\(function): `\(name)` must be \(expected), got \(Display.describeType(got))")
  }

  public func tensor(_ name: String) throws -> Tensor {
    let v = value(name)
    guard Display.isTensorLike(v) else { throw typeError(name, "a tensor (or a number or a list of numbers)", v) }
    // A list or range that does not make a tensor says why: ragged rows, a string inside, too long.
    return try Convert.tensor(v)
  }

  public func optionalTensor(_ name: String) throws -> Tensor? { has(name) ? try tensor(name) : nil }

  public func number(_ name: String) throws -> Double {
    switch value(name) {
    case .number(let x): return x
    case .bool(let b): return b ? 1 : 0
    case .tensor(let t) where t.count == 1: return Double(try t.item())
    case let other: throw typeError(name, "a number", other)
    }
  }

  public func optionalNumber(_ name: String) throws -> Double? { has(name) ? try number(name) : nil }

  public func float(_ name: String, default d: Float) throws -> Float { has(name) ? Float(try number(name)) : d }

  public func int(_ name: String) throws -> Int {
    let x = try number(name)
    guard x == x.rounded(), Swift.abs(x) < 1e15 else { throw RuntimeError("\(function): `\(name)` must be a whole number, got \(Display.number(x))") }
    return Int(x)
  }

  public func optionalInt(_ name: String) throws -> Int? { has(name) ? try int(name) : nil }
  public func int(_ name: String, default d: Int) throws -> Int { has(name) ? try int(name) : d }

  public func bool(_ name: String, default d: Bool) throws -> Bool {
    guard has(name) else { return d }
    switch value(name) {
    case .bool(let b): return b
    case let other: throw typeError(name, "true or false", other)
    }
  }

  public func string(_ name: String) throws -> String {
    switch value(name) {
    case .string(let s): return s
    case let other: throw typeError(name, "a string", other)
    }
  }

  /// A list of whole numbers, or one whole number, or the variadic rest (`reshape(x, 2, 3)`).
  public func ints(_ name: String) throws -> [Int] {
    try Convert.ints(value(name), what: "\(function): `\(name)`")
  }

  /// Axis arguments: one number, a list of numbers, or none (all axes).
  public func axes(_ name: String) throws -> [Int]? {
    has(name) ? try ints(name) : nil
  }

  public var restInts: [Int] {
    get throws { try rest.flatMap { try Convert.ints($0, what: "\(function): shape") } }
  }
}

/// Conversions between language values and engine values.
public enum Convert {
  /// A float32 result as a language number, by its shortest decimal form: 0.1 as float32 is
  /// 0.100000001490116…, which would print as 0.1000000015; this gives 0.1.
  public static func number(_ x: Float) -> Double {
    Double(x.description) ?? Double(x)
  }

  public static func tensor(_ v: Value) throws -> Tensor {
    switch v {
    case .tensor(let t): return t
    case .number(let x): return Tensor(scalar: Float(x))
    case .bool(let b): return Tensor(scalar: b ? 1 : 0)
    case .list, .range: return try Tensor(nested: nested(v))
    default: throw RuntimeError("expected a tensor, got \(Display.describeType(v))")
    }
  }

  static func nested(_ v: Value) throws -> NestedValues {
    switch v {
    case .number(let x): return .scalar(Float(x))
    case .bool(let b): return .scalar(b ? 1 : 0)
    case .tensor(let t) where t.rank == 0: return .scalar(try t.item())
    case .list(let items): return .list(try items.map(nested))
    case .range(let a, let b): return .list(try Ranges.numbers(a, b).map { .scalar(Float($0)) })
    default: throw RuntimeError("a tensor literal holds numbers only, not \(Display.describeType(v))")
    }
  }

  public static func ints(_ v: Value, what: String) throws -> [Int] {
    func one(_ x: Double) throws -> Int {
      guard x == x.rounded(), Swift.abs(x) < 1e15 else { throw RuntimeError("\(what) must hold whole numbers, got \(Display.number(x))") }
      return Int(x)
    }
    switch v {
    case .number(let x): return [try one(x)]
    case .list(let items):
      return try items.map { item in
        guard case .number(let x) = item else { throw RuntimeError("\(what) must hold whole numbers, got \(Display.describeType(item))") }
        return try one(x)
      }
    case .range(let a, let b): return Array(try Ranges.numbers(a, b))
    case .tensor(let t) where t.rank <= 1: return try t.toArray().map { try one(Double($0)) }
    default: throw RuntimeError("\(what) must be a whole number or a list of them, got \(Display.describeType(v))")
    }
  }
}
