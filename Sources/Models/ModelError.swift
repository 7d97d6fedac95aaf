/// An error from a model, dataset or checkpoint: what is wrong and, where known, which file.
public struct ModelError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ description: String) { self.description = description }
}
