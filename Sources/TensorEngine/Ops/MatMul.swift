/// The matrix product, 2-D and batched, through `GEMM.multiply`.
extension Tensor {
  /// NumPy's `matmul`: vectors are promoted to matrices and the added axis removed again;
  /// batch axes broadcast. Gradients reuse the same path with transposed views as flags.
  public func matmul(_ other: Tensor) throws -> Tensor {
    guard rank >= 1 && other.rank >= 1 else {
      throw TensorError.shapeMismatch(op: "matmul", shapes: [shape, other.shape], reason: "cannot be multiplied: matmul needs at least one axis on each side")
    }
    if rank == 1 {
      // With a vector on the right too, the inner call has already removed its axis: [1].
      let r = try unsqueezed(0).matmul(other)
      return try r.squeezed(other.rank == 1 ? -1 : -2)
    }
    if other.rank == 1 {
      let r = try matmul(other.unsqueezed(-1))
      return try r.squeezed(-1)
    }
    let out = try GEMM.multiply(self, other)
    let (a, b) = (detached(), other.detached())
    return Autograd.record(out, inputs: [self, other], op: "matmul") { g in
      // dA = dC·Bᵀ, dB = Aᵀ·dC, each summed over batch axes that were broadcast.
      if b.rank == 2 && a.rank >= 2 && a.isContiguous {
        // A shared weight: both gradients as 2-D products over all rows of the batch, run
        // side by side.
        let rows = a.count / a.shape[a.rank - 1]
        let flatA = try a.reshaped([rows, a.shape[a.rank - 1]])
        let flatG = try g.contiguous().reshaped([rows, g.shape[g.rank - 1]])
        let (ga, gb) = try GEMM.multiplyPair(flatG, b.transposed(), flatA.transposed(), flatG)
        return [try ga.reshaped(a.shape), gb]
      }
      let ga = try GEMM.multiply(g, b.transposed()).summed(toShape: a.shape)
      let gb = try GEMM.multiply(a.transposed(), g).summed(toShape: b.shape)
      return [ga, gb]
    }
  }
}
