/// Comparisons (1 where true, 0 where false; not differentiable), `where`, and the
/// differentiable element-wise maximum and minimum.
extension Tensor {
  private static func compare(_ a: Tensor, _ b: Tensor, _ op: String, _ test: @escaping (Vec, Vec) -> SIMDMask<VecInt>) throws -> Tensor {
    try Kernels.zip(a.detached(), b.detached(), op: op) { x, y in Vec(repeating: 0).replacing(with: 1, where: test(x, y)) }
  }

  public static func .== (a: Tensor, b: Tensor) throws -> Tensor { try compare(a, b, "equal") { $0 .== $1 } }
  public static func .!= (a: Tensor, b: Tensor) throws -> Tensor { try compare(a, b, "not_equal") { $0 .!= $1 } }
  public static func .< (a: Tensor, b: Tensor) throws -> Tensor { try compare(a, b, "less") { $0 .< $1 } }
  public static func .<= (a: Tensor, b: Tensor) throws -> Tensor { try compare(a, b, "less_equal") { $0 .<= $1 } }
  public static func .> (a: Tensor, b: Tensor) throws -> Tensor { try compare(a, b, "greater") { $0 .> $1 } }
  public static func .>= (a: Tensor, b: Tensor) throws -> Tensor { try compare(a, b, "greater_equal") { $0 .>= $1 } }

  /// Picks `a` where `condition` is nonzero and `b` elsewhere, broadcasting all three.
  public static func select(where condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
    let shape = try Shape.broadcast(Shape.broadcast(condition.shape, a.shape, op: "where"), b.shape, op: "where")
    let c = try condition.detached().expanded(to: shape)
    let picked = try Kernels.zip(try a.detached().expanded(to: shape), c, op: "where") { x, m in
      x.replacing(with: 0, where: m .== 0)
    }
    let other = try Kernels.zip(try b.detached().expanded(to: shape), c, op: "where") { y, m in
      y.replacing(with: 0, where: m .!= 0)
    }
    let out = try Kernels.zip(picked, other, op: "where") { $0 + $1 }
    return Autograd.record(out, inputs: [a, b], op: "where") { [sa = a.shape, sb = b.shape] g in
      let ga = try Kernels.zip(g, c, op: "where backward") { g, m in g.replacing(with: 0, where: m .== 0) }
      let gb = try Kernels.zip(g, c, op: "where backward") { g, m in g.replacing(with: 0, where: m .!= 0) }
      return [try ga.summed(toShape: sa), try gb.summed(toShape: sb)]
    }
  }

  /// Element-wise larger of two tensors; on a tie the gradient goes to `self`.
  public func maximum(_ other: Tensor) throws -> Tensor {
    try Tensor.select(where: try self .>= other, self, other)
  }

  /// Element-wise smaller of two tensors; on a tie the gradient goes to `self`.
  public func minimum(_ other: Tensor) throws -> Tensor {
    try Tensor.select(where: try self .<= other, self, other)
  }
}
