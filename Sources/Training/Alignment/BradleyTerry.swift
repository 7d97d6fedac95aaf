import TensorEngine

/// The Bradley–Terry model of preferences: the chance that a judge prefers the chosen
/// response is σ(r_chosen − r_rejected), so only differences of rewards matter. Training a
/// reward model maximizes the likelihood of the judgements:
///
///     loss = mean over pairs of −log σ(r_c − r_r) = mean softplus(r_r − r_c)
///
/// It is ln 2 when the model cannot tell the two apart (margin 0) and falls toward 0 as the
/// margin grows. Its gradient on r_c is −σ(r_r − r_c)/B: pairs already ranked with a wide
/// margin contribute almost nothing, misranked pairs almost 1/B.
public enum BradleyTerry {
  /// Mean −log σ(chosen − rejected) over the batch: a scalar, differentiable.
  public static func loss(chosen: Tensor, rejected: Tensor) throws -> Tensor {
    try checkShapes(chosen, rejected, op: "bradley_terry")
    return try LogSigmoid.logSigmoid(chosen - rejected).mean().negated()
  }

  /// Fraction of pairs where the chosen response scores strictly higher (a tie is not a win).
  public static func accuracy(chosen: Tensor, rejected: Tensor) throws -> Float {
    try checkShapes(chosen, rejected, op: "bradley_terry")
    let (c, r) = (chosen.toArray(), rejected.toArray())
    guard !c.isEmpty else { return .nan }
    return Float(zip(c, r).filter { $0 > $1 }.count) / Float(c.count)
  }

  /// Mean of chosen − rejected.
  public static func margin(chosen: Tensor, rejected: Tensor) throws -> Float {
    try checkShapes(chosen, rejected, op: "bradley_terry")
    let (c, r) = (chosen.toArray(), rejected.toArray())
    guard !c.isEmpty else { return .nan }
    return Float(zip(c, r).reduce(0.0) { $0 + Double($1.0 - $1.1) } / Double(c.count))
  }

  static func checkShapes(_ a: Tensor, _ b: Tensor, op: String) throws {
    guard a.shape == b.shape, a.rank == 1 else {
      throw TensorError.shapeMismatch(op: op, shapes: [a.shape, b.shape], reason: "must both be [batch]: one score per pair")
    }
  }
}
