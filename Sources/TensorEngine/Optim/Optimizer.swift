/// Something that updates parameters from their accumulated gradients.
///
/// Parameters are `Tensor`s made with `requiringGrad()`. Updates write into the parameter's
/// own storage, so every copy of that parameter (in a model, in a variable of the language)
/// sees the new values, as in PyTorch.
public protocol Optimizer: AnyObject {
  var parameters: [Tensor] { get }
  var learningRate: Float { get set }
  /// Number of completed `step()` calls.
  var stepCount: Int { get }
  /// Applies one update from the current gradients. Parameters without a gradient are skipped.
  func step() throws
}

extension Optimizer {
  /// Clears every parameter's gradient.
  public func zeroGrad() {
    let region = Profiler.begin(.optimizer); defer { Profiler.end(region) }
    for p in parameters { p.zeroGrad() }
  }
}

/// Checks that every tensor handed to an optimizer is a trainable parameter it can update.
func validateParameters(_ parameters: [Tensor], op: String) throws {
  for (i, p) in parameters.enumerated() {
    guard p.requiresGrad && p.isLeaf else {
      throw TensorError.invalidArgument(
        op: op, message: "parameter \(i) (shape \(formatShape(p.shape))) is not trainable: create it with param(...) / requiringGrad()")
    }
  }
}

/// The gradient of `p`, checked against its shape and made contiguous.
func gradient(of p: Tensor, op: String) throws -> Tensor? {
  guard let g = p.grad else { return nil }
  guard g.shape == p.shape else {
    throw TensorError.shapeMismatch(op: op, shapes: [p.shape, g.shape], reason: "differ: a gradient must have its parameter's shape")
  }
  return g.contiguous()
}
