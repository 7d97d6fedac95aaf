/// Global-norm gradient clipping: when the norm of all gradients together exceeds
/// `maxNorm`, every gradient is scaled by maxNorm / norm, which keeps their direction.
///
/// Returns the norm before clipping (useful to log: spikes announce instability).
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) throws -> Float {
  guard maxNorm > 0 else {
    throw TensorError.invalidArgument(op: "clip_grad_norm", message: "max norm must be positive, got \(maxNorm)")
  }
  var total: Double = 0
  for p in parameters {
    guard let g = p.grad else { continue }
    let c = g.contiguous()
    withExtendedLifetime(c) {
      let x = c.base
      var acc = Vec(repeating: 0)
      var i = 0
      while i + Vec.scalarCount <= c.count { let v = loadVec(x + i); acc += v * v; i += Vec.scalarCount }
      var s = Double(acc.sum())
      while i < c.count { s += Double(x[i] * x[i]); i += 1 }
      total += s
    }
  }
  let norm = Float(total.squareRoot())
  if norm > maxNorm && norm.isFinite {
    let scale = maxNorm / (norm + 1e-6)
    for p in parameters {
      guard let g = p.grad else { continue }
      p.setGrad(g * scale)
    }
  }
  return norm
}
