import Foundation

/// Element-wise arithmetic with NumPy broadcasting, and its gradients (summed back to each
/// operand's shape where it was broadcast).
extension Tensor {
  public static func + (a: Tensor, b: Tensor) throws -> Tensor {
    let out = try Kernels.zip(a, b, op: "add", VectorOps.Add())
    return Autograd.record(out, inputs: [a, b], op: "add") { [sa = a.shape, sb = b.shape] g in
      [try g.summed(toShape: sa), try g.summed(toShape: sb)]
    }
  }

  public static func - (a: Tensor, b: Tensor) throws -> Tensor {
    let out = try Kernels.zip(a, b, op: "subtract", VectorOps.Subtract())
    return Autograd.record(out, inputs: [a, b], op: "subtract") { [sa = a.shape, sb = b.shape] g in
      [try g.summed(toShape: sa), try g.negated().summed(toShape: sb)]
    }
  }

  public static func * (a: Tensor, b: Tensor) throws -> Tensor {
    let out = try Kernels.zip(a, b, op: "multiply", VectorOps.Multiply())
    let (da, db) = (a.detached(), b.detached())
    return Autograd.record(out, inputs: [a, b], op: "multiply") { g in
      [try (g * db).summed(toShape: da.shape), try (g * da).summed(toShape: db.shape)]
    }
  }

  public static func / (a: Tensor, b: Tensor) throws -> Tensor {
    let out = try Kernels.zip(a, b, op: "divide", VectorOps.Divide())
    let (da, db) = (a.detached(), b.detached())
    return Autograd.record(out, inputs: [a, b], op: "divide") { g in
      let ga = try g / db
      let gb = try (ga * da / db).negated()
      return [try ga.summed(toShape: da.shape), try gb.summed(toShape: db.shape)]
    }
  }

  /// a ** b element-wise. The exponent's gradient uses log(a), defined for a > 0.
  public func pow(_ exponent: Tensor) throws -> Tensor {
    let out = try Kernels.zip(self, exponent, op: "pow") { a, b in
      var r = Vec()
      for j in 0..<Vec.scalarCount { r[j] = Foundation.pow(a[j], b[j]) }
      return r
    }
    let (a, b, y) = (detached(), exponent.detached(), out.detached())
    return Autograd.record(out, inputs: [self, exponent], op: "pow") { g in
      let ga = try g * b * a.pow(b - 1)
      let gb = try g * y * a.log()
      return [try ga.summed(toShape: a.shape), try gb.summed(toShape: b.shape)]
    }
  }

  /// a ** p for a constant exponent.
  public func pow(_ p: Float) -> Tensor {
    let out: Tensor
    if p == 2 {
      out = Kernels.map(self) { $0 * $0 }
    } else {
      out = Kernels.map(self) { a in
        var r = Vec()
        for j in 0..<Vec.scalarCount { r[j] = Foundation.pow(a[j], p) }
        return r
      }
    }
    let a = detached()
    return Autograd.record(out, inputs: [self], op: "pow") { g in
      [try g * (p == 2 ? a * 2 : a.pow(p - 1) * p)]
    }
  }

  public func negated() -> Tensor {
    let out = Kernels.map(self) { -$0 }
    return Autograd.record(out, inputs: [self], op: "negate") { g in [g.negated()] }
  }

  public static prefix func - (a: Tensor) -> Tensor { a.negated() }

  // MARK: Tensor with a constant

  public static func + (a: Tensor, c: Float) -> Tensor {
    let out = Kernels.map(a, BoundRight(f: VectorOps.Add(), b: Vec(repeating: c)))
    return Autograd.record(out, inputs: [a], op: "add") { g in [g] }
  }

  public static func - (a: Tensor, c: Float) -> Tensor { a + (-c) }
  public static func + (c: Float, a: Tensor) -> Tensor { a + c }
  public static func - (c: Float, a: Tensor) -> Tensor { a.negated() + c }

  public static func * (a: Tensor, c: Float) -> Tensor {
    let out = Kernels.map(a, BoundRight(f: VectorOps.Multiply(), b: Vec(repeating: c)))
    return Autograd.record(out, inputs: [a], op: "multiply") { g in [g * c] }
  }

  public static func * (c: Float, a: Tensor) -> Tensor { a * c }
  public static func / (a: Tensor, c: Float) -> Tensor { a * (1 / c) }

  public static func / (c: Float, a: Tensor) -> Tensor {
    let out = Kernels.map(a) { Vec(repeating: c) / $0 }
    let x = a.detached()
    return Autograd.record(out, inputs: [a], op: "divide") { g in [try (g * c / (x * x)).negated()] }
  }
}
