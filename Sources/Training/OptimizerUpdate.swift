import TensorEngine

/// One optimizer update from a scalar loss, as every training stage makes it: check that the
/// loss is finite, back-propagate, clip the global gradient norm, step.
enum OptimizerUpdate {
  enum Outcome {
    /// The update was applied: the loss and the gradient norm before clipping (0 unclipped).
    case applied(loss: Float, gradientNorm: Float)
    /// The loss was NaN or infinite; nothing was changed. The message says what to try.
    case diverged(String)

    var divergence: String? {
      if case .diverged(let why) = self { return why }
      return nil
    }
  }

  static func apply(_ loss: Tensor, optimizer: AdamW, clip: Float, step: Int, advice: String = "") throws -> Outcome {
    let value = try loss.item()
    guard value.isFinite else {
      return .diverged("the loss became \(value) at step \(step + 1); try a lower lr (now \(optimizer.learningRate))\(advice)")
    }
    try loss.backward()
    let norm = clip > 0 ? try clipGradientNorm(optimizer.parameters, maxNorm: clip) : 0
    try optimizer.step()
    return .applied(loss: value, gradientNorm: norm)
  }
}
