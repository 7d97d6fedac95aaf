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
    let constants = AdamWKernel.Constants(
      lr: learningRate, beta1: beta1, beta2: beta2, eps: epsilon,
      correction1: 1 - Foundation.pow(beta1, t), correction2: 1 - Foundation.pow(beta2, t))
    // Every parameter's update in one parallel loop over their elements laid end to end:
    // one handoff to the worker threads per step instead of one per parameter, and the small
    // parameters (biases, norms) spread over the threads with the rest.
    var updates: [AdamWKernel.Update] = []
    var gradients: [Tensor] = []  // kept alive until the loop is done
    for (i, p) in parameters.enumerated() {
      guard let g = try gradient(of: p, op: "adamw") else { continue }
      if moments[i] == nil { moments[i] = (Tensor.zeros(p.shape), Tensor.zeros(p.shape)) }
      let (m, v) = moments[i]!
      updates.append(AdamWKernel.Update(p: p.base, g: g.base, m: m.base, v: v.base, count: p.count, decay: decays[i]))
      gradients.append(g)
    }
    withExtendedLifetime((gradients, moments)) { AdamWKernel.run(updates, constants) }
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
  struct Constants {
    var lr: Float, beta1: Float, beta2: Float, eps: Float
    var correction1: Float, correction2: Float
  }

  /// One parameter's buffers (contiguous, `count` floats each) and its weight decay.
  struct Update: @unchecked Sendable {
    var p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
    var m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>
    var count: Int, decay: Float
  }

  /// Runs every update, split over the engine's threads as one range of their elements
  /// laid end to end.
  static func run(_ updates: [Update], _ c: Constants) {
    var starts = [0]
    for u in updates { starts.append(starts[starts.count - 1] + u.count) }
    parallelFor(starts[updates.count], grain: 1 << 15) { range in
      for (j, u) in updates.enumerated() where starts[j] < range.upperBound && starts[j + 1] > range.lowerBound {
        let lo = Swift.max(range.lowerBound, starts[j]) - starts[j]
        let hi = Swift.min(range.upperBound, starts[j + 1]) - starts[j]
        update(u, lo..<hi, c)
      }
    }
  }

  /// p ← p·(1 − lr·λ) − lr·m̂/(√v̂ + ε), with m, v the exponential moving averages of g, g²,
  /// for the elements `range` of one parameter.
  static func update(_ u: Update, _ range: Range<Int>, _ c: Constants) {
    let (p, g, m, v) = (u.p, u.g, u.m, u.v)
    let b1 = Vec(repeating: c.beta1), b2 = Vec(repeating: c.beta2)
    let c1 = Vec(repeating: 1 - c.beta1), c2 = Vec(repeating: 1 - c.beta2)
    let shrink = Vec(repeating: 1 - c.lr * u.decay)
    let stepSize = Vec(repeating: c.lr / c.correction1)
    let invRootC2 = Vec(repeating: 1 / c.correction2.squareRoot())
    let epsV = Vec(repeating: c.eps)
    var i = range.lowerBound
    while i + Vec.scalarCount <= range.upperBound {
      let gv = loadVec(g + i)
      let mv = b1 * loadVec(m + i) + c1 * gv
      let vv = b2 * loadVec(v + i) + c2 * gv * gv
      storeVec(mv, m + i)
      storeVec(vv, v + i)
      let denom = vv.squareRoot() * invRootC2 + epsV
      storeVec(loadVec(p + i) * shrink - stepSize * mv / denom, p + i)
      i += Vec.scalarCount
    }
    while i < range.upperBound {
      let gv = g[i]
      m[i] = c.beta1 * m[i] + (1 - c.beta1) * gv
      v[i] = c.beta2 * v[i] + (1 - c.beta2) * gv * gv
      let denom = v[i].squareRoot() / c.correction2.squareRoot() + c.eps
      p[i] = p[i] * (1 - c.lr * u.decay) - (c.lr / c.correction1) * m[i] / denom
      i += 1
    }
  }
}
