import Foundation
import TensorEngine

/// How values appear: in the REPL, in `print`, in error messages.
public enum Display {
  public static func isTensor(_ v: Value) -> Bool {
    if case .tensor = v { return true }
    return false
  }

  /// Values that convert to a tensor: tensors, numbers, booleans, lists of numbers.
  public static func isTensorLike(_ v: Value) -> Bool {
    switch v {
    case .tensor, .number, .bool, .list, .range: return true
    default: return false
    }
  }

  /// "a tensor of shape [2, 3]", "a string", "none": for messages.
  public static func describeType(_ v: Value) -> String {
    switch v {
    case .none: return "none"
    case .bool: return "a boolean"
    case .number: return "a number"
    case .string: return "a string"
    case .list(let xs): return "a list of \(xs.count)"
    case .record: return "a record"
    case .range: return "a range"
    case .tensor(let t): return "a tensor of shape \(formatShape(t.shape))"
    case .function(let f): return "the function `\(f.name)`"
    case .object(let o): return ("aeiou".contains(o.typeName.prefix(1)) ? "an " : "a ") + o.typeName
    }
  }

  /// Whole numbers without a fraction; others with up to 10 significant digits.
  public static func number(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == x.rounded() && Swift.abs(x) < 1e15 { return String(Int64(x)) }
    var s = String(format: "%.10g", x)
    if s.contains("e") { return s }
    while s.contains(".") && s.hasSuffix("0") { s.removeLast() }
    return s
  }

  /// The text the REPL shows for a value, and `print` writes.
  public static func format(_ v: Value, nested: Bool = false) -> String {
    switch v {
    case .none: return "none"
    case .bool(let b): return b ? "true" : "false"
    case .number(let x): return number(x)
    case .string(let s): return nested ? quoted(s) : s
    case .list(let xs): return "[" + xs.map { format($0, nested: true) }.joined(separator: ", ") + "]"
    case .record(let r): return "{" + r.fields.map { "\($0.key): \(format($0.value, nested: true))" }.joined(separator: ", ") + "}"
    case .range(let a, let b): return "\(a)..\(b)"
    case .tensor(let t): return nested ? "tensor \(formatShape(t.shape))" : TensorFormatter().format(t)
    case .function(let f): return "<function \(f.signature)>"
    case .object(let o): return o.summary
    }
  }

  static func quoted(_ s: String) -> String {
    var out = "\""
    for c in s {
      switch c {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      default: out.append(c)
      }
    }
    return out + "\""
  }
}
