import Foundation
import Testing
@testable import Models

/// `config.json`: llmlab's configuration round-trips exactly, Hugging Face's keys are
/// written for the layouts `transformers` has classes for, and configs written by
/// `transformers` are read.
@Suite("checkpoint config")
struct CheckpointConfigTests {
  static func object(_ data: Data) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test("every option round-trips through the llmlab key", arguments: CheckpointTests.layouts.indices)
  func roundTrip(_ which: Int) throws {
    var config = CheckpointTests.layouts[which].1
    config.normEpsilon = 1.5e-7
    config.dropout = 0.1
    for tied in [true, false] {
      config.tiedEmbeddings = tied
      #expect(try CheckpointConfig.decode(CheckpointConfig.encode(config)) == config)
    }
  }

  @Test("GPT-2's keys, and architectures only when transformers can load it")
  func gpt2Keys() throws {
    var config = CheckpointTests.layouts[0].1
    var json = try Self.object(CheckpointConfig.encode(config))
    #expect(json["model_type"] as? String == "gpt2")
    #expect(json["architectures"] as? [String] == ["GPT2LMHeadModel"])
    #expect(json["n_embd"] as? Int == 8 && json["n_layer"] as? Int == 2 && json["n_head"] as? Int == 2)
    #expect(json["n_positions"] as? Int == 6 && json["n_ctx"] as? Int == 6 && json["vocab_size"] as? Int == 11)
    #expect(json["n_inner"] as? Int == 32)
    #expect(json["activation_function"] as? String == "gelu_new")
    #expect(json["layer_norm_epsilon"] as? Double == 1e-5, "written as the decimal, not Float's widening")
    #expect(json["tie_word_embeddings"] as? Bool == true)
    #expect(json["bos_token_id"] == nil, "no tokenizer, no token ids")

    config.tiedEmbeddings = false
    json = try Self.object(CheckpointConfig.encode(config))
    #expect(json["architectures"] as? [String] == ["GPT2LMHeadModel"], "an untied head is lm_head.weight")
    config.bias = false
    json = try Self.object(CheckpointConfig.encode(config))
    #expect(json["architectures"] == nil)
    #expect(json["model_type"] as? String == "gpt2")
    #expect(CheckpointConfig.incompatibilityWithTransformers(config)?.contains("no biases") == true)
    #expect(CheckpointConfig.transformersArchitecture(CheckpointTests.layouts[2].1) == nil)
    #expect(CheckpointConfig.incompatibilityWithTransformers(CheckpointTests.layouts[2].1)?.contains("rotary positions, a SwiGLU MLP") == true)
  }

  @Test("LLaMA's keys")
  func llamaKeys() throws {
    var config = CheckpointTests.layouts[1].1
    config.bias = true
    let json = try Self.object(CheckpointConfig.encode(config, tokenizer: CharacterTokenizer(characters: ["x"])))
    #expect(json["model_type"] as? String == "llama")
    #expect(json["architectures"] as? [String] == ["LlamaForCausalLM"])
    #expect(json["hidden_size"] as? Int == 8 && json["intermediate_size"] as? Int == 32)
    #expect(json["num_hidden_layers"] as? Int == 2 && json["num_attention_heads"] as? Int == 2 && json["num_key_value_heads"] as? Int == 2)
    #expect(json["max_position_embeddings"] as? Int == 6)
    #expect(json["rms_norm_eps"] as? Double == 1e-6 && json["rope_theta"] as? Double == 500_000)
    #expect(json["attention_bias"] as? Bool == true && json["mlp_bias"] as? Bool == true)
    #expect(json["hidden_act"] as? String == "silu")
    #expect(json["tie_word_embeddings"] as? Bool == false)
    #expect(json["bos_token_id"] as? Int == 1 && json["eos_token_id"] as? Int == 1, "<|endoftext|> follows the one character")
  }

  /// config.json as transformers 5.24 writes it for `GPT2Config(n_embd=8, n_layer=2, n_head=2,
  /// n_positions=6, vocab_size=11, tie_word_embeddings=False)`.
  static let transformersGPT2 = """
    {"activation_function": "gelu_new", "add_cross_attention": false, "architectures": ["GPT2LMHeadModel"],
     "attn_pdrop": 0.1, "bos_token_id": 50256, "dtype": "float32", "embd_pdrop": 0.1, "eos_token_id": 50256,
     "initializer_range": 0.02, "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_embd": 8, "n_head": 2,
     "n_inner": null, "n_layer": 2, "n_positions": 6, "pad_token_id": null, "reorder_and_upcast_attn": false,
     "resid_pdrop": 0.1, "scale_attn_by_inverse_layer_idx": false, "scale_attn_weights": true,
     "summary_activation": null, "summary_first_dropout": 0.1, "summary_proj_to_labels": true,
     "summary_type": "cls_index", "summary_use_proj": true, "tie_word_embeddings": false,
     "transformers_version": "5.24.0", "use_cache": true, "vocab_size": 11}
    """

  /// config.json as transformers 5.24 writes it for `LlamaConfig(hidden_size=8,
  /// intermediate_size=32, num_hidden_layers=2, num_attention_heads=2,
  /// max_position_embeddings=6, vocab_size=11)`.
  static let transformersLlama = """
    {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 1,
     "dtype": "float32", "eos_token_id": 2, "head_dim": 4, "hidden_act": "silu", "hidden_size": 8,
     "initializer_range": 0.02, "intermediate_size": 32, "max_position_embeddings": 6, "mlp_bias": false,
     "model_type": "llama", "num_attention_heads": 2, "num_hidden_layers": 2, "num_key_value_heads": 2,
     "pad_token_id": null, "pretraining_tp": 1, "rms_norm_eps": 1e-06,
     "rope_parameters": {"rope_theta": 10000.0, "rope_type": "default"}, "tie_word_embeddings": false,
     "transformers_version": "5.24.0", "use_cache": true, "vocab_size": 11}
    """

  @Test("reads configs written by transformers")
  func readsTransformersConfigs() throws {
    let gpt2 = try CheckpointConfig.decode(Data(Self.transformersGPT2.utf8))
    #expect(gpt2.dim == 8 && gpt2.layers == 2 && gpt2.heads == 2 && gpt2.context == 6 && gpt2.vocabulary == 11)
    #expect(gpt2.isGPT2Shaped && gpt2.bias && !gpt2.tiedEmbeddings)
    #expect(gpt2.mlpHidden == 32 && gpt2.normEpsilon == 1e-5 && gpt2.dropout == 0.1)

    let llama = try CheckpointConfig.decode(Data(Self.transformersLlama.utf8))
    #expect(llama.isLLaMAShaped && !llama.bias && !llama.tiedEmbeddings)
    #expect(llama.dim == 8 && llama.layers == 2 && llama.heads == 2 && llama.context == 6 && llama.vocabulary == 11)
    #expect(llama.mlpHidden == 32 && llama.normEpsilon == 1e-6 && llama.ropeTheta == 10_000)

    // transformers 4.x: rope_theta at the top level, integers where floats are expected.
    let legacy = try CheckpointConfig.decode(Data(#"{"model_type": "llama", "hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 1, "intermediate_size": 16, "vocab_size": 5, "max_position_embeddings": 4, "rope_theta": 500000, "rms_norm_eps": 1e-05, "tie_word_embeddings": true}"#.utf8))
    #expect(legacy.ropeTheta == 500_000 && legacy.normEpsilon == 1e-5 && legacy.tiedEmbeddings && legacy.mlpHidden == 16)
    // Keys left out take the transformers class's defaults.
    let sparse = try CheckpointConfig.decode(Data(#"{"model_type": "gpt2", "n_embd": 16, "n_head": 2}"#.utf8))
    #expect(sparse.layers == 12 && sparse.context == 1024 && sparse.vocabulary == 50257 && sparse.tiedEmbeddings && sparse.mlpHidden == 64)
  }

  @Test(
    "configs llmlab cannot represent are refused with the reason",
    arguments: [
      (#"{"model_type": "bert"}"#, "model_type \"bert\" is not supported"),
      (#"{"n_embd": 8}"#, "no \"llmlab\" configuration and no \"model_type\""),
      (#"{"model_type": "gpt2", "activation_function": "relu"}"#, "activation_function \"relu\""),
      (#"{"model_type": "llama", "num_key_value_heads": 8}"#, "grouped-query attention"),
      (#"{"model_type": "llama", "hidden_size": 8, "num_attention_heads": 2, "rope_parameters": {"rope_type": "yarn", "rope_theta": 1.0}}"#, "rope_type \"yarn\""),
      (#"{"model_type": "llama", "attention_bias": true}"#, "attention_bias (true) and mlp_bias (false) differ"),
      (#"{"model_type": "gpt2", "n_embd": 10, "n_head": 3}"#, "dim (10) must be a multiple of heads (3)"),
      (#"{"model_type": "gpt2", "n_embd": "wide"}"#, "\"n_embd\" must be an integer"),
      ("[]", "not a JSON object"),
    ])
  func refused(_ json: String, _ expected: String) {
    #expect {
      _ = try CheckpointConfig.decode(Data(json.utf8), file: "dir/config.json")
    } throws: { error in
      let message = "\(error)"
      return message.hasPrefix("dir/config.json: ") && message.contains(expected)
    }
  }
}
