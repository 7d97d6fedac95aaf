import Foundation

/// Element-wise functions and activations, each with its derivative.
extension Tensor {
  /// Applies libm's scalar `f` lane by lane (for functions without a vector form here).
  private func mapScalar(_ f: @escaping (Float) -> Float) -> Tensor {
    Kernels.map(self) { v in
      var r = Vec()
      for j in 0..<Vec.scalarCount { r[j] = f(v[j]) }
      return r
    }
  }

  public func exp() -> Tensor {
    let out = Kernels.map(self, VectorOps.Exp())
    let y = out.detached()
    return Autograd.record(out, inputs: [self], op: "exp") { g in [try g * y] }
  }

  public func log() -> Tensor {
    let out = mapScalar { Foundation.log($0) }
    let x = detached()
    return Autograd.record(out, inputs: [self], op: "log") { g in [try g / x] }
  }

  public func sqrt() -> Tensor {
    let out = Kernels.map(self) { $0.squareRoot() }
    let y = out.detached()
    return Autograd.record(out, inputs: [self], op: "sqrt") { g in [try g / (y * 2)] }
  }

  public func tanh() -> Tensor {
    let out = Kernels.map(self, VectorOps.Tanh())
    let y = out.detached()
    return Autograd.record(out, inputs: [self], op: "tanh") { g in
      [try Kernels.zip(g, y, op: "tanh backward", VectorOps.TanhBackward())]
    }
  }

  public func abs() -> Tensor {
    let out = Kernels.map(self) { $0.replacing(with: -$0, where: $0 .< 0) }
    let x = detached()
    return Autograd.record(out, inputs: [self], op: "abs") { g in
      [try Kernels.zip(g, x, op: "abs backward") { g, x in
        Vec(repeating: 0).replacing(with: g, where: x .> 0).replacing(with: -g, where: x .< 0)
      }]
    }
  }

  /// Limits every element to [low, high]; the gradient passes only where it was inside.
  public func clamped(min low: Float? = nil, max high: Float? = nil) throws -> Tensor {
    let lo = low ?? -Float.infinity
    let hi = high ?? Float.infinity
    guard lo <= hi else {
      throw TensorError.invalidArgument(op: "clamp", message: "min \(lo) is greater than max \(hi)")
    }
    let out = Kernels.map(self) { v in
      v.replacing(with: Vec(repeating: lo), where: v .< lo).replacing(with: Vec(repeating: hi), where: v .> hi)
    }
    let x = detached()
    return Autograd.record(out, inputs: [self], op: "clamp") { g in
      [try Kernels.zip(g, x, op: "clamp backward") { g, x in
        g.replacing(with: 0, where: (x .< lo) .| (x .> hi))
      }]
    }
  }

  public func relu() -> Tensor {
    let out = Kernels.map(self, VectorOps.Relu())
    let x = detached()
    return Autograd.record(out, inputs: [self], op: "relu") { g in
      [try Kernels.zip(g, x, op: "relu backward", VectorOps.ReluBackward())]
    }
  }

  public func sigmoid() -> Tensor {
    let out = Kernels.map(self, VectorOps.Sigmoid())
    let y = out.detached()
    return Autograd.record(out, inputs: [self], op: "sigmoid") { g in
      [try Kernels.zip(g, y, op: "sigmoid backward", VectorOps.SigmoidBackward())]
    }
  }

  /// x·sigmoid(x), also called swish.
  public func silu() -> Tensor {
    let out = Kernels.map(self, VectorOps.Silu())
    let x = detached()
    return Autograd.record(out, inputs: [self], op: "silu") { g in
      [try Kernels.zip(g, x, op: "silu backward", VectorOps.SiluBackward())]
    }
  }

  /// GELU. `approximate: true` is the tanh form of GPT-2; false is the exact erf form.
  public func gelu(approximate: Bool = true) -> Tensor {
    let x = detached()
    if approximate {
      let out = Kernels.map(self, VectorOps.Gelu())
      return Autograd.record(out, inputs: [self], op: "gelu") { g in
        [try Kernels.zip(g, x, op: "gelu backward", VectorOps.GeluBackward())]
      }
    }
    // 0.5·x·(1 + erf(x/√2)); derivative Φ(x) + x·φ(x).
    let out = mapScalar { v in 0.5 * v * (1 + Foundation.erf(v * 0.70710678118654752)) }
    return Autograd.record(out, inputs: [self], op: "gelu") { g in
      let d = x.mapScalar { v in
        0.5 * (1 + Foundation.erf(v * 0.70710678118654752)) + v * 0.3989422804014327 * Foundation.exp(-0.5 * v * v)
      }
      return [try g * d]
    }
  }
}
