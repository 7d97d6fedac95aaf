import TensorEngine

/// log σ(x) and softplus(x) = log(1 + eˣ), stable for every x and with the exact gradient
/// everywhere, x = 0 included.
///
/// Both preference losses are −log σ(margin) = softplus(−margin). Written naively,
/// −log(sigmoid(x)) gives −log 0 = ∞ once σ(x) underflows (x below about −88 in float32).
/// The textbook stable form max(x, 0) + log(1 + e^(−|x|)) has the right value, but its two
/// kinks cancel only in exact arithmetic: with the engine's subgradients (relu′(0) = 0,
/// |x|′(0) = 0) its gradient at x = 0 is 0 instead of ½, and x = 0 is exactly where DPO
/// starts (policy = reference), so nothing would ever be learned.
///
/// Instead: log σ(x) = log(eˣ / (eˣ + e⁰)) is the log-softmax of the pair (x, 0) at its first
/// entry, which the engine computes stably (max subtracted) with the gradient 1 − σ(x).
public enum LogSigmoid {
  /// log σ(x) element-wise, any shape.
  public static func logSigmoid(_ x: Tensor) throws -> Tensor {
    let pair = try Tensor.stack([x, Tensor.zeros(x.shape)], axis: -1)
    return try pair.logSoftmax(axis: -1).selected(axis: -1, index: 0)
  }

  /// softplus(x) = log(1 + eˣ) = −log σ(−x), element-wise.
  public static func softplus(_ x: Tensor) throws -> Tensor {
    try logSigmoid(x.negated()).negated()
  }
}
