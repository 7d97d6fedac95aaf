import TensorEngine

/// One parameter of a configuration: its checkpoint name, shape and initial values.
struct ParameterSpec {
  enum Initial {
    case normal(std: Float)
    case zeros
    case ones
  }

  let name: String
  let shape: [Int]
  let initial: Initial

  func initialValue() throws -> Tensor {
    switch initial {
    case .normal(let std): return try Tensor.randn(shape) * std
    case .zeros: return Tensor.zeros(shape)
    case .ones: return Tensor.ones(shape)
    }
  }
}

extension ParameterNames {
  /// Every parameter of the configuration in the model's order, known without building the
  /// model: `GPTModel` creates them from it and a checkpoint is checked against it.
  ///
  /// GPT-2's initialization: weights ~ N(0, 0.02), the projections that write into the
  /// residual stream scaled by 1/√(2·layers), biases 0, norm weights 1.
  func layout() -> [ParameterSpec] {
    let d = config.dim, h = config.mlpHidden, v = config.vocabulary
    let residualStd = 0.02 / Float(2 * config.layers).squareRoot()
    var specs: [ParameterSpec] = []
    func weight(_ name: String, _ shape: [Int], std: Float = 0.02) { specs.append(ParameterSpec(name: name, shape: shape, initial: .normal(std: std))) }
    func bias(_ name: String, _ size: Int) { specs.append(ParameterSpec(name: name, shape: [size], initial: .zeros)) }
    func norm(_ prefix: String) {
      specs.append(ParameterSpec(name: prefix + ".weight", shape: [d], initial: .ones))
      if config.normalization == .layer && config.bias { bias(prefix + ".bias", d) }
    }
    weight(tokenEmbedding, [v, d])
    if config.positions == .learned { weight(positionEmbedding, [config.context, d]) }
    for l in 0..<config.layers {
      norm(norm1(l))
      for (name, shape) in attentionInput(l, d) { weight(name, shape) }
      if config.bias { for (name, size) in attentionInputBias(l, d) { bias(name, size) } }
      weight(attentionOutput(l), linearShape(input: d, output: d), std: residualStd)
      if config.bias { bias(attentionOutputBias(l), d) }
      norm(norm2(l))
      for (name, shape) in mlpInput(l, d, h) { weight(name, shape) }
      if config.bias { for (name, size) in mlpInputBias(l, h) { bias(name, size) } }
      weight(mlpOutput(l), linearShape(input: h, output: d), std: residualStd)
      if config.bias { bias(mlpOutputBias(l), d) }
    }
    norm(finalNorm)
    if !config.tiedEmbeddings { weight(outputHead, [v, d]) }
    return specs
  }
}
