/// Checkpoint names of a model's parameters: GPT-2's (`transformer.h.0.attn.c_attn.weight`)
/// or, for a LLaMA-shaped configuration, LLaMA's (`model.layers.0.self_attn.q_proj.weight`).
struct ParameterNames {
  let llama: Bool
  let config: GPTConfig

  init(config: GPTConfig) {
    self.config = config
    self.llama = config.isLLaMAShaped
  }

  /// GPT-2's Conv1D layers store [in, out]; LLaMA's Linear layers store [out, in].
  var storesTransposed: Bool { llama }
  func linearShape(input: Int, output: Int) -> [Int] { llama ? [output, input] : [input, output] }

  var tokenEmbedding: String { llama ? "model.embed_tokens.weight" : "transformer.wte.weight" }
  var positionEmbedding: String { "transformer.wpe.weight" }
  var finalNorm: String { llama ? "model.norm" : "transformer.ln_f" }
  var outputHead: String { "lm_head.weight" }

  func block(_ l: Int) -> String { llama ? "model.layers.\(l)" : "transformer.h.\(l)" }
  func norm1(_ l: Int) -> String { block(l) + (llama ? ".input_layernorm" : ".ln_1") }
  func norm2(_ l: Int) -> String { block(l) + (llama ? ".post_attention_layernorm" : ".ln_2") }

  func attentionInput(_ l: Int, _ d: Int) -> [(String, [Int])] {
    if llama {
      return ["q", "k", "v"].map { ("\(block(l)).self_attn.\($0)_proj.weight", [d, d]) }
    }
    return [("\(block(l)).attn.c_attn.weight", [d, 3 * d])]
  }

  func attentionInputBias(_ l: Int, _ d: Int) -> [(String, Int)] {
    if llama { return ["q", "k", "v"].map { ("\(block(l)).self_attn.\($0)_proj.bias", d) } }
    return [("\(block(l)).attn.c_attn.bias", 3 * d)]
  }

  func attentionOutput(_ l: Int) -> String { llama ? "\(block(l)).self_attn.o_proj.weight" : "\(block(l)).attn.c_proj.weight" }
  func attentionOutputBias(_ l: Int) -> String { llama ? "\(block(l)).self_attn.o_proj.bias" : "\(block(l)).attn.c_proj.bias" }

  /// The MLP's input projections: one for GELU, gate and up for SwiGLU.
  func mlpInput(_ l: Int, _ d: Int, _ h: Int) -> [(String, [Int])] {
    if llama {
      return [("\(block(l)).mlp.gate_proj.weight", [h, d]), ("\(block(l)).mlp.up_proj.weight", [h, d])]
    }
    if config.mlp == .swiglu {
      return [("\(block(l)).mlp.c_fc.weight", [d, h]), ("\(block(l)).mlp.c_fc2.weight", [d, h])]
    }
    return [("\(block(l)).mlp.c_fc.weight", [d, h])]
  }

  func mlpInputBias(_ l: Int, _ h: Int) -> [(String, Int)] {
    if llama { return [("\(block(l)).mlp.gate_proj.bias", h), ("\(block(l)).mlp.up_proj.bias", h)] }
    if config.mlp == .swiglu { return [("\(block(l)).mlp.c_fc.bias", h), ("\(block(l)).mlp.c_fc2.bias", h)] }
    return [("\(block(l)).mlp.c_fc.bias", h)]
  }

  func mlpOutput(_ l: Int) -> String { llama ? "\(block(l)).mlp.down_proj.weight" : "\(block(l)).mlp.c_proj.weight" }
  func mlpOutputBias(_ l: Int) -> String { llama ? "\(block(l)).mlp.down_proj.bias" : "\(block(l)).mlp.c_proj.bias" }
}
