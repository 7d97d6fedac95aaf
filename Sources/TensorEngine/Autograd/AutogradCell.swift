/// The autograd record shared by every copy of a tensor that requires a gradient.
///
/// A leaf (a parameter) has no `node` and accumulates `grad` across backward calls. A result
/// of an operation has a `node` that knows how to turn the gradient of the result into
/// gradients of the operation's inputs.
final class AutogradCell {
  var node: BackwardNode?
  var grad: Tensor?
  /// Non-leaf results keep their gradient only when asked (`retainGrad()`).
  var retainsGrad = false
  var name: String?

  init(node: BackwardNode?) { self.node = node }

  var isLeaf: Bool { node == nil }
}

/// One recorded operation: its inputs' cells and the closure computing their gradients.
final class BackwardNode {
  let op: String
  let inputs: [AutogradCell?]
  /// Set to nil once used without `retainGraph`, which frees the saved activations.
  var backward: ((Tensor) throws -> [Tensor?])?

  init(op: String, inputs: [AutogradCell?], backward: @escaping (Tensor) throws -> [Tensor?]) {
    self.op = op
    self.inputs = inputs
    self.backward = backward
  }
}
