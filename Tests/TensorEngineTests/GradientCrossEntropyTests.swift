import Testing
import TensorEngine

/// Gradients of the fused cross-entropy loss: plain, with ignored rows, with label
/// smoothing, and with a batch of sequences (rank-3 logits).
@Suite("Gradients: cross-entropy")
struct GradientCrossEntropyTests {
  @Test("plain, 11 classes (vector loop and tail)")
  func plain() throws {
    let logits = TestData.normal([4, 11], seed: 101)
    let targets = TestData.ids([4], classes: 11, seed: 102)
    try checkGradients([logits], "cross-entropy") { try Tensor.crossEntropy(logits: $0[0], targets: targets) }
  }

  @Test("rank-3 logits and a single row")
  func shapes() throws {
    let logits = TestData.normal([2, 3, 5], seed: 103)
    let targets = TestData.ids([2, 3], classes: 5, seed: 104)
    try checkGradients([logits], "cross-entropy [2,3,5]") { try Tensor.crossEntropy(logits: $0[0], targets: targets) }
    let row = TestData.normal([6], seed: 105)
    try checkGradients([row], "cross-entropy one row") { try Tensor.crossEntropy(logits: $0[0], targets: Tensor(scalar: 4)) }
  }

  @Test("ignored rows get no gradient and are not counted", arguments: [-100, 7])
  func ignoreIndex(_ ignore: Int) throws {
    let logits = TestData.normal([4, 5], seed: 106)
    let targets = Tensor([2, Float(ignore), 0, Float(ignore)])
    try checkGradients([logits], "ignoreIndex \(ignore)") {
      try Tensor.crossEntropy(logits: $0[0], targets: targets, ignoreIndex: ignore)
    }
    let p = logits.requiringGrad()
    try Tensor.crossEntropy(logits: p, targets: targets, ignoreIndex: ignore).backward()
    let g = try #require(p.grad)
    #expect(try g.selected(axis: 0, index: 1).toArray() == [0, 0, 0, 0, 0])
    #expect(try g.selected(axis: 0, index: 3).toArray() == [0, 0, 0, 0, 0])
  }

  @Test("label smoothing", arguments: [0.1, 0.5] as [Float])
  func labelSmoothing(_ eps: Float) throws {
    // Few classes: the smoothing mass ε/C per class is large enough to be checked sharply.
    let logits = TestData.normal([3, 4], seed: 107)
    let targets = TestData.ids([3], classes: 4, seed: 108)
    try checkGradients([logits], "labelSmoothing \(eps)") {
      try Tensor.crossEntropy(logits: $0[0], targets: targets, labelSmoothing: eps)
    }
  }

  @Test("label smoothing together with ignored rows")
  func smoothingAndIgnore() throws {
    let logits = TestData.normal([3, 4], seed: 109)
    let targets = Tensor([1, -100, 3])
    try checkGradients([logits], "smoothing + ignore") {
      try Tensor.crossEntropy(logits: $0[0], targets: targets, labelSmoothing: 0.2)
    }
  }

  @Test("non-contiguous logits")
  func viewLogits() throws {
    let logits = TestData.normal([5, 3], seed: 110)
    let targets = Tensor([4, 0, 2])
    try checkGradients([logits], "cross-entropy(logitsᵀ)") { try Tensor.crossEntropy(logits: $0[0].transposed(), targets: targets) }
  }
}
