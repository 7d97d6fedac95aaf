import Language
import TensorEngine

/// A value of the language. Lists and records are values (assigning one copies it, as in
/// the rest of the language); tensors share storage until written (copy-on-write);
/// objects (optimizers, and later tokenizers, datasets and models) are references.
public enum Value {
  case none
  case bool(Bool)
  case number(Double)
  case string(String)
  case list([Value])
  case record(Record)
  /// `start..end`, end excluded.
  case range(Int, Int)
  case tensor(Tensor)
  case function(Callable)
  case object(any RuntimeObject)

  /// The type's name as `type(x)` prints it.
  public var typeName: String {
    switch self {
    case .none: return "none"
    case .bool: return "bool"
    case .number: return "number"
    case .string: return "string"
    case .list: return "list"
    case .record: return "record"
    case .range: return "range"
    case .tensor: return "tensor"
    case .function: return "function"
    case .object(let o): return o.typeName
    }
  }

  /// Truth value for `if`, `while`, `and`, `or`, `not`.
  public func truthy() throws -> Bool {
    switch self {
    case .none: return false
    case .bool(let b): return b
    case .number(let x): return x != 0
    case .string(let s): return !s.isEmpty
    case .list(let xs): return !xs.isEmpty
    case .record(let r): return !r.fields.isEmpty
    case .range(let a, let b): return b > a
    case .tensor(let t):
      guard t.count == 1 else {
        throw RuntimeError("the truth value of a tensor with \(t.count) elements is ambiguous",
                           hint: "reduce it first, for example with `.sum()`, `.max()` or `.item()`")
      }
      return try t.item() != 0
    case .function, .object: return true
    }
  }
}

/// An ordered record `{ key: value }`.
public struct Record {
  public var fields: [(key: String, value: Value)]

  public init(_ fields: [(key: String, value: Value)] = []) { self.fields = fields }

  public subscript(key: String) -> Value? {
    get { fields.first { $0.key == key }?.value }
    set {
      if let i = fields.firstIndex(where: { $0.key == key }) {
        if let newValue { fields[i].value = newValue } else { fields.remove(at: i) }
      } else if let newValue {
        fields.append((key, newValue))
      }
    }
  }

  public var keys: [String] { fields.map(\.key) }
}

/// Something callable: a built-in or a function written in the language.
public final class Callable {
  public enum Body {
    case builtin(Builtin)
    case user(FunctionDeclaration, closure: Environment, file: SourceFile)
  }

  public let name: String
  public let body: Body

  public init(name: String, body: Body) {
    self.name = name
    self.body = body
  }

  public var parameterNames: [String] {
    switch body {
    case .builtin(let b): return b.parameters.map(\.name)
    case .user(let decl, _, _): return decl.parameters.map(\.name.name)
    }
  }

  public var signature: String {
    switch body {
    case .builtin(let b): return b.signature
    case .user(let decl, _, _):
      return "\(name)(" + decl.parameters.map { $0.defaultValue == nil ? $0.name.name : "\($0.name.name): …" }.joined(separator: ", ") + ")"
    }
  }
}
