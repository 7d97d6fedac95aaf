/// Stochastic gradient descent with optional momentum (heavy-ball or Nesterov) and L2
/// weight decay added to the gradient, as PyTorch's `SGD` defines them.
public final class SGD: Optimizer {
  public let parameters: [Tensor]
  public var learningRate: Float
  public var momentum: Float
  public var weightDecay: Float
  public var nesterov: Bool
  public private(set) var stepCount = 0
  private var velocity: [Tensor?]

  public init(
    parameters: [Tensor], learningRate: Float = 0.01, momentum: Float = 0, weightDecay: Float = 0,
    nesterov: Bool = false
  ) throws {
    try validateParameters(parameters, op: "sgd")
    guard learningRate >= 0, momentum >= 0, weightDecay >= 0 else {
      throw TensorError.invalidArgument(op: "sgd", message: "lr, momentum and weight decay must be ≥ 0")
    }
    guard !nesterov || momentum > 0 else {
      throw TensorError.invalidArgument(op: "sgd", message: "Nesterov momentum needs momentum > 0")
    }
    self.parameters = parameters
    self.learningRate = learningRate
    self.momentum = momentum
    self.weightDecay = weightDecay
    self.nesterov = nesterov
    self.velocity = Array(repeating: nil, count: parameters.count)
  }

  public func step() throws {
    stepCount += 1
    for (i, p) in parameters.enumerated() {
      guard let g = try gradient(of: p, op: "sgd") else { continue }
      let n = p.count
      let pp = p.base, pg = g.base
      let lr = learningRate, wd = weightDecay, mu = momentum, nesterov = nesterov
      if mu == 0 {
        parallelFor(n, grain: 1 << 15) { r in
          for j in r { pp[j] -= lr * (pg[j] + wd * pp[j]) }
        }
      } else {
        let first = velocity[i] == nil
        if first { velocity[i] = Tensor.zeros(p.shape) }
        let pv = velocity[i]!.base
        parallelFor(n, grain: 1 << 15) { r in
          for j in r {
            let d = pg[j] + wd * pp[j]
            // PyTorch starts the buffer at the first gradient rather than at zero.
            let buf = first ? d : mu * pv[j] + d
            pv[j] = buf
            pp[j] -= lr * (nesterov ? d + mu * buf : buf)
          }
        }
      }
      withExtendedLifetime(g) {}
    }
  }
}
