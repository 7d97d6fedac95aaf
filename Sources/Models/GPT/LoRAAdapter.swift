import TensorEngine

/// A low-rank adapter (LoRA, Hu et al. 2021) on one linear layer: the frozen weight W is
/// used as W + (α/r)·A·B, with A [in, r] initialized small and random and B [r, out] at
/// zero, so training starts from the unchanged model and updates only r·(in + out) numbers.
public final class LoRAAdapter: @unchecked Sendable {
  public let a: Tensor
  public let b: Tensor
  public let rank: Int
  public let alpha: Float
  public var dropout: Float
  /// Merged adapters are folded into the base weight and skipped in the forward pass.
  public internal(set) var merged = false

  public init(input: Int, output: Int, rank: Int, alpha: Float, dropout: Float = 0, name: String) throws {
    guard rank >= 1, rank <= Swift.min(input, output) else {
      throw ModelError("lora: rank must be 1 ... \(Swift.min(input, output)) for \(name) [\(input) → \(output)], got \(rank)")
    }
    self.rank = rank
    self.alpha = alpha
    self.dropout = dropout
    // PEFT initializes A with Kaiming-uniform; a small normal has the same effect here.
    a = try (Tensor.randn([input, rank]) * (1 / Float(input).squareRoot())).requiringGrad(name: name + ".lora_A")
    b = Tensor.zeros([rank, output]).requiringGrad(name: name + ".lora_B")
  }

  public var scale: Float { alpha / Float(rank) }

  /// The adapter's contribution for inputs x [..., in]: scale · (x·A)·B.
  func apply(_ x: Tensor, training: Bool = false) throws -> Tensor {
    let input = training && dropout > 0 ? try x.dropout(dropout) : x
    return try input.matmul(a).matmul(b) * scale
  }

  /// The full update scale·A·B [in, out] (what merging adds to the weight).
  public func delta() throws -> Tensor {
    try GradMode.withoutGradients { try a.matmul(b) * scale }
  }
}
