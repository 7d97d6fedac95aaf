import Foundation

/// A checkpoint's `config.json`: Hugging Face's keys for the layout, plus llmlab's own
/// configuration under `"llmlab"`.
///
/// The Hugging Face keys are those of `GPT2Config` (GPT-2 naming) or `LlamaConfig`
/// (LLaMA-shaped models: rotary positions, RMSNorm and SwiGLU together). llmlab's full
/// `GPTConfig` is stored beside them so that every configuration round-trips exactly,
/// including mixed ones (say rotary positions with LayerNorm) that `transformers` has no
/// class for. Reading prefers `"llmlab"`; without it the Hugging Face keys are mapped back,
/// so a config written by `transformers` itself is read too.
///
/// Which configurations `transformers` can load (and then gives the same logits):
/// - LLaMA-shaped, any other options: `LlamaForCausalLM` (`attention_bias` and `mlp_bias`
///   follow `bias`; tied or untied embeddings).
/// - GPT-2-shaped (learned positions, LayerNorm, GELU) with `bias: true`: `GPT2LMHeadModel`
///   (tied or untied embeddings; an untied head is saved as `lm_head.weight`).
/// - Anything else is written with GPT-2's keys but no `"architectures"`: GPT-2 has biases
///   on every linear layer and LayerNorm, and no rotary, RMSNorm or SwiGLU, so its class
///   would not hold these weights. `incompatibilityWithTransformers(_:)` says why.
/// - With a score head (a reward model), the sequence-classification class of the same body
///   (`CheckpointConfig+ScoreHead.swift`).
public enum CheckpointConfig {
  /// The `transformers` class that loads this configuration, or nil: a language model's, or
  /// with a score head (a reward model) the sequence-classification one of the same body.
  public static func transformersArchitecture(_ config: GPTConfig, scoreHead: Bool = false) -> String? {
    if config.isLLaMAShaped { return scoreHead ? "LlamaForSequenceClassification" : "LlamaForCausalLM" }
    guard incompatibilityWithTransformers(config) == nil else { return nil }
    return scoreHead ? "GPT2ForSequenceClassification" : "GPT2LMHeadModel"
  }

  /// Why `transformers` cannot load this configuration, or nil when it can.
  public static func incompatibilityWithTransformers(_ config: GPTConfig) -> String? {
    if config.isLLaMAShaped { return nil }
    var reasons: [String] = []
    if config.positions != .learned { reasons.append("rotary positions") }
    if config.normalization != .layer { reasons.append("RMSNorm") }
    if config.mlp != .gelu { reasons.append("a SwiGLU MLP") }
    if reasons.isEmpty && !config.bias { reasons.append("no biases") }
    guard !reasons.isEmpty else { return nil }
    return "GPT-2 has learned positions, LayerNorm, a GELU MLP and biases everywhere; this model has \(reasons.joined(separator: ", "))"
      + " (LLaMA's class needs rotary positions, RMSNorm and SwiGLU together)"
  }

  // MARK: Writing

  /// `config.json`'s bytes. The tokenizer, when given, supplies `bos_token_id` and
  /// `eos_token_id` (its `<|endoftext|>`). With `scoreHead` the keys of a score head are
  /// added (see `scoreHeadKeys`).
  public static func encode(_ config: GPTConfig, tokenizer: Tokenizer? = nil, scoreHead: Bool = false) throws -> Data {
    var root: [String: Any] = config.isLLaMAShaped ? llamaKeys(config) : gpt2Keys(config)
    if let architecture = transformersArchitecture(config, scoreHead: scoreHead) { root["architectures"] = [architecture] }
    if scoreHead { root.merge(scoreHeadKeys) { $1 } }
    if let end = tokenizer?.specialTokens[SpecialTokens.endOfText] {
      root["bos_token_id"] = end
      root["eos_token_id"] = end
    }
    root["dtype"] = "float32"  // transformers 5's key
    root["torch_dtype"] = "float32"  // earlier versions'
    let ours = try JSONEncoder().encode(config)
    root["llmlab"] = try JSONSerialization.jsonObject(with: ours)
    return try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
  }

  /// A Float as the decimal it was written as (0.1, not 0.10000000149011612).
  private static func decimal(_ x: Float) -> Double { Double("\(x)") ?? Double(x) }

  private static func gpt2Keys(_ c: GPTConfig) -> [String: Any] {
    [
      "model_type": "gpt2",
      "vocab_size": c.vocabulary,
      "n_positions": c.context,
      "n_ctx": c.context,
      "n_embd": c.dim,
      "n_layer": c.layers,
      "n_head": c.heads,
      "n_inner": c.mlpHidden,
      "activation_function": "gelu_new",
      "layer_norm_epsilon": decimal(c.normEpsilon),
      "resid_pdrop": decimal(c.dropout),
      "embd_pdrop": decimal(c.dropout),
      "attn_pdrop": decimal(c.dropout),
      "initializer_range": 0.02,
      "scale_attn_weights": true,
      "tie_word_embeddings": c.tiedEmbeddings,
      "use_cache": true,
    ]
  }

  private static func llamaKeys(_ c: GPTConfig) -> [String: Any] {
    [
      "model_type": "llama",
      "vocab_size": c.vocabulary,
      "hidden_size": c.dim,
      "intermediate_size": c.mlpHidden,
      "num_hidden_layers": c.layers,
      "num_attention_heads": c.heads,
      "num_key_value_heads": c.heads,
      "head_dim": c.headDim,
      "max_position_embeddings": c.context,
      "hidden_act": "silu",
      "rms_norm_eps": decimal(c.normEpsilon),
      // transformers 5 reads `rope_parameters`, earlier versions `rope_theta`.
      "rope_theta": decimal(c.ropeTheta),
      "rope_parameters": ["rope_theta": decimal(c.ropeTheta), "rope_type": "default"] as [String: Any],
      "attention_bias": c.bias,
      "mlp_bias": c.bias,
      "attention_dropout": decimal(c.dropout),
      "initializer_range": 0.02,
      "tie_word_embeddings": c.tiedEmbeddings,
      "use_cache": true,
    ]
  }

  // MARK: Reading

  /// The configuration in `config.json`: llmlab's own when present, else mapped from the
  /// Hugging Face keys of a GPT-2 or LLaMA config. Validated before it is returned.
  public static func decode(_ data: Data, file: String = "config.json") throws -> GPTConfig {
    func fail(_ message: String) -> ModelError { ModelError("\(file): \(message)") }
    guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
      throw fail("not a JSON object (is the file truncated?)")
    }
    let config: GPTConfig
    if let ours = root["llmlab"] {
      do {
        config = try JSONDecoder().decode(GPTConfig.self, from: JSONSerialization.data(withJSONObject: ours))
      } catch let DecodingError.keyNotFound(key, _) {
        throw fail("the \"llmlab\" configuration has no \"\(key.stringValue)\"")
      } catch {
        throw fail("the \"llmlab\" configuration is not one llmlab can read (\(error))")
      }
    } else {
      let keys = HuggingFaceConfigKeys(root: root, fail: fail)
      switch root["model_type"] as? String {
      case "gpt2": config = try keys.gpt2()
      case "llama": config = try keys.llama()
      case let other?: throw fail("model_type \"\(other)\" is not supported (llmlab reads \"gpt2\" and \"llama\")")
      case nil: throw fail("no \"llmlab\" configuration and no \"model_type\"")
      }
    }
    do {
      try config.validate()
    } catch let e as ModelError {
      throw fail(e.description)
    }
    return config
  }
}
