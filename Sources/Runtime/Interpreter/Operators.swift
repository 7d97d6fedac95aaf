import Foundation
import Language
import TensorEngine

/// The meaning of `+ - * / % ** @` and comparisons on each kind of value.
enum Operators {
  static func negate(_ v: Value) throws -> Value {
    switch v {
    case .number(let x): return .number(-x)
    case .tensor(let t): return .tensor(t.negated())
    default: throw RuntimeError("cannot negate \(Display.describeType(v))")
    }
  }

  static func binary(_ op: BinaryOperator, _ a: Value, _ b: Value) throws -> Value {
    switch (op, a, b) {
    case (.equal, _, _) where !Display.isTensor(a) && !Display.isTensor(b):
      return .bool(equal(a, b))
    case (.notEqual, _, _) where !Display.isTensor(a) && !Display.isTensor(b):
      return .bool(!equal(a, b))
    case (_, .number(let x), .number(let y)):
      return try numbers(op, x, y)
    case (.add, .string(let x), .string(let y)):
      return .string(x + y)
    case (.multiply, .string(let s), .number(let n)), (.multiply, .number(let n), .string(let s)):
      guard n >= 0, n == n.rounded(), n < 1e7 else { throw RuntimeError("a string can be repeated a whole, non-negative number of times") }
      guard Double(s.utf8.count) * n <= 1e8 else { throw RuntimeError("the repeated string would be longer than 100 MB") }
      return .string(String(repeating: s, count: Int(n)))
    case (.add, .list(let x), .list(let y)):
      return .list(x + y)
    case (.less, .string(let x), .string(let y)): return .bool(x < y)
    case (.lessEqual, .string(let x), .string(let y)): return .bool(x <= y)
    case (.greater, .string(let x), .string(let y)): return .bool(x > y)
    case (.greaterEqual, .string(let x), .string(let y)): return .bool(x >= y)
    default:
      break
    }
    guard Display.isTensorLike(a) && Display.isTensorLike(b), Display.isTensor(a) || Display.isTensor(b) || op == .matmul else {
      throw RuntimeError("`\(op.rawValue)` is not defined for \(Display.describeType(a)) and \(Display.describeType(b))")
    }
    return .tensor(try tensors(op, a, b))
  }

  static func numbers(_ op: BinaryOperator, _ x: Double, _ y: Double) throws -> Value {
    switch op {
    case .add: return .number(x + y)
    case .subtract: return .number(x - y)
    case .multiply: return .number(x * y)
    case .divide:
      guard y != 0 else { throw RuntimeError("division by zero") }
      return .number(x / y)
    case .remainder:
      guard y != 0 else { throw RuntimeError("remainder by zero") }
      let r = x.truncatingRemainder(dividingBy: y)
      return .number(r != 0 && (r < 0) != (y < 0) ? r + y : r)  // the sign of the divisor, as in Python
    case .power: return .number(Foundation.pow(x, y))
    case .less: return .bool(x < y)
    case .lessEqual: return .bool(x <= y)
    case .greater: return .bool(x > y)
    case .greaterEqual: return .bool(x >= y)
    case .equal: return .bool(x == y)
    case .notEqual: return .bool(x != y)
    case .matmul: throw RuntimeError("`@` multiplies tensors, not numbers")
    case .and, .or: fatalError("short-circuit operators are evaluated by the interpreter")
    }
  }

  static func tensors(_ op: BinaryOperator, _ a: Value, _ b: Value) throws -> Tensor {
    // A number on one side stays a constant (no broadcast tensor is built).
    if case .number(let y) = b, let x = try? Convert.tensor(a) {
      switch op {
      case .add: return x + Float(y)
      case .subtract: return x - Float(y)
      case .multiply: return x * Float(y)
      case .divide: return x / Float(y)
      case .power: return x.pow(Float(y))
      default: break
      }
    }
    if case .number(let x) = a, let y = try? Convert.tensor(b) {
      switch op {
      case .add: return Float(x) + y
      case .subtract: return Float(x) - y
      case .multiply: return Float(x) * y
      case .divide: return Float(x) / y
      default: break
      }
    }
    let x = try Convert.tensor(a), y = try Convert.tensor(b)
    // Broadcasting can ask for far more elements than either side holds.
    if op != .matmul, let shape = try? Shape.broadcast(x.shape, y.shape, op: op.rawValue) {
      var n = 1
      for d in shape {
        let (product, overflow) = n.multipliedReportingOverflow(by: Swift.max(d, 1))
        guard !overflow, product <= Shape.maximumCount else {
          throw RuntimeError("`\(op.rawValue)` of shapes \(formatShape(x.shape)) and \(formatShape(y.shape)) would have \(formatShape(shape)): too many elements (the limit is 2^31)")
        }
        n = product
      }
    }
    switch op {
    case .add: return try x + y
    case .subtract: return try x - y
    case .multiply: return try x * y
    case .divide: return try x / y
    case .power: return try x.pow(y)
    case .matmul: return try x.matmul(y)
    case .less: return try x .< y
    case .lessEqual: return try x .<= y
    case .greater: return try x .> y
    case .greaterEqual: return try x .>= y
    case .equal: return try x .== y
    case .notEqual: return try x .!= y
    case .remainder: throw RuntimeError("`%` is not defined for tensors")
    case .and, .or: fatalError("short-circuit operators are evaluated by the interpreter")
    }
  }

  /// Structural equality for non-tensor values.
  static func equal(_ a: Value, _ b: Value) -> Bool {
    switch (a, b) {
    case (.none, .none): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.number(let x), .number(let y)): return x == y
    case (.string(let x), .string(let y)): return x == y
    case (.list(let x), .list(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
    case (.record(let x), .record(let y)):
      return x.keys == y.keys && zip(x.fields, y.fields).allSatisfy { equal($0.value, $1.value) }
    case (.range(let a1, let b1), .range(let a2, let b2)): return a1 == a2 && b1 == b2
    case (.function(let f), .function(let g)): return f === g
    case (.object(let o), .object(let p)): return o === p
    default: return false
    }
  }
}

/// Tensor properties reachable with `x.name`.
enum TensorMembers {
  static let properties: [(String, String)] = [
    ("shape", "the size of each axis, as a list"),
    ("rank", "the number of axes"),
    ("dtype", "the element type (always float32)"),
    ("size", "the number of elements"),
    ("T", "the transpose of the last two axes (a view)"),
    ("grad", "the accumulated gradient of a parameter, or none"),
    ("requires_grad", "whether operations on it are recorded for backward()"),
    ("is_leaf", "true for parameters and constants, false for computed results"),
    ("grad_fn", "the operation that produced it, or none"),
  ]
  static var propertyNames: [String] { properties.map(\.0) }

  static func property(_ name: String, of t: Tensor) throws -> Value? {
    switch name {
    case "shape": return .list(t.shape.map { .number(Double($0)) })
    case "rank": return .number(Double(t.rank))
    case "dtype": return .string(t.dtype)
    case "size": return .number(Double(t.count))
    case "T": return .tensor(try t.transposed())
    case "grad": return t.grad.map { .tensor($0) } ?? Value.none
    case "requires_grad": return .bool(t.requiresGrad)
    case "is_leaf": return .bool(t.isLeaf)
    case "grad_fn": return t.gradientFunctionName.map { .string($0) } ?? Value.none
    default: return nil
    }
  }
}
