import TensorEngine

/// PPO's critic as a head on the policy's own transformer: a value per position,
///
///     V_t = h_t · w + b
///
/// read from the policy's final hidden states h_t (what its output layer reads too), as in
/// TRL's `AutoModelForCausalLMWithValueHead`. Sharing the body costs no second transformer,
/// and the value loss trains that body along with the policy loss (only the adapters, when
/// the policy has LoRA adapters). V_t estimates the return of the response from the state
/// "prompt + response tokens before t", so it is read at the position that predicts token t.
public final class ValueHead: @unchecked Sendable {
  /// [dim]
  public let weight: Tensor
  /// [] (a scalar)
  public let bias: Tensor

  /// With `std` 0 (the default) the head starts at zero: every value is 0, and the first
  /// updates move only the head, not the body it reads.
  public init(dim: Int, std: Float = 0, seed: UInt64 = 0) {
    var w = [Float](repeating: 0, count: dim)
    if std > 0 {
      var rng = RandomGenerator(seed: seed)
      w.withUnsafeMutableBufferPointer { rng.fillNormal($0, std: std) }
    }
    weight = Tensor(w).requiringGrad(name: "v_head.weight")
    bias = Tensor(scalar: 0).requiringGrad(name: "v_head.bias")
  }

  public var parameters: [Tensor] { [weight, bias] }

  /// Values [batch, time] from hidden states [batch, time, dim], differentiable.
  public func values(hidden: Tensor) throws -> Tensor {
    try hidden.matmul(weight) + bias
  }
}
