/// A kind of value beyond numbers, strings, lists and tensors: an optimizer today; a
/// tokenizer, dataset or model later. Its members are listed so that completion, `inspect`
/// and `help` can show them, and reached through `x.name` and `x.name(...)`.
public protocol RuntimeObject: AnyObject {
  var typeName: String { get }
  /// Every property and method, for completion, `inspect` and error suggestions.
  var members: [MemberSpec] { get }
  /// One line, as the REPL shows the value.
  var summary: String { get }
  /// Reads a property.
  func property(_ name: String) throws -> Value
  /// Calls a method with bound arguments.
  func callMethod(_ name: String, _ arguments: BoundArguments, _ context: CallContext) throws -> Value
  /// Extra lines for `show` (statistics, a table); empty by default.
  var details: [String] { get }
}

extension RuntimeObject {
  public var details: [String] { [] }
}

/// A property or method of a value kind.
public struct MemberSpec: Sendable {
  public enum Kind: Sendable { case property, method }
  public var name: String
  public var kind: Kind
  public var parameters: [ParameterSpec]
  public var doc: String

  public static func property(_ name: String, _ doc: String) -> MemberSpec {
    MemberSpec(name: name, kind: .property, parameters: [], doc: doc)
  }

  public static func method(_ name: String, _ parameters: [ParameterSpec] = [], _ doc: String) -> MemberSpec {
    MemberSpec(name: name, kind: .method, parameters: parameters, doc: doc)
  }

  public var signature: String {
    kind == .property ? name : "\(name)(" + parameters.map(\.display).joined(separator: ", ") + ")"
  }
}
