import Models
import TensorEngine

/// What an alignment stage trains, and a guard against copying a model whose adapters
/// would be lost.
public enum PolicyWeights {
  /// The adapters' tensors when the model has LoRA adapters (its base is then frozen),
  /// every parameter otherwise.
  /// Merged adapters are not applied in the forward pass, so they would get no gradient:
  /// training them is refused rather than silently doing nothing.
  public static func trainable(_ model: GPTModel) throws -> [Tensor] {
    guard model.isBaseFrozen else { return model.parameters.map(\.tensor) }
    if model.adapters.values.contains(where: \.merged) {
      throw ModelError("the model's LoRA adapters are merged into its weights, so training them would change nothing; "
        + "unmerge them to train them (m.unmerge()), or drop them to train the whole model (m.remove_adapters())")
    }
    return model.adapterParameters
  }

  /// `GPTModel.copy` copies the weights but not the adapters. A policy whose trained
  /// adapters are not merged would be copied without what they learned (a reference model
  /// or a reward model that is not the policy), so such a copy is refused. Fresh adapters
  /// (B = 0) change nothing and are fine.
  public static func requireCopyable(_ model: GPTModel, op: String) throws {
    let trained = model.adapters.filter { !$0.value.merged && $0.value.b.toArray().contains { $0 != 0 } }
    if let name = trained.keys.sorted().first {
      throw ModelError(
        "\(op): the model has trained LoRA adapters that are not merged (\(name) and \(trained.count - 1) more); "
          + "a copy would leave them out. Merge them first (m.merge()).")
    }
  }
}
