import Foundation
import TensorEngine

/// Adding, merging and saving low-rank adapters on a model.
extension GPTModel {
  /// Puts a fresh adapter on every linear weight of the chosen kinds ("attn", "mlp") or
  /// names; returns the names adapted. The base weights are frozen (no gradients) while
  /// adapters are attached, so training updates only the adapters.
  @discardableResult
  public func addLoRA(rank: Int, alpha: Float, dropout: Float = 0, targets: [String] = ["attn"]) throws -> [String] {
    guard !targets.isEmpty else { throw ModelError("lora: targets must name at least one kind (\"attn\", \"mlp\") or weight") }
    // A target is a kind ("attn", "mlp"), a module name as in PEFT ("c_attn", "q_proj"), or a weight's full name.
    let chosen = linearWeights().filter { w in
      targets.contains(w.kind) || targets.contains { t in w.name == t || w.name.contains("." + t + ".") }
    }
    guard !chosen.isEmpty else {
      throw ModelError("lora: no linear weight matches targets \(targets); use \"attn\", \"mlp\" or a weight name such as \(linearWeights().first?.name ?? "")")
    }
    for w in chosen {
      adapters[w.name] = try LoRAAdapter(input: w.input, output: w.output, rank: rank, alpha: alpha, dropout: dropout, name: w.name)
    }
    setBaseFrozen(true)
    return chosen.map(\.name)
  }

  /// The adapters' trainable tensors (A and B of each), in a stable order.
  public var adapterParameters: [Tensor] {
    adapters.keys.sorted().flatMap { [adapters[$0]!.a, adapters[$0]!.b] }
  }

  /// Folds every adapter into its base weight (W += scale·A·B): the merged model computes
  /// the same function with no extra cost per token.
  public func mergeAdapters() throws {
    for (name, adapter) in adapters where !adapter.merged {
      try addToWeight(name, adapter.delta(), sign: 1)
      adapter.merged = true
    }
  }

  /// Takes merged adapters back out of the weights (W -= scale·A·B).
  public func unmergeAdapters() throws {
    for (name, adapter) in adapters where adapter.merged {
      try addToWeight(name, adapter.delta(), sign: -1)
      adapter.merged = false
    }
  }

  /// Drops the adapters (merge first to keep what they learned) and unfreezes the base.
  public func removeAdapters() {
    adapters = [:]
    setBaseFrozen(false)
  }

  func addToWeight(_ name: String, _ delta: Tensor, sign: Float) throws {
    guard let i = parameters.firstIndex(where: { $0.name == name }) else { throw ModelError("lora: no weight \(name)") }
    let w = parameters[i].tensor
    // GPT-2 stores [in, out] like the delta; LLaMA stores [out, in].
    let d = names.storesTransposed ? try delta.transposed().contiguous() : delta
    guard d.shape == w.shape else { throw ModelError("lora: adapter for \(name) has shape \(formatShape(d.shape)), the weight \(formatShape(w.shape))") }
    let values = d.toArray()
    let base = w.storage.base + w.offset
    for j in 0..<values.count { base[j] += sign * values[j] }
  }

  /// Frozen base weights are plain tensors (no autograd), so backward computes no gradient
  /// for them; unfreezing makes them parameters again. The values are shared either way.
  func setBaseFrozen(_ frozen: Bool) {
    for i in parameters.indices {
      let (name, t) = parameters[i]
      parameters[i].tensor = frozen ? t.detached() : (t.requiresGrad ? t : t.requiringGrad(name: name))
    }
  }

  public var isBaseFrozen: Bool { parameters.first.map { !$0.tensor.requiresGrad } ?? false }

  /// Writes the adapters on their own in PEFT's format: `adapter_model.safetensors` with
  /// `base_model.model.<module>.lora_A.weight` [r, in] and `lora_B.weight` [out, r], and
  /// `adapter_config.json`.
  public func saveAdapters(to directory: String) throws {
    guard !adapters.isEmpty else { throw ModelError("lora: the model has no adapters to save") }
    var tensors: [(name: String, tensor: Tensor)] = []
    for name in adapters.keys.sorted() {
      let adapter = adapters[name]!
      let module = "base_model.model." + (name.hasSuffix(".weight") ? String(name.dropLast(7)) : name)
      tensors.append((module + ".lora_A.weight", try adapter.a.detached().transposed().contiguous()))
      tensors.append((module + ".lora_B.weight", try adapter.b.detached().transposed().contiguous()))
    }
    let first = adapters.values.first!
    let modules = Set(adapters.keys.map { key -> String in
      let parts = key.split(separator: ".")
      return parts.count >= 2 ? String(parts[parts.count - 2]) : key
    }).sorted()
    let config: [String: Any] = [
      "peft_type": "LORA", "task_type": "CAUSAL_LM", "r": first.rank, "lora_alpha": first.alpha,
      "lora_dropout": first.dropout, "target_modules": modules, "bias": "none",
      "fan_in_fan_out": !names.storesTransposed, "inference_mode": true,
      "base_model_name_or_path": NSNull(),
    ]
    try AtomicFile.createDirectory(directory)
    try SafeTensorsFile(tensors: tensors, metadata: ["format": "pt"]).write(to: directory + "/adapter_model.safetensors")
    let json = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    try AtomicFile.write(json, to: directory + "/adapter_config.json")
  }
}

extension GPTModel {
  /// An independent copy of the model (weights copied, adapters not), for a frozen
  /// reference model in DPO and PPO, or a reward model started from a policy.
  public func copy(frozen: Bool = false) throws -> GPTModel {
    var weights: [String: Tensor] = [:]
    for (name, t) in parameters {
      var c = Tensor.zeros(t.shape)
      try c.withMutableElements { dst in
        t.withElements { src in _ = dst.update(from: src) }
      }
      weights[name] = c
    }
    let m = try GPTModel(config: config, weights: weights)
    if frozen { m.setBaseFrozen(true) }
    return m
  }
}
