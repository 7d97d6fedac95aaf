import Foundation
import TensorEngine

/// What training needs beyond the weights to resume exactly where it stopped: AdamW's step
/// count, hyperparameters and moments, by parameter name, plus free-form `info` such as the
/// seed or the number of batches seen (a data loader's position is the caller's to record).
///
/// Saved as `training_state.safetensors` (tensors `<parameter>.m` and `<parameter>.v`, the
/// first and second moments: PyTorch's `exp_avg` and `exp_avg_sq`) beside
/// `training_state.json` (everything else).
public struct TrainingState {
  public var step: Int
  public var learningRate: Float
  public var beta1: Float
  public var beta2: Float
  public var epsilon: Float
  /// Moments by parameter name; a parameter never updated has none.
  public var moments: [String: (m: Tensor, v: Tensor)]
  public var info: [String: String]

  public init(
    step: Int, learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
    moments: [String: (m: Tensor, v: Tensor)] = [:], info: [String: String] = [:]
  ) {
    self.step = step
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.moments = moments
    self.info = info
  }

  /// The optimizer's state, its parameters named after the model's. Every optimizer
  /// parameter must be one of the model's (the same tensor, not a copy of it).
  public init(optimizer: AdamW, model: GPTModel, info: [String: String] = [:]) throws {
    let names = try Self.names(of: optimizer, in: model)
    let (step, exported) = optimizer.state()
    var moments: [String: (m: Tensor, v: Tensor)] = [:]
    for (name, entry) in zip(names, exported) { if let entry { moments[name] = entry } }
    self.init(
      step: step, learningRate: optimizer.learningRate, beta1: optimizer.beta1, beta2: optimizer.beta2,
      epsilon: optimizer.epsilon, moments: moments, info: info)
  }

  /// Puts this state into an optimizer over `model`'s parameters (made after the model's
  /// weights were loaded: loading replaces the parameter tensors). Sets the step count, the
  /// moments and the hyperparameters; nothing changes unless every moment fits. Weight
  /// decay and which parameters it exempts come from how the optimizer was made.
  public func restore(into optimizer: AdamW, model: GPTModel) throws {
    let names = try Self.names(of: optimizer, in: model)
    let wanted = Set(names)
    if let stray = moments.keys.sorted().first(where: { !wanted.contains($0) }) {
      throw ModelError("training state: moments for \(stray), which this optimizer does not update")
    }
    do {
      try optimizer.restore(step: step, moments: names.map { moments[$0] })
    } catch let error as TensorError {
      throw ModelError("training state: \(error)")
    }
    optimizer.learningRate = learningRate
    optimizer.beta1 = beta1
    optimizer.beta2 = beta2
    optimizer.epsilon = epsilon
  }

  /// The model's name for each optimizer parameter, matched by storage (the optimizer
  /// updates the model's tensors in place, so they share it).
  private static func names(of optimizer: AdamW, in model: GPTModel) throws -> [String] {
    var byStorage: [ObjectIdentifier: String] = [:]
    for (name, tensor) in model.parameters { byStorage[ObjectIdentifier(tensor.storage)] = name }
    return try optimizer.parameters.enumerated().map { i, p in
      guard let name = byStorage[ObjectIdentifier(p.storage)] else {
        throw ModelError("training state: optimizer parameter \(i) (shape \(formatShape(p.shape))) is not one of the model's parameters (was the optimizer made before the weights were loaded?)")
      }
      return name
    }
  }
}
