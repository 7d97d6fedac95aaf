import Testing
import TensorEngine

/// One attention configuration.
struct AttentionCase: Sendable, CustomTestStringConvertible {
  let query: [Int], key: [Int], value: [Int]
  let causal: Bool
  var scale: Float? = nil
  var testDescription: String { "q\(query) k\(key) v\(value)\(causal ? " causal" : "")\(scale.map { " scale \($0)" } ?? "")" }
}

/// Gradients of scaled dot-product attention with respect to query, key and value.
@Suite("Gradients: attention")
struct GradientAttentionTests {
  static let cases: [AttentionCase] = [
    AttentionCase(query: [2, 3, 4], key: [2, 3, 4], value: [2, 3, 4], causal: false),
    AttentionCase(query: [2, 3, 4], key: [2, 3, 4], value: [2, 3, 4], causal: true),
    AttentionCase(query: [1, 2, 3, 4], key: [1, 2, 3, 4], value: [1, 2, 3, 5], causal: true),
    AttentionCase(query: [2, 2, 3, 4], key: [2, 2, 3, 4], value: [2, 2, 3, 4], causal: false),
    // More keys than queries (a KV cache): query t sees keys up to t + (S − T).
    AttentionCase(query: [2, 2, 4], key: [2, 5, 4], value: [2, 5, 3], causal: true),
    AttentionCase(query: [1, 2, 2, 4], key: [1, 2, 5, 4], value: [1, 2, 5, 3], causal: true),
    AttentionCase(query: [2, 2, 4], key: [2, 5, 4], value: [2, 5, 3], causal: false),
    AttentionCase(query: [3, 9], key: [10, 9], value: [10, 2], causal: true, scale: 0.5),
  ]

  @Test("attention", arguments: cases)
  func attention(_ c: AttentionCase) throws {
    let q = TestData.normal(c.query, seed: 121), k = TestData.normal(c.key, seed: 122), v = TestData.normal(c.value, seed: 123)
    try checkGradients([q, k, v], c.testDescription) {
      try Tensor.scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], causal: c.causal, scale: c.scale)
    }
  }

  @Test("attention on head-split views (permuted, non-contiguous)")
  func attentionOfViews() throws {
    // [batch, time, heads, dim] → [batch, heads, time, dim], as a model splits heads.
    let q = TestData.normal([1, 3, 2, 4], seed: 124), k = TestData.normal([1, 3, 2, 4], seed: 125)
    let v = TestData.normal([1, 3, 2, 4], seed: 126)
    try checkGradients([q, k, v], "permuted heads") {
      try Tensor.scaledDotProductAttention(
        query: $0[0].permuted([0, 2, 1, 3]), key: $0[1].permuted([0, 2, 1, 3]), value: $0[2].permuted([0, 2, 1, 3]))
    }
  }

  /// The forward against a composition of basic operations (matmul, mask, softmax).
  @Test("attention values match the composition of basic operations", arguments: [false, true])
  func reference(_ causal: Bool) throws {
    let q = TestData.normal([2, 3, 4], seed: 127), k = TestData.normal([2, 5, 4], seed: 128)
    let v = TestData.normal([2, 5, 2], seed: 129)
    let fused = try Tensor.scaledDotProductAttention(query: q, key: k, value: v, causal: causal)
    var scores = try q.matmul(k.transposed()) * (1 / Float(4).squareRoot())
    if causal {
      // Query t sees keys up to t + 2.
      var mask = [Float]()
      for t in 0..<3 { for s in 0..<5 { mask.append(s <= t + 2 ? 0 : -1e30) } }
      scores = try scores + Tensor(shape: [3, 5], values: mask)
    }
    let reference = try scores.softmax().matmul(v)
    expectClose(fused, reference.toArray(), shape: [2, 3, 2], tolerance: 1e-5)
  }
}
