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

  /// Frees the graph behind this cell with a work list. Left to ARC, releasing the node would
  /// release its inputs' cells, whose deinit releases their nodes, and so on: one nest of
  /// stack frames per recorded operation, which overflows the stack for a long chain.
  deinit {
    guard var current = node.take() else { return }
    var work: [BackwardNode] = []  // allocates only once a second node joins
    while true {
      // A node or cell someone else still holds is freed later, by that holder.
      if isKnownUniquelyReferenced(&current) {
        current.backward = nil
        for i in current.inputs.indices where isKnownUniquelyReferenced(&current.inputs[i]) {
          if let next = current.inputs[i]?.node.take() { work.append(next) }
        }
      }
      guard let next = work.popLast() else { return }
      current = next
    }
  }
}

/// One recorded operation: its inputs' cells and the closure computing their gradients.
final class BackwardNode {
  let op: String
  var inputs: [AutogradCell?]  // var only so that the cell's deinit can check uniqueness
  /// Set to nil once used without `retainGraph`, which frees the saved activations.
  var backward: ((Tensor) throws -> [Tensor?])?

  init(op: String, inputs: [AutogradCell?], backward: @escaping (Tensor) throws -> [Tensor?]) {
    self.op = op
    self.inputs = inputs
    self.backward = backward
  }
}
