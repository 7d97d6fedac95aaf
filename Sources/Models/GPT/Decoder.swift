import TensorEngine

extension GPTModel {
  /// Sampling at batch 1, one token at a time, with nothing allocated per token.
  ///
  /// The same computation as `forward(_:cache:)` on a one-token input, for GPT-2's layout
  /// (learned positions, layer norm, GELU MLP, fused `c_attn`, no active adapters), through
  /// the engine's inference kernels: each layer's activations live in buffers made once, the
  /// residual adds are fused into the products (BLAS adds into the residual stream), bias and
  /// GELU into one pass, and the keys and values go straight into a cache of the whole
  /// context. At this size the per-operation bookkeeping of the differentiable path costs
  /// about as much as the arithmetic.
  public final class Decoder {
    let config: GPTConfig
    public private(set) var length = 0
    private var x, h, qkv, attended, mlp: Tensor
    private var logits: Tensor
    private var keys: [Tensor], values: [Tensor]

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

    /// A decoder for `model`'s current weights, or nil when its layout needs the general
    /// path. It reads the weights it was made with: make a new one after loading others.
    public init?(model m: GPTModel) {
      let c = m.config, n = m.names, d = c.dim, hidden = c.mlpHidden
      guard c.isGPT2Shaped, n.attentionInput(0, d).count == 1, !n.storesTransposed, m.adapters.values.allSatisfy(\.merged)
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
      x = Tensor.zeros([1, d])
      h = Tensor.zeros([1, d])
      qkv = Tensor.zeros([1, 3 * d])
      attended = Tensor.zeros([1, d])
      mlp = Tensor.zeros([1, hidden])
      logits = Tensor.zeros([1, c.vocabulary])
      keys = (0..<c.layers).map { _ in Tensor.zeros([c.heads, c.context, c.headDim]) }
      values = (0..<c.layers).map { _ in Tensor.zeros([c.heads, c.context, c.headDim]) }
    }

    /// Starts a new sequence (the cache refills from position 0).
    public func reset() { length = 0 }

    /// Continues from a prompt that the general forward pass ran with `cache` (batch 1): a
    /// long prompt is one matrix product per weight there, where feeding it here would read
    /// every weight once per token. The prompt's logits are the forward pass's.
    public func start(after cache: KVCache) throws {
      for l in 0..<config.layers {
        guard let k = cache.keys[l], let v = cache.values[l], k.shape[0] == 1 else {
          throw ModelError("decoder: the KV cache holds no batch-1 keys and values for layer \(l)")
        }
        try keys[l].assign(k.selected(axis: 0, index: 0).sliced(axis: 1, start: 0, end: cache.length), along: 1, at: 0)
        try values[l].assign(v.selected(axis: 0, index: 0).sliced(axis: 1, start: 0, end: cache.length), along: 1, at: 0)
      }
      length = cache.length
    }

    /// Feeds `token` at the next position; the logits for the position after it are then
    /// available through `withLogits`.
    public func feed(_ token: Int) throws {
      guard length < config.context else {
        throw TensorError.invalidArgument(op: "model", message: "\(length + 1) positions exceed the model's context of \(config.context)")
      }
      let eps = config.normEpsilon
      try Tensor.embeddingRow(tokens, row: token, into: &x)
      try Tensor.embeddingRow(positions, row: length, into: &x, accumulate: true)
      for (l, b) in blocks.enumerated() {
        try x.layerNorm(weight: b.norm1.0, bias: b.norm1.1, eps: eps, into: &h)
        try Tensor.linear(h, weight: b.attention.0, bias: b.attention.1, into: &qkv)
        try Tensor.attendCached(qkv: qkv, heads: config.heads, keys: &keys[l], values: &values[l], position: length, into: &attended)
        try Tensor.linear(attended, weight: b.projection.0, bias: b.projection.1, into: &x, accumulate: true)
        try x.layerNorm(weight: b.norm2.0, bias: b.norm2.1, eps: eps, into: &h)
        try Tensor.linear(h, weight: b.mlpIn.0, bias: b.mlpIn.1, into: &mlp, activation: .gelu)
        try Tensor.linear(mlp, weight: b.mlpOut.0, bias: b.mlpOut.1, into: &x, accumulate: true)
      }
      try x.layerNorm(weight: finalNorm.0, bias: finalNorm.1, eps: eps, into: &h)
      try Tensor.linear(h, weight: head, bias: nil, into: &logits)
      length += 1
    }

    /// The logits over the vocabulary after the last `feed`.
    public func withLogits<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
      try logits.withElements(body)
    }
  }
}
