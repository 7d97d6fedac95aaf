/// Dropout: zeroes each element with probability p and scales the rest by 1/(1 − p), so
/// the expected value is unchanged. The mask comes from the shared seeded generator.
extension Tensor {
  public func dropout(_ p: Float, training: Bool = true) throws -> Tensor {
    guard p >= 0 && p < 1 else {
      throw TensorError.invalidArgument(op: "dropout", message: "probability must be in [0, 1), got \(p)")
    }
    if !training || p == 0 { return self }
    let mask = Tensor(uninitializedShape: shape)
    let keep = 1 / (1 - p)
    Random.using { rng in
      for i in 0..<mask.count { mask.base[i] = rng.nextUniform() < p ? 0 : keep }
    }
    let out = try Kernels.zip(self, mask, op: "dropout") { $0 * $1 }
    return Autograd.record(out, inputs: [self], op: "dropout") { g in [try g * mask] }
  }
}
