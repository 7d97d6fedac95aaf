/// Recording operations and walking the graph backwards.
enum Autograd {
  /// Attaches a backward node to `output` when gradients are being recorded and any input
  /// requires a gradient; otherwise returns `output` untouched.
  ///
  /// `backward` receives the gradient of `output` and returns one gradient per input (nil
  /// where an input needs none), each of that input's shape. Closures must capture saved
  /// outputs detached, or the output's cell would keep itself alive through its own node.
  @inline(__always)
  static func record(
    _ output: Tensor, inputs: [Tensor], op: String,
    backward: @escaping (Tensor) throws -> [Tensor?]
  ) -> Tensor {
    guard GradMode.isEnabled else { return output }
    var any = false
    for t in inputs where t.autograd != nil { any = true; break }
    guard any else { return output }
    var result = output
    result.autograd = AutogradCell(
      node: BackwardNode(op: op, inputs: inputs.map(\.autograd), backward: backward))
    return result
  }

  /// Reverse-mode differentiation from `root`, seeded with `seed`.
  ///
  /// The graph is ordered by an iterative depth-first search (no recursion, so a graph of
  /// any depth works), then visited in reverse topological order. Gradients reaching a leaf
  /// are added to what it already holds, so several backward calls accumulate.
  static func backward(from root: AutogradCell, seed: Tensor, retainGraph: Bool) throws {
    // Post-order DFS with an explicit stack.
    var order: [AutogradCell] = []
    var visited = Set<ObjectIdentifier>()
    var stack: [(cell: AutogradCell, expanded: Bool)] = [(root, false)]
    while let (cell, expanded) = stack.popLast() {
      if expanded { order.append(cell); continue }
      let id = ObjectIdentifier(cell)
      if visited.contains(id) { continue }
      visited.insert(id)
      stack.append((cell, true))
      if let node = cell.node {
        for case let input? in node.inputs where !visited.contains(ObjectIdentifier(input)) {
          stack.append((input, false))
        }
      }
    }

    var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
    try GradMode.withoutGradients {
      for cell in order.reversed() {
        guard let g = pending.removeValue(forKey: ObjectIdentifier(cell)) else { continue }
        guard let node = cell.node else {
          cell.grad = accumulate(cell.grad, g)
          continue
        }
        if cell.retainsGrad { cell.grad = accumulate(cell.grad, g) }
        guard let backward = node.backward else {
          throw TensorError.notDifferentiable(
            op: "backward",
            message: "the graph through '\(node.op)' was already used by an earlier backward();"
              + " pass retainGraph: true to walk it twice")
        }
        let grads = try Profiler.measure(operation: node.op) { try backward(g) }
        if !retainGraph { node.backward = nil }
        for (input, grad) in zip(node.inputs, grads) {
          guard let input, let grad else { continue }
          let id = ObjectIdentifier(input)
          pending[id] = accumulate(pending.removeValue(forKey: id), grad)
        }
      }
    }
  }

  /// `existing + g`, adding in place when `existing` owns its storage alone.
  static func accumulate(_ existing: Tensor?, _ g: Tensor) -> Tensor {
    guard var sum = existing else { return g.detached() }
    precondition(sum.shape == g.shape, "gradient shape \(g.shape) for a tensor of shape \(sum.shape)")
    sum.autograd = nil
    sum.makeUniqueContiguous()
    Kernels.addInPlace(sum.base, g.contiguous(), count: sum.count)
    return sum
  }
}

extension Tensor {
  /// A trainable leaf tensor: operations on it are recorded and `backward()` fills `grad`.
  public func requiringGrad(name: String? = nil) -> Tensor {
    var t = detached().isContiguous ? detached() : contiguous().detached()
    if t.storage.count != t.count || t.offset != 0 {
      let copy = Tensor(uninitializedShape: shape)
      Kernels.copyStrided(from: t, into: copy.base)
      t = copy
    }
    let cell = AutogradCell(node: nil)
    cell.name = name
    t.autograd = cell
    return t
  }

  /// Whether this tensor takes part in differentiation.
  public var requiresGrad: Bool { autograd != nil }

  /// True for parameters and for tensors that need no gradient; false for recorded results.
  public var isLeaf: Bool { autograd?.isLeaf ?? true }

  /// The name given to a parameter, if any.
  public var parameterName: String? { autograd?.name }

  /// The operation that produced this tensor, for display ("matmul", "add", ...).
  public var gradientFunctionName: String? { autograd?.node?.op }

  /// The accumulated gradient of a parameter (or of a result that called `retainGrad()`).
  public var grad: Tensor? { autograd?.grad }

  /// Clears the accumulated gradient.
  public func zeroGrad() { autograd?.grad = nil }

  /// Replaces the accumulated gradient (used by gradient clipping and by tests).
  public func setGrad(_ g: Tensor?) { autograd?.grad = g?.detached() }

  /// Keeps this intermediate result's gradient after `backward()`.
  public func retainGrad() { autograd?.retainsGrad = true }

  /// The same values, cut off from the graph (shares storage).
  public func detached() -> Tensor {
    var t = self
    t.autograd = nil
    return t
  }

  /// Back-propagates from this tensor. Without `gradient`, the tensor must hold one element.
  public func backward(gradient: Tensor? = nil, retainGraph: Bool = false) throws {
    guard let cell = autograd else {
      throw TensorError.notDifferentiable(
        op: "backward",
        message: "this tensor does not depend on any parameter; create parameters with param(...) (requiringGrad) first")
    }
    let seed: Tensor
    if let gradient {
      guard gradient.shape == shape else {
        throw TensorError.shapeMismatch(
          op: "backward", shapes: [shape, gradient.shape], reason: "differ: the gradient must have the tensor's shape")
      }
      seed = gradient.detached()
    } else {
      guard count == 1 else {
        throw TensorError.notDifferentiable(
          op: "backward",
          message: "backward() needs a scalar; this tensor has shape \(formatShape(shape)) (reduce it with sum or mean first)")
      }
      seed = Tensor.full(shape, 1)
    }
    try Autograd.backward(from: cell, seed: seed, retainGraph: retainGraph)
  }
}
