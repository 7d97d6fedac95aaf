import TensorEngine

extension GPTModel {
  /// Sampling one token at a time, for one sequence or a batch of them (`rows`), with no
  /// tensor allocated per token.
  ///
  /// The same computation as `forward(_:cache:)` on a one-token input, for GPT-2's layout
  /// (learned positions, layer norm, GELU MLP, fused `c_attn`, no active adapters), through
  /// the engine's inference kernels: each layer's activations live in buffers made once, the
  /// residual adds are fused into the products (BLAS adds into the residual stream), bias and
  /// GELU into one pass, and the keys and values go straight into a cache of the whole
  /// context. At this size the per-operation bookkeeping of the differentiable path costs
  /// about as much as the arithmetic.
  ///
  /// With several rows, each row is its own sequence with its own cache and position (the
  /// answers to different prompts, or several answers to one): the weights are read once
  /// per token for all of them, a matrix product where one row makes a matrix-vector one.
  public final class Decoder {
    let config: GPTConfig
    public let rows: Int
    /// The positions filled, per row.
    public private(set) var lengths: [Int]
    /// Row 0's positions filled (the whole story at one row).
    public var length: Int { lengths[0] }
    private var x, h, qkv, attended, mlp: Tensor
    private var logits: Tensor
    /// Per layer, per row: [heads, context, head dim].
    private var keys: [[Tensor]], values: [[Tensor]]

    /// One block's parameters, looked up once (by name, per token, they would cost more
    /// than the block's arithmetic on vectors).
    struct Block {
      var norm1: (Tensor, Tensor?), norm2: (Tensor, Tensor?)
      var attention: (Tensor, Tensor?), projection: (Tensor, Tensor?)
      var mlpIn: (Tensor, Tensor?), mlpOut: (Tensor, Tensor?)
    }
    private let blocks: [Block]
    private let tokens: Tensor, positions: Tensor, head: Tensor
    private let finalNorm: (Tensor, Tensor?)

    /// A decoder of `rows` sequences for `model`'s current weights, or nil when its layout
    /// needs the general path. It reads the weights it was made with: make a new one after
    /// loading others.
    public init?(model m: GPTModel, rows: Int = 1) {
      let c = m.config, n = m.names, d = c.dim, hidden = c.mlpHidden
      guard rows >= 1, c.isGPT2Shaped, n.attentionInput(0, d).count == 1, !n.storesTransposed, m.adapters.values.allSatisfy(\.merged)
      else { return nil }
      config = c
      func norm(_ prefix: String) -> (Tensor, Tensor?) { (m.p(prefix + ".weight"), m.optional(prefix + ".bias")) }
      blocks = (0..<c.layers).map { l in
        Block(
          norm1: norm(n.norm1(l)), norm2: norm(n.norm2(l)),
          attention: (m.p(n.attentionInput(l, d)[0].0), n.attentionInputBias(l, d).first.flatMap { m.optional($0.0) }),
          projection: (m.p(n.attentionOutput(l)), m.optional(n.attentionOutputBias(l))),
          mlpIn: (m.p(n.mlpInput(l, d, hidden)[0].0), n.mlpInputBias(l, hidden).first.flatMap { m.optional($0.0) }),
          mlpOut: (m.p(n.mlpOutput(l)), m.optional(n.mlpOutputBias(l))))
      }
      tokens = m.p(n.tokenEmbedding)
      positions = m.p(n.positionEmbedding)
      // A rank-2 transpose cannot fail.
      head = try! (c.tiedEmbeddings ? tokens : m.p(n.outputHead)).transposed()
      finalNorm = norm(n.finalNorm)
      self.rows = rows
      lengths = Array(repeating: 0, count: rows)
      x = Tensor.zeros([rows, d])
      h = Tensor.zeros([rows, d])
      qkv = Tensor.zeros([rows, 3 * d])
      attended = Tensor.zeros([rows, d])
      mlp = Tensor.zeros([rows, hidden])
      logits = Tensor.zeros([rows, c.vocabulary])
      let cacheShape = [c.heads, c.context, c.headDim]
      keys = (0..<c.layers).map { _ in (0..<rows).map { _ in Tensor.zeros(cacheShape) } }
      values = (0..<c.layers).map { _ in (0..<rows).map { _ in Tensor.zeros(cacheShape) } }
    }

    /// Starts new sequences (every row's cache refills from position 0).
    public func reset() { lengths = Array(repeating: 0, count: rows) }

    /// Continues row `row` from a prompt that the general forward pass ran with `cache`
    /// (batch 1): a long prompt is one matrix product per weight there, where feeding it here
    /// would read every weight once per token. The prompt's logits are the forward pass's.
    public func start(after cache: KVCache, row: Int = 0) throws {
      guard (0..<rows).contains(row) else { throw ModelError("decoder: no row \(row) of \(rows)") }
      for l in 0..<config.layers {
        guard let k = cache.keys[l], let v = cache.values[l], k.shape[0] == 1 else {
          throw ModelError("decoder: the KV cache holds no batch-1 keys and values for layer \(l)")
        }
        try keys[l][row].assign(k.selected(axis: 0, index: 0).sliced(axis: 1, start: 0, end: cache.length), along: 1, at: 0)
        try values[l][row].assign(v.selected(axis: 0, index: 0).sliced(axis: 1, start: 0, end: cache.length), along: 1, at: 0)
      }
      lengths[row] = cache.length
    }

    /// Feeds `token` at row 0's next position; the logits for the position after it are then
    /// available through `withLogits`.
    public func feed(_ token: Int) throws { try feed([token]) }

    /// Feeds one token per row, each at its row's next position; a negative token leaves its
    /// row where it is (a finished answer: its row is computed and ignored).
    public func feed(_ rowTokens: [Int]) throws {
      guard rowTokens.count == rows else {
        throw TensorError.invalidArgument(op: "model", message: "\(rowTokens.count) tokens for a decoder of \(rows) rows")
      }
      for (r, token) in rowTokens.enumerated() where token >= 0 && lengths[r] >= config.context {
        throw TensorError.invalidArgument(op: "model", message: "\(lengths[r] + 1) positions exceed the model's context of \(config.context)")
      }
      let eps = config.normEpsilon
      for (r, token) in rowTokens.enumerated() {
        try Tensor.embeddingRow(tokens, row: Swift.max(token, 0), into: &x, outRow: r)
        try Tensor.embeddingRow(positions, row: Swift.min(lengths[r], config.context - 1), into: &x, outRow: r, accumulate: true)
      }
      for (l, b) in blocks.enumerated() {
        try x.layerNorm(weight: b.norm1.0, bias: b.norm1.1, eps: eps, into: &h)
        try Tensor.linear(h, weight: b.attention.0, bias: b.attention.1, into: &qkv)
        for (r, token) in rowTokens.enumerated() where token >= 0 {
          try Tensor.attendCached(
            qkv: qkv, row: r, heads: config.heads, keys: &keys[l][r], values: &values[l][r], position: lengths[r], into: &attended)
        }
        try Tensor.linear(attended, weight: b.projection.0, bias: b.projection.1, into: &x, accumulate: true)
        try x.layerNorm(weight: b.norm2.0, bias: b.norm2.1, eps: eps, into: &h)
        try Tensor.linear(h, weight: b.mlpIn.0, bias: b.mlpIn.1, into: &mlp, activation: .gelu)
        try Tensor.linear(mlp, weight: b.mlpOut.0, bias: b.mlpOut.1, into: &x, accumulate: true)
      }
      try x.layerNorm(weight: finalNorm.0, bias: finalNorm.1, eps: eps, into: &h)
      try Tensor.linear(h, weight: head, bias: nil, into: &logits)
      for (r, token) in rowTokens.enumerated() where token >= 0 { lengths[r] += 1 }
    }

    /// Row `row`'s logits over the vocabulary after the last `feed`.
    public func withLogits<R>(row: Int = 0, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
      let v = config.vocabulary
      return try logits.withElements { all in
        try body(UnsafeBufferPointer(rebasing: all[(row * v)..<((row + 1) * v)]))
      }
    }
  }
}
