import TensorEngine

/// Averages over the positions a mask keeps: in RLHF only the response tokens count, never
/// the prompt or the padding.
public enum Masked {
  /// Σ x·mask / Σ mask for a 0/1 mask broadcastable to x. An all-zero mask gives 0 (not NaN),
  /// still connected to the graph.
  public static func mean(_ x: Tensor, mask: Tensor) throws -> Tensor {
    let m = try mask.detached().expanded(to: x.shape)
    let kept = try m.summed().item()
    return try (x * m).summed() * (1 / Swift.max(kept, 1))
  }

  /// 1 where a target is a real token, 0 where it is the ignore index (negative, -100).
  public static func mask(fromTargets targets: Tensor) throws -> Tensor {
    try Tensor(shape: targets.shape, values: targets.toArray().map { $0 < 0 ? 0 : 1 })
  }
}
