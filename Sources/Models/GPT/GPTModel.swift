import Foundation
import TensorEngine

/// A GPT-style decoder-only transformer: token (and learned position) embeddings, `layers`
/// pre-norm blocks of causal self-attention and an MLP, a final norm, and an output layer
/// (the token embedding itself when tied).
///
/// Parameters are kept by their Hugging Face names (GPT-2's or LLaMA's, see `ParameterNames`),
/// so a checkpoint maps one to one and `inspect` shows the names a student will meet in
/// `transformers`.
public final class GPTModel: @unchecked Sendable {
  public let config: GPTConfig
  /// Every parameter, in a stable order, with its checkpoint name.
  public internal(set) var parameters: [(name: String, tensor: Tensor)] = []
  private var index: [String: Int] = [:]
  let names: ParameterNames

  /// A new model with GPT-2's initialization: weights ~ N(0, 0.02), the projections that
  /// write into the residual stream scaled by 1/√(2·layers), biases 0, norm weights 1.
  public init(config: GPTConfig) throws {
    try config.validate()
    self.config = config
    self.names = ParameterNames(config: config)
    for spec in names.layout() { add(spec.name, try spec.initialValue()) }
  }

  /// A model with the given weights (a checkpoint's), drawing no random numbers. Every
  /// parameter of the configuration must be there with its shape, and nothing else. The
  /// model uses the tensors' storage, so training it updates them too.
  public init(config: GPTConfig, weights: [String: Tensor]) throws {
    try config.validate()
    self.config = config
    self.names = ParameterNames(config: config)
    let layout = names.layout()
    for spec in layout {
      guard let value = weights[spec.name] else { throw ModelError("missing tensor \(spec.name) (shape \(formatShape(spec.shape)))") }
      guard value.shape == spec.shape else {
        throw ModelError("tensor \(spec.name) has shape \(formatShape(value.shape)), the model needs \(formatShape(spec.shape))")
      }
    }
    let known = Set(layout.map(\.name))
    if let extra = weights.keys.sorted().first(where: { !known.contains($0) }) {
      throw ModelError("tensor \(extra) is not a parameter of this model")
    }
    for spec in layout { add(spec.name, weights[spec.name]!.contiguous()) }
  }

  private func add(_ name: String, _ value: Tensor) {
    index[name] = parameters.count
    parameters.append((name, value.requiringGrad(name: name)))
  }

  public subscript(name: String) -> Tensor? { index[name].map { parameters[$0].tensor } }

  func p(_ name: String) -> Tensor { parameters[index[name]!].tensor }
  func optional(_ name: String) -> Tensor? { index[name].map { parameters[$0].tensor } }

  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.tensor.count } }

  /// Bytes for weights, gradients and AdamW's two moments (4 floats per parameter).
  public var trainingMemoryEstimate: Int { parameterCount * 4 * 4 }

  /// Replaces every parameter's values (loading a checkpoint). Shapes must match exactly;
  /// nothing is changed unless every tensor fits.
  public func load(_ values: [String: Tensor]) throws {
    for (name, t) in parameters {
      guard let v = values[name] else { throw ModelError("missing tensor \(name)") }
      guard v.shape == t.shape else {
        throw ModelError("tensor \(name) has shape \(formatShape(v.shape)), the model needs \(formatShape(t.shape))")
      }
    }
    for (i, (name, _)) in parameters.enumerated() {
      parameters[i].tensor = values[name]!.contiguous().requiringGrad(name: name)
    }
  }

  // MARK: Forward

  /// Logits [batch, time, vocabulary] for token ids [batch, time]. With a cache, `ids` are
  /// the new positions after those already cached.
  public func forward(_ ids: Tensor, cache: KVCache? = nil, training: Bool = false) throws -> Tensor {
    try logits(fromHidden: hidden(ids, cache: cache, training: training))
  }

  /// The output layer: hidden states [batch, time, dim] to logits over the vocabulary.
  public func logits(fromHidden x: Tensor) throws -> Tensor {
    let head = config.tiedEmbeddings ? p(names.tokenEmbedding) : p(names.outputHead)
    return try x.matmul(head.transposed())
  }

  /// The final hidden states [batch, time, dim] (after the last norm): what the output layer
  /// reads, and what a reward or value head reads instead.
  public func hidden(_ ids: Tensor, cache: KVCache? = nil, training: Bool = false) throws -> Tensor {
    isTraining = training
    defer { isTraining = false }
    guard ids.rank == 2 else {
      throw TensorError.invalidArgument(op: "model", message: "token ids must be [batch, time], got \(formatShape(ids.shape))")
    }
    let (b, t) = (ids.shape[0], ids.shape[1])
    let start = cache?.length ?? 0
    guard start + t <= config.context else {
      throw TensorError.invalidArgument(op: "model", message: "\(start + t) positions exceed the model's context of \(config.context)")
    }
    let d = config.dim, heads = config.heads, hd = config.headDim
    var x = try Tensor.embedding(p(names.tokenEmbedding), ids: ids)
    if config.positions == .learned {
      let pos = try p(names.positionEmbedding).sliced(axis: 0, start: start, end: start + t)
      x = try x + pos
    }
    if training && config.dropout > 0 { x = try x.dropout(config.dropout) }
    let rope = config.positions == .rotary ? try RotaryEmbedding(headDim: hd, start: start, count: t, theta: config.ropeTheta) : nil

    for l in 0..<config.layers {
      // Attention.
      let h1 = try norm(x, names.norm1(l))
      var a: Tensor
      if cache == nil && rope == nil, let qkv = try fusedProjection(h1, layer: l) {
        // Training and full forwards: heads read in place from the fused projection.
        a = try Tensor.causalSelfAttention(qkv: qkv, heads: heads)
      } else {
        var (q, k, v) = try attentionProjections(h1, layer: l)
        q = try q.reshaped([b, t, heads, hd]).permuted([0, 2, 1, 3])
        k = try k.reshaped([b, t, heads, hd]).permuted([0, 2, 1, 3])
        v = try v.reshaped([b, t, heads, hd]).permuted([0, 2, 1, 3])
        if let rope {
          q = try rope.apply(q)
          k = try rope.apply(k)
        }
        if let cache { (k, v) = try cache.append(layer: l, keys: k, values: v, capacity: config.context) }
        a = try Tensor.scaledDotProductAttention(query: q, key: k, value: v, causal: true)
        a = try a.permuted([0, 2, 1, 3]).reshaped([b, t, d])
      }
      // The residual is added by the projection itself unless dropout comes between.
      let dropout = training && config.dropout > 0
      a = try linear(a, names.attentionOutput(l), bias: names.attentionOutputBias(l), adding: dropout ? nil : x)
      x = dropout ? try x + a.dropout(config.dropout) : a
      // MLP.
      let h2 = try norm(x, names.norm2(l))
      var m: Tensor
      switch config.mlp {
      case .gelu:
        m = try linear(h2, names.mlpInput(l, d, config.mlpHidden)[0].0, bias: names.mlpInputBias(l, config.mlpHidden).first?.0, gelu: true)
      case .swiglu:
        let inputs = names.mlpInput(l, d, config.mlpHidden)
        let biases = names.mlpInputBias(l, config.mlpHidden)
        let gate = try linear(h2, inputs[0].0, bias: biases.first?.0).silu()
        let up = try linear(h2, inputs[1].0, bias: biases.count > 1 ? biases[1].0 : nil)
        m = try gate * up
      }
      m = try linear(m, names.mlpOutput(l), bias: names.mlpOutputBias(l), adding: dropout ? nil : x)
      x = dropout ? try x + m.dropout(config.dropout) : m
    }
    cache?.advance(t)
    return try norm(x, names.finalNorm)
  }

  func norm(_ x: Tensor, _ prefix: String) throws -> Tensor {
    switch config.normalization {
    case .layer: return try x.layerNorm(weight: p(prefix + ".weight"), bias: optional(prefix + ".bias"), eps: config.normEpsilon)
    case .rms: return try x.rmsNorm(weight: p(prefix + ".weight"), eps: config.normEpsilon)
    }
  }

  /// x·W (+ b), through GELU when asked, plus `residual` when given. GPT-2 stores W as
  /// [in, out]; LLaMA as [out, in], used through a transposed view (BLAS's transpose flag,
  /// no copy).
  func linear(_ x: Tensor, _ weight: String, bias: String?, adding residual: Tensor? = nil, gelu: Bool = false) throws -> Tensor {
    let w = names.storesTransposed ? try p(weight).transposed() : p(weight)
    let b = bias.flatMap { optional($0) }
    if let adapter = adapters[weight], !adapter.merged {
      // A low-rank adapter on this projection adds its update before the activation:
      // y = x·W + b + scale · (x·A)·B. (Added last, so an adapter whose B is still zero
      // changes no bit.)
      let y = try Tensor.linear(x, weight: w, bias: b, residual: gelu ? nil : residual) + adapter.apply(x, training: isTraining)
      return gelu ? y.gelu() : y
    }
    return try Tensor.linear(x, weight: w, bias: b, residual: residual, activation: gelu ? .gelu : .none)
  }

  /// Set for the duration of a training forward pass (adapters apply their dropout then).
  var isTraining = false

  /// Low-rank adapters by the name of the weight they adapt (see `LoRAAdapter`).
  public var adapters: [String: LoRAAdapter] = [:]

  /// The names of the linear weights an adapter can target, with their [in, out] sizes:
  /// attention projections ("attn") and MLP projections ("mlp").
  public func linearWeights() -> [(name: String, input: Int, output: Int, kind: String)] {
    let d = config.dim, h = config.mlpHidden
    var out: [(String, Int, Int, String)] = []
    for l in 0..<config.layers {
      for (name, shape) in names.attentionInput(l, d) {
        out.append((name, names.storesTransposed ? shape[1] : shape[0], names.storesTransposed ? shape[0] : shape[1], "attn"))
      }
      out.append((names.attentionOutput(l), d, d, "attn"))
      for (name, _) in names.mlpInput(l, d, h) { out.append((name, d, h, "mlp")) }
      out.append((names.mlpOutput(l), h, d, "mlp"))
    }
    return out
  }

  /// GPT-2's fused c_attn output [batch, time, 3·dim], or nil for separate projections.
  func fusedProjection(_ h: Tensor, layer l: Int) throws -> Tensor? {
    let inputs = names.attentionInput(l, config.dim)
    guard inputs.count == 1 else { return nil }
    let biases = config.bias ? names.attentionInputBias(l, config.dim).map(\.0) : []
    return try linear(h, inputs[0].0, bias: biases.first)
  }

  func attentionProjections(_ h: Tensor, layer l: Int) throws -> (Tensor, Tensor, Tensor) {
    let d = config.dim
    let inputs = names.attentionInput(l, d)
    let biases = config.bias ? names.attentionInputBias(l, d).map(\.0) : []
    if inputs.count == 1 {
      // GPT-2's fused c_attn: one product, then split into q, k, v.
      let qkv = try linear(h, inputs[0].0, bias: biases.first)
      let parts = try qkv.split(parts: 3, axis: -1)
      return (parts[0], parts[1], parts[2])
    }
    return (
      try linear(h, inputs[0].0, bias: biases.count > 0 ? biases[0] : nil),
      try linear(h, inputs[1].0, bias: biases.count > 1 ? biases[1] : nil),
      try linear(h, inputs[2].0, bias: biases.count > 2 ? biases[2] : nil)
    )
  }

  /// Mean cross-entropy of next-token prediction: logits at each position against the
  /// following token (targets given, -100 to ignore a position).
  public func loss(ids: Tensor, targets: Tensor, training: Bool = true) throws -> Tensor {
    let logits = try forward(ids, training: training)
    return try Tensor.crossEntropy(logits: logits, targets: targets)
  }
}
