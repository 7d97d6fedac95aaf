import Foundation

/// Hugging Face config keys mapped to a `GPTConfig`. A key that is absent takes the value
/// of the `transformers` class's default: transformers 4 leaves keys at their defaults out of
/// config.json, and hand-written configs often do too.
struct HuggingFaceConfigKeys {
  let root: [String: Any]
  let fail: (String) -> ModelError

  func int(_ key: String, default value: Int) throws -> Int {
    guard let v = root[key], !(v is NSNull) else { return value }
    guard let n = v as? Int else { throw fail("\"\(key)\" must be an integer") }
    return n
  }

  func float(_ key: String, default value: Float) throws -> Float {
    guard let v = root[key], !(v is NSNull) else { return value }
    guard let n = v as? Double else { throw fail("\"\(key)\" must be a number") }
    return Float(n)
  }

  func bool(_ key: String, default value: Bool) throws -> Bool {
    guard let v = root[key], !(v is NSNull) else { return value }
    guard let b = v as? Bool else { throw fail("\"\(key)\" must be true or false") }
    return b
  }

  func string(_ key: String, default value: String) throws -> String {
    guard let v = root[key], !(v is NSNull) else { return value }
    guard let s = v as? String else { throw fail("\"\(key)\" must be a string") }
    return s
  }

  /// `GPT2Config`'s defaults: 768 wide, 12 layers and heads, 1024 positions, 50257 tokens.
  func gpt2() throws -> GPTConfig {
    var c = GPTConfig()
    c.positions = .learned; c.normalization = .layer; c.mlp = .gelu; c.bias = true
    c.vocabulary = try int("vocab_size", default: 50257)
    c.context = try int("n_positions", default: 1024)
    c.dim = try int("n_embd", default: 768)
    c.layers = try int("n_layer", default: 12)
    c.heads = try int("n_head", default: 12)
    c.hidden = try int("n_inner", default: 4 * c.dim)
    c.normEpsilon = try float("layer_norm_epsilon", default: 1e-5)
    c.dropout = try float("resid_pdrop", default: 0.1)
    c.tiedEmbeddings = try bool("tie_word_embeddings", default: true)
    let activation = try string("activation_function", default: "gelu_new")
    guard ["gelu_new", "gelu_pytorch_tanh"].contains(activation) else {
      throw fail("activation_function \"\(activation)\" is not supported: llmlab's GELU is the tanh approximation (\"gelu_new\")")
    }
    guard try bool("scale_attn_weights", default: true), try !bool("scale_attn_by_inverse_layer_idx", default: false) else {
      throw fail("llmlab scales attention by 1/√(head size) only (scale_attn_weights true, scale_attn_by_inverse_layer_idx false)")
    }
    return c
  }

  /// `LlamaConfig`'s defaults: 4096 wide, 32 layers and heads, 2048 positions, 32000 tokens.
  func llama() throws -> GPTConfig {
    var c = GPTConfig()
    c.positions = .rotary; c.normalization = .rms; c.mlp = .swiglu
    c.vocabulary = try int("vocab_size", default: 32000)
    c.dim = try int("hidden_size", default: 4096)
    c.hidden = try int("intermediate_size", default: 11008)
    c.layers = try int("num_hidden_layers", default: 32)
    c.heads = try int("num_attention_heads", default: 32)
    c.context = try int("max_position_embeddings", default: 2048)
    c.normEpsilon = try float("rms_norm_eps", default: 1e-6)
    c.ropeTheta = try float("rope_theta", default: 10_000)
    if let rope = root["rope_parameters"], !(rope is NSNull) {
      // transformers 5 keeps the frequency base here; only the unscaled ("default") kind is ours.
      guard let parameters = rope as? [String: Any], let theta = parameters["rope_theta"] as? Double else {
        throw fail("\"rope_parameters\" must be an object with a \"rope_theta\" number")
      }
      let kind = parameters["rope_type"] as? String ?? "default"
      guard kind == "default" else { throw fail("rope_type \"\(kind)\" is not supported (llmlab's rotary embedding is unscaled)") }
      c.ropeTheta = Float(theta)
    }
    c.dropout = try float("attention_dropout", default: 0)
    c.tiedEmbeddings = try bool("tie_word_embeddings", default: false)
    let attentionBias = try bool("attention_bias", default: false), mlpBias = try bool("mlp_bias", default: false)
    guard attentionBias == mlpBias else {
      throw fail("attention_bias (\(attentionBias)) and mlp_bias (\(mlpBias)) differ; llmlab has one bias option for both")
    }
    c.bias = attentionBias
    let kvHeads = try int("num_key_value_heads", default: c.heads)
    guard kvHeads == c.heads else {
      throw fail("num_key_value_heads \(kvHeads) differs from num_attention_heads \(c.heads): grouped-query attention is not supported")
    }
    if c.heads > 0, let headDim = root["head_dim"] as? Int, headDim != c.dim / c.heads {
      throw fail("head_dim \(headDim) is not hidden_size / num_attention_heads (\(c.dim / c.heads)), which llmlab requires")
    }
    let activation = try string("hidden_act", default: "silu")
    guard activation == "silu" else { throw fail("hidden_act \"\(activation)\" is not supported (SwiGLU uses \"silu\")") }
    if let scaling = root["rope_scaling"], !(scaling is NSNull) {
      throw fail("rope_scaling is not supported (llmlab's rotary embedding is unscaled)")
    }
    return c
  }
}
