import Foundation
import TensorEngine

/// Rotary position embedding in the rotate-half form of LLaMA and `transformers`: for
/// position t and frequency θ_i = theta^(-2i/d), the head vector x becomes
/// x·cos(tθ) + rotate_half(x)·sin(tθ), where rotate_half(x) = [-x₂, x₁] for the two halves.
struct RotaryEmbedding {
  let cos: Tensor  // [count, headDim]
  let sin: Tensor
  let half: Int

  init(headDim: Int, start: Int, count: Int, theta: Float) throws {
    half = headDim / 2
    var c = [Float](repeating: 0, count: count * headDim)
    var s = c
    for t in 0..<count {
      for i in 0..<half {
        let freq = Foundation.pow(Double(theta), -2.0 * Double(i) / Double(headDim))
        let angle = Double(start + t) * freq
        c[t * headDim + i] = Float(Foundation.cos(angle)); c[t * headDim + i + half] = Float(Foundation.cos(angle))
        s[t * headDim + i] = Float(Foundation.sin(angle)); s[t * headDim + i + half] = Float(Foundation.sin(angle))
      }
    }
    cos = try Tensor(shape: [count, headDim], values: c)
    sin = try Tensor(shape: [count, headDim], values: s)
  }

  /// x: [batch, heads, count, headDim]
  func apply(_ x: Tensor) throws -> Tensor {
    let halves = try x.split(parts: 2, axis: -1)
    let rotated = try Tensor.concat([halves[1].negated(), halves[0]], axis: -1)
    return try x * cos + rotated * sin
  }
}
