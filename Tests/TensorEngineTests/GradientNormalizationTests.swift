import Testing
import TensorEngine

/// Gradients of layer normalization and RMS normalization with respect to the input and,
/// when present, the weight and bias. Rows of 11 cover the vector loop and its tail.
@Suite("Gradients: normalization")
struct GradientNormalizationTests {
  @Test("layerNorm with weight and bias", arguments: [[2, 5], [2, 3, 11], [16]])
  func layerNormAffine(_ shape: [Int]) throws {
    let d = shape.last!
    let x = TestData.normal(shape, seed: 81), w = TestData.normal([d], seed: 82), b = TestData.normal([d], seed: 83)
    try checkGradients([x, w, b], "layerNorm \(shape)") { try $0[0].layerNorm(weight: $0[1], bias: $0[2]) }
  }

  @Test("layerNorm without weight and bias", arguments: [[2, 5], [3, 11]])
  func layerNormPlain(_ shape: [Int]) throws {
    try checkGradients([TestData.normal(shape, seed: 84)], "layerNorm plain \(shape)") {
      try $0[0].layerNorm(weight: nil, bias: nil)
    }
  }

  @Test("layerNorm with only a weight, or only a bias")
  func layerNormPartial() throws {
    let x = TestData.normal([3, 6], seed: 85), p = TestData.normal([6], seed: 86)
    try checkGradients([x, p], "weight only") { try $0[0].layerNorm(weight: $0[1], bias: nil) }
    try checkGradients([x, p], "bias only") { try $0[0].layerNorm(weight: nil, bias: $0[1]) }
  }

  @Test("rmsNorm with and without weight", arguments: [[2, 5], [2, 3, 11]])
  func rmsNorm(_ shape: [Int]) throws {
    let d = shape.last!
    let x = TestData.normal(shape, seed: 87), w = TestData.normal([d], seed: 88)
    try checkGradients([x, w], "rmsNorm \(shape)") { try $0[0].rmsNorm(weight: $0[1]) }
    try checkGradients([x], "rmsNorm plain \(shape)") { try $0[0].rmsNorm(weight: nil) }
  }

  @Test("normalization of a non-contiguous input")
  func normalizeView() throws {
    let x = TestData.normal([5, 3], seed: 89), w = TestData.normal([5], seed: 90)
    try checkGradients([x, w], "layerNorm(xᵀ)") { try $0[0].transposed().layerNorm(weight: $0[1], bias: nil) }
    try checkGradients([x, w], "rmsNorm(xᵀ)") { try $0[0].transposed().rmsNorm(weight: $0[1]) }
  }

  @Test("layerNorm values: zero mean and unit variance per row")
  func layerNormValues() throws {
    let x = try Tensor(shape: [2, 4], values: [1, 2, 3, 4, -5, 0, 5, 10])
    let y = try x.layerNorm(weight: nil, bias: nil, eps: 0)
    expectClose(try y.mean(axis: -1), [0, 0], tolerance: 1e-6)
    expectClose(try y.variance(axes: [-1]), [1, 1], tolerance: 1e-5)
    // Row 0: mean 2.5, population variance 1.25.
    let s = 1 / Float(1.25).squareRoot()
    expectClose(try y.selected(axis: 0, index: 0), [-1.5 * s, -0.5 * s, 0.5 * s, 1.5 * s])
    let r = try x.rmsNorm(weight: nil, eps: 0)
    let rms = Float((1 + 4 + 9 + 16) / 4.0).squareRoot()
    expectClose(try r.selected(axis: 0, index: 0), [1 / rms, 2 / rms, 3 / rms, 4 / rms])
  }
}
