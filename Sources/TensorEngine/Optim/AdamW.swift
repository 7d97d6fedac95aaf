import Foundation

/// Adam with decoupled weight decay (Loshchilov & Hutter): the decay shrinks the weights
/// directly, p ← p − lr·λ·p, instead of being added to the gradient as in Adam + L2.
///
/// The update is one fused pass over each parameter: read p, g, m, v, write p, m, v.
public final class AdamW: Optimizer {
  public let parameters: [Tensor]
  public var learningRate: Float
  public var beta1: Float
  public var beta2: Float
  public var epsilon: Float
  /// Decay applied per parameter (0 for exempt ones).
  public private(set) var decays: [Float]
  public private(set) var stepCount = 0
  private var moments: [(m: Tensor, v: Tensor)?]

  /// - Parameters:
  ///   - exemptFromDecay: which parameters get no weight decay. The default, `.vectors`,
  ///     exempts every parameter of rank < 2 (biases, norm weights), as GPT-2 and nanoGPT do.
  public init(
    parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
    epsilon: Float = 1e-8, weightDecay: Float = 0.01, exemptFromDecay: DecayExemption = .vectors
  ) throws {
    try validateParameters(parameters, op: "adamw")
    guard learningRate >= 0, (0..<1).contains(beta1), (0..<1).contains(beta2), epsilon > 0, weightDecay >= 0 else {
      throw TensorError.invalidArgument(
        op: "adamw", message: "needs lr ≥ 0, 0 ≤ beta1, beta2 < 1, eps > 0 and weight decay ≥ 0")
    }
    self.parameters = parameters
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.decays = parameters.map { exemptFromDecay.exempts($0) ? 0 : weightDecay }
    self.moments = Array(repeating: nil, count: parameters.count)
  }

  public func step() throws {
    let region = Profiler.begin(.optimizer); defer { Profiler.end(region) }
    stepCount += 1
    let t = Float(stepCount)
    let correction1 = 1 - Foundation.pow(beta1, t)
    let correction2 = 1 - Foundation.pow(beta2, t)
    for (i, p) in parameters.enumerated() {
      guard let g = try gradient(of: p, op: "adamw") else { continue }
      if moments[i] == nil { moments[i] = (Tensor.zeros(p.shape), Tensor.zeros(p.shape)) }
      let (m, v) = moments[i]!
      AdamWKernel.update(
        p.base, g.base, m.base, v.base, count: p.count, lr: learningRate, beta1: beta1, beta2: beta2,
        eps: epsilon, decay: decays[i], correction1: correction1, correction2: correction2)
      withExtendedLifetime(g) {}
    }
  }

  /// The first and second moment estimates of parameter `i`, once it has been updated.
  public func moments(of i: Int) -> (m: Tensor, v: Tensor)? { moments[i] }

  /// Everything `step()` carries from one call to the next: the step count (for the bias
  /// corrections) and each parameter's moments, nil for a parameter not yet updated. The
  /// moments are copies, so later steps do not change what was exported.
  public func state() -> (step: Int, moments: [(m: Tensor, v: Tensor)?]) {
    (stepCount, moments.map { $0.map { (Self.copy($0.m), Self.copy($0.v)) } })
  }

  /// Puts back a state exported by `state()`, so that training resumes exactly where it
  /// stopped. One entry per parameter, in the order of `parameters`, each moment of its
  /// parameter's shape; nothing changes unless all of them fit.
  public func restore(step: Int, moments restored: [(m: Tensor, v: Tensor)?]) throws {
    guard step >= 0 else {
      throw TensorError.invalidArgument(op: "adamw", message: "cannot restore a negative step count (\(step))")
    }
    guard restored.count == parameters.count else {
      throw TensorError.invalidArgument(
        op: "adamw", message: "the state has moments for \(restored.count) parameters, the optimizer has \(parameters.count)")
    }
    for (i, entry) in restored.enumerated() {
      guard let (m, v) = entry else { continue }
      let shape = parameters[i].shape
      guard m.shape == shape, v.shape == shape else {
        throw TensorError.shapeMismatch(
          op: "adamw", shapes: [shape, m.shape, v.shape],
          reason: "do not fit: parameter \(i)'s moments must have its shape")
      }
    }
    stepCount = step
    moments = restored.map { $0.map { (Self.copy($0.m), Self.copy($0.v)) } }
  }

  /// A contiguous copy with storage of its own (the update kernel writes moments in place).
  private static func copy(_ t: Tensor) -> Tensor {
    let out = Tensor(uninitializedShape: t.shape)
    Kernels.copyStrided(from: t.detached(), into: out.base)
    return out
  }
}

/// Which parameters weight decay leaves alone.
public enum DecayExemption: Sendable {
  /// Decay everything.
  case none
  /// Exempt parameters of rank < 2: biases and normalization weights.
  case vectors
  /// Exempt parameters whose name is in the set (names given with `requiringGrad(name:)`).
  case named(Set<String>)

  func exempts(_ p: Tensor) -> Bool {
    switch self {
    case .none: return false
    case .vectors: return p.rank < 2
    case .named(let names): return p.parameterName.map(names.contains) ?? false
    }
  }
}

enum AdamWKernel {
  /// p ← p·(1 − lr·λ) − lr·m̂/(√v̂ + ε), with m, v the exponential moving averages of g, g².
  static func update(
    _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
    _ v: UnsafeMutablePointer<Float>, count: Int, lr: Float, beta1: Float, beta2: Float, eps: Float,
    decay: Float, correction1: Float, correction2: Float
  ) {
    let b1 = Vec(repeating: beta1), b2 = Vec(repeating: beta2)
    let c1 = Vec(repeating: 1 - beta1), c2 = Vec(repeating: 1 - beta2)
    let shrink = Vec(repeating: 1 - lr * decay)
    let stepSize = Vec(repeating: lr / correction1)
    let invRootC2 = Vec(repeating: 1 / correction2.squareRoot())
    let epsV = Vec(repeating: eps)
    parallelFor(count, grain: 1 << 15) { r in
      var i = r.lowerBound
      while i + Vec.scalarCount <= r.upperBound {
        let gv = loadVec(g + i)
        let mv = b1 * loadVec(m + i) + c1 * gv
        let vv = b2 * loadVec(v + i) + c2 * gv * gv
        storeVec(mv, m + i)
        storeVec(vv, v + i)
        let denom = vv.squareRoot() * invRootC2 + epsV
        storeVec(loadVec(p + i) * shrink - stepSize * mv / denom, p + i)
        i += Vec.scalarCount
      }
      while i < r.upperBound {
        let gv = g[i]
        m[i] = beta1 * m[i] + (1 - beta1) * gv
        v[i] = beta2 * v[i] + (1 - beta2) * gv * gv
        let denom = v[i].squareRoot() / correction2.squareRoot() + eps
        p[i] = p[i] * (1 - lr * decay) - (lr / correction1) * m[i] / denom
        i += 1
      }
    }
  }
}
