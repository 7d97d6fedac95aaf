import Testing
import TensorEngine

/// Misuse throws a `TensorError` whose description names the operation and the shapes (or
/// the axis or index), so that the REPL can print it and carry on.
@Suite("Errors")
struct ErrorTests {
  /// Runs `body`, requires a `TensorError`, and checks that its description mentions every
  /// fragment (operation name, shapes).
  func expectError(
    _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
  ) {
    do {
      try body()
      Issue.record("expected a TensorError mentioning \(fragments)", sourceLocation: sourceLocation)
    } catch let error as TensorError {
      for f in fragments {
        #expect(error.description.contains(f), "\"\(error.description)\" does not mention \(f)", sourceLocation: sourceLocation)
      }
    } catch {
      Issue.record("expected a TensorError, got \(error)", sourceLocation: sourceLocation)
    }
  }

  @Test("element-wise shape mismatch names the operation and both shapes")
  func elementWise() {
    let a = Tensor.zeros([2, 3]), b = Tensor.zeros([4])
    expectError(["add", "[2, 3]", "[4]"]) { _ = try a + b }
    expectError(["subtract", "[2, 3]", "[4]"]) { _ = try a - b }
    expectError(["multiply", "[2, 3]", "[4]"]) { _ = try a * b }
    expectError(["divide", "[2, 3]", "[4]"]) { _ = try a / b }
    expectError(["pow", "[2, 3]", "[4]"]) { _ = try a.pow(b) }
    expectError(["where"]) { _ = try Tensor.select(where: a, a, b) }
    expectError(["add", "[3, 2]", "[2, 3]"]) { _ = try Tensor.zeros([3, 2]) + a }
  }

  @Test("matmul: inner dimensions, batch axes, scalars")
  func matmul() {
    expectError(["matmul", "[2, 3]", "[4, 5]"]) { _ = try Tensor.zeros([2, 3]).matmul(Tensor.zeros([4, 5])) }
    expectError(["matmul", "[2, 3, 4]", "[3, 4, 5]"]) { _ = try Tensor.zeros([2, 3, 4]).matmul(Tensor.zeros([3, 4, 5])) }
    expectError(["matmul", "[]"]) { _ = try Tensor(scalar: 1).matmul(Tensor.zeros([2])) }
    expectError(["matmul"]) { _ = try Tensor.zeros([3]).matmul(Tensor.zeros([4])) }
  }

  @Test("concat, stack and split")
  func joining() {
    expectError(["concat", "[2, 3]", "[2, 4]"]) { _ = try Tensor.concat([Tensor.zeros([2, 3]), Tensor.zeros([2, 4])], axis: 0) }
    expectError(["concat", "[2, 3]", "[3]"]) { _ = try Tensor.concat([Tensor.zeros([2, 3]), Tensor.zeros([3])]) }
    expectError(["concat"]) { _ = try Tensor.concat([]) }
    expectError(["stack", "[2]", "[3]"]) { _ = try Tensor.stack([Tensor.zeros([2]), Tensor.zeros([3])]) }
    expectError(["split", "[1, 1]"]) { _ = try Tensor.zeros([3]).split(sizes: [1, 1]) }
    expectError(["split"]) { _ = try Tensor.zeros([3]).split(parts: 2) }
  }

  @Test("bad axes name the operation, the axis and the rank")
  func axes() {
    let x = Tensor.zeros([2, 3])
    expectError(["sum", "axis 2", "rank 2"]) { _ = try x.summed(axis: 2) }
    expectError(["mean", "axis -3"]) { _ = try x.mean(axis: -3) }
    expectError(["max", "axis 5"]) { _ = try x.max(axis: 5) }
    expectError(["softmax", "axis 2"]) { _ = try x.softmax(axis: 2) }
    expectError(["log_softmax", "axis -3"]) { _ = try x.logSoftmax(axis: -3) }
    expectError(["transpose", "axis 3"]) { _ = try x.transposed(0, 3) }
    expectError(["permute"]) { _ = try x.permuted([0, 0]) }
    expectError(["permute"]) { _ = try x.permuted([0]) }
    expectError(["slice", "axis 2"]) { _ = try x.sliced(axis: 2) }
    expectError(["slice", "step"]) { _ = try x.sliced(axis: 0, step: 0) }
    expectError(["concat", "axis 2"]) { _ = try Tensor.concat([x, x], axis: 2) }
    expectError(["unsqueeze", "axis 4"]) { _ = try x.unsqueezed(4) }
    expectError(["squeeze", "size 2"]) { _ = try x.squeezed(0) }
    expectError(["gather", "axis 2"]) { _ = try x.gather(axis: 2, index: x) }
    expectError(["topk"]) { _ = try x.topK(1, axis: 3) }
    expectError(["var", "axis 9"]) { _ = try x.variance(axes: [9]) }
  }

  @Test("indices out of range name the operation, the index and the size")
  func indices() {
    let x = try! Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
    expectError(["index", "index 3", "size 3"]) { _ = try x.element(at: [0, 3]) }
    expectError(["index", "-3", "size 2"]) { _ = try x.element(at: [-3, 0]) }
    expectError(["index", "2 indices", "rank 1"]) { _ = try Tensor([1]).element(at: [0, 0]) }
    expectError(["select", "index 2", "size 2"]) { _ = try x.selected(axis: 0, index: 2) }
    expectError(["embedding", "index 3", "size 3"]) { _ = try Tensor.embedding(Tensor.zeros([3, 2]), ids: Tensor([0, 3])) }
    expectError(["embedding", "-1"]) { _ = try Tensor.embedding(Tensor.zeros([3, 2]), ids: Tensor([-1])) }
    expectError(["gather", "index 5", "size 3"]) { _ = try x.gather(axis: 1, index: Tensor(shape: [1, 1], values: [5])) }
    expectError(["index_select", "index 2"]) { _ = try x.indexSelect(axis: 0, indices: Tensor([2])) }
    expectError(["one_hot", "index 4", "size 4"]) { _ = try Tensor.oneHot(Tensor([4]), classes: 4) }
    expectError(["cross_entropy", "index 3", "size 3"]) { _ = try Tensor.crossEntropy(logits: x, targets: Tensor([0, 3])) }
    var y = x
    expectError(["index", "index 2"]) { try y.setElement(0, at: [2, 0]) }
  }

  @Test("other shape errors name the operation and the shapes")
  func otherShapes() {
    let x = Tensor.zeros([2, 3])
    expectError(["reshape", "[2, 3]", "[4, 2]"]) { _ = try x.reshaped([4, 2]) }
    expectError(["reshape", "[2, 3]", "[4, -1]"]) { _ = try x.reshaped([4, -1]) }
    expectError(["reshape"]) { _ = try x.reshaped([-1, -1]) }
    expectError(["expand", "[2, 3]", "[4, 3]"]) { _ = try x.expanded(to: [4, 3]) }
    expectError(["layer_norm", "[2, 3]", "[2]"]) { _ = try x.layerNorm(weight: Tensor.zeros([2]), bias: nil) }
    expectError(["rms_norm", "[2, 3]", "[4]"]) { _ = try x.rmsNorm(weight: Tensor.zeros([4])) }
    expectError(["cross_entropy", "[2, 3]", "[3]"]) { _ = try Tensor.crossEntropy(logits: x, targets: Tensor.zeros([3])) }
    expectError(["embedding", "[3]"]) { _ = try Tensor.embedding(Tensor.zeros([3]), ids: Tensor([0])) }
    expectError(["gather", "[2, 3]", "[3]"]) { _ = try x.gather(axis: 0, index: Tensor.zeros([3])) }
    expectError(["gather", "[2, 3]", "[3, 3]"]) { _ = try x.gather(axis: 1, index: Tensor.zeros([3, 3])) }
    expectError(["attention", "[2, 4]", "[3, 5]"]) {
      _ = try Tensor.scaledDotProductAttention(query: Tensor.zeros([2, 4]), key: Tensor.zeros([3, 5]), value: Tensor.zeros([3, 4]))
    }
    expectError(["attention", "[1, 2, 4]", "[2, 3, 4]"]) {
      _ = try Tensor.scaledDotProductAttention(query: Tensor.zeros([1, 2, 4]), key: Tensor.zeros([2, 3, 4]), value: Tensor.zeros([2, 3, 4]))
    }
    expectError(["attention", "causal"]) {
      _ = try Tensor.scaledDotProductAttention(query: Tensor.zeros([3, 4]), key: Tensor.zeros([2, 4]), value: Tensor.zeros([2, 4]))
    }
    expectError(["backward", "[2, 3]", "[3]"]) {
      let p = x.requiringGrad()
      try (p * 2).backward(gradient: Tensor.zeros([3]))
    }
  }

  @Test("errors are equatable values that describe themselves")
  func description() {
    let e = TensorError.shapeMismatch(op: "add", shapes: [[2, 3], [4]], reason: "cannot be broadcast together")
    #expect(e.description == "add: shapes [2, 3] and [4] cannot be broadcast together")
    #expect(TensorError.invalidAxis(op: "sum", axis: 2, rank: 2).description.contains("valid axes: -2 ... 1"))
    #expect(e == e)
  }
}
