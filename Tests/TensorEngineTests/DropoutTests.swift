import Testing
import TensorEngine

extension SharedRandomTests {
  /// Dropout's gradient is its mask: 1/(1 − p) where an element was kept, 0 where dropped.
  @Suite("Dropout")
  struct DropoutTests {
    @Test("gradient equals the mask scaled by 1/(1 − p)", arguments: [0.25, 0.5] as [Float])
    func gradientIsMask(_ p: Float) throws {
      let x = TestData.awayFromZero([3, 37], seed: 151).requiringGrad()
      Random.seed(2024)
      let y = try x.dropout(p)
      let upstream = TestData.normal([3, 37], seed: 152)
      try y.backward(gradient: upstream)
      let grad = try #require(x.grad).toArray()
      let out = y.toArray(), input = x.toArray(), up = upstream.toArray()
      let keep = 1 / (1 - p)
      var dropped = 0
      for i in out.indices {
        let kept = out[i] != 0
        if !kept { dropped += 1 }
        // The output and the gradient follow one mask.
        expectClose(out[i], kept ? input[i] * keep : 0, tolerance: 1e-6)
        expectClose(grad[i], kept ? up[i] * keep : 0, tolerance: 1e-6)
      }
      // 111 elements: roughly p of them dropped.
      #expect(Swift.abs(Float(dropped) / 111 - p) < 0.15)
    }

    @Test("the same seed gives the same mask")
    func reproducible() throws {
      let x = Tensor.ones([64])
      Random.seed(5)
      let a = try x.dropout(0.5)
      Random.seed(5)
      let b = try x.dropout(0.5)
      #expect(bits(a) == bits(b))
    }

    @Test("evaluation mode and p = 0 are the identity")
    func identity() throws {
      let x = TestData.normal([5], seed: 153).requiringGrad()
      #expect(try x.dropout(0.5, training: false).toArray() == x.toArray())
      #expect(try x.dropout(0).toArray() == x.toArray())
      try x.dropout(0.5, training: false).summed().backward()
      #expect(x.grad?.toArray() == [1, 1, 1, 1, 1])
    }

    @Test("p outside [0, 1) is rejected")
    func invalid() {
      #expect(throws: TensorError.self) { try Tensor.ones([2]).dropout(1) }
      #expect(throws: TensorError.self) { try Tensor.ones([2]).dropout(-0.1) }
    }
  }
}
