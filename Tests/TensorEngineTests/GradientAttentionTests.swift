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

/// The fused causal self-attention from a [q | k | v] projection, and attention over more
/// query rows than one block of the kernel (its causal skipping of masked keys).
@Suite("Gradients: fused and blocked attention")
struct GradientFusedAttentionTests {
  @Test("causal self-attention from a fused projection: gradient")
  func fusedGradient() throws {
    let qkv = TestData.normal([2, 5, 12], seed: 131)
    try checkGradients([qkv], "qkv [2, 5, 12], 2 heads") { try Tensor.causalSelfAttention(qkv: $0[0], heads: 2) }
  }

  @Test("causal self-attention equals split heads through scaledDotProductAttention")
  func fusedMatchesSplit() throws {
    let (b, t, heads, hd) = (2, 70, 3, 4)
    let d = heads * hd
    let qkv = TestData.normal([b, t, 3 * d], seed: 132)
    let fused = try Tensor.causalSelfAttention(qkv: qkv, heads: heads)
    let parts = try qkv.split(parts: 3, axis: -1).map { try $0.reshaped([b, t, heads, hd]).permuted([0, 2, 1, 3]) }
    let reference = try Tensor.scaledDotProductAttention(query: parts[0], key: parts[1], value: parts[2])
      .permuted([0, 2, 1, 3]).reshaped([b, t, d])
    expectClose(fused, reference.toArray(), shape: [b, t, d], tolerance: 1e-5)

    // And the same gradient for the projection.
    let g = TestData.normal([b, t, d], seed: 133)
    let x1 = qkv.requiringGrad(), x2 = qkv.requiringGrad()
    try Tensor.causalSelfAttention(qkv: x1, heads: heads).backward(gradient: g)
    let split = try x2.split(parts: 3, axis: -1).map { try $0.reshaped([b, t, heads, hd]).permuted([0, 2, 1, 3]) }
    try Tensor.scaledDotProductAttention(query: split[0], key: split[1], value: split[2])
      .permuted([0, 2, 1, 3]).reshaped([b, t, d]).backward(gradient: g)
    expectClose(try #require(x1.grad), try #require(x2.grad).toArray(), shape: [b, t, 3 * d], tolerance: 1e-5)
  }

  @Test("attention over more than one block of queries", arguments: [false, true])
  func blocks(_ causal: Bool) throws {
    // 70 queries: a full block of 64 and a partial one; 75 keys: a KV cache of 5 earlier.
    let q = TestData.normal([1, 70, 3], seed: 134), k = TestData.normal([1, 75, 3], seed: 135)
    let v = TestData.normal([1, 75, 2], seed: 136)
    try checkGradients([q, k, v], "blocks\(causal ? " causal" : "")") {
      try Tensor.scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], causal: causal)
    }
  }
}
