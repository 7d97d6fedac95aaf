/// Embedding lookup: rows of a table picked by integer ids.
extension Tensor {
  /// `table[ids]`: for a table of shape [V, D] and ids of any shape, the result has shape
  /// ids.shape + [D]. The table's gradient is a scatter-add of the result's gradient rows.
  public static func embedding(_ table: Tensor, ids: Tensor) throws -> Tensor {
    let region = Profiler.begin(.elementwise); defer { Profiler.end(region) }
    guard table.rank == 2 else {
      throw TensorError.shapeMismatch(op: "embedding", shapes: [table.shape], reason: "is not a table: the embedding table must be [vocabulary, dim]")
    }
    let (v, d) = (table.shape[0], table.shape[1])
    let idx = try ids.indices(op: "embedding", limit: v)
    let w = table.contiguous()
    let out = Tensor(uninitializedShape: ids.shape + [d])
    withExtendedLifetime(w) {
      let pw = w.base, po = out.base
      idx.withUnsafeBufferPointer { ib in
        let ip = ib.baseAddress!
        parallelFor(idx.count, grain: Swift.max(1, 16_384 / Swift.max(d, 1))) { r in
          for i in r { (po + i * d).update(from: pw + Int(ip[i]) * d, count: d) }
        }
      }
    }
    return Autograd.record(out, inputs: [w], op: "embedding") { g in
      let gc = g.contiguous()
      let dw = Tensor.zeros([v, d])
      let pg = gc.base, pd = dw.base
      // Columns are split across threads so that two threads never add into the same row.
      parallelFor(d, grain: 64) { cols in
        for (i, row) in idx.enumerated() {
          let src = pg + i * d, dst = pd + Int(row) * d
          for c in cols { dst[c] += src[c] }
        }
      }
      return [withExtendedLifetime(gc) { dw }]
    }
  }
}
