/// A scope of names. Functions capture the scope they were defined in; a call gets a new
/// scope whose parent is that captured one.
public final class Environment {
  public private(set) var values: [String: Value] = [:]
  public let parent: Environment?

  public init(parent: Environment? = nil) { self.parent = parent }

  public func lookup(_ name: String) -> Value? {
    var scope: Environment? = self
    while let s = scope {
      if let v = s.values[name] { return v }
      scope = s.parent
    }
    return nil
  }

  /// `let`: creates (or replaces) the name in this scope.
  public func define(_ name: String, _ value: Value) { values[name] = value }

  /// Assignment: updates the nearest scope holding the name; false when none does.
  @discardableResult
  public func assign(_ name: String, _ value: Value) -> Bool {
    var scope: Environment? = self
    while let s = scope {
      if s.values[name] != nil {
        s.values[name] = value
        return true
      }
      scope = s.parent
    }
    return false
  }

  public func remove(_ name: String) { values[name] = nil }
  public func removeAll() { values = [:] }

  /// Every visible name, innermost scopes first.
  public var allNames: [String] {
    var names: [String] = []
    var scope: Environment? = self
    while let s = scope {
      names += s.values.keys
      scope = s.parent
    }
    return names
  }
}
