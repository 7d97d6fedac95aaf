import Foundation
import Testing
import TensorEngine

/// Long chains of operations: building, differentiating and freeing a graph must not
/// recurse once per node (a recursive walk or a recursive teardown overflows the stack).
@Suite("Deep graphs")
struct DeepGraphTests {
  @Test("20000 successive multiplications: backward and teardown")
  func deepChain() throws {
    let x = Tensor([1, 2]).requiringGrad()
    do {
      var y = x
      for _ in 0..<20_000 { y = y * 1.0001 }
      try y.summed().backward()
      // y goes out of scope here: the whole chain of records is freed.
    }
    let expected = Float(Foundation.pow(1.0001, 20_000.0))
    expectClose(try #require(x.grad), [expected, expected], tolerance: 1e-2)
  }

  @Test("a deep chain freed without ever calling backward")
  func deepChainNoBackward() throws {
    let x = Tensor([1]).requiringGrad()
    do {
      var y = x
      for _ in 0..<20_000 { y = y + 1 }
      #expect(try y.item() == 20_001)
    }
    #expect(x.grad == nil)
  }

  @Test("a deep chain kept with retainGraph can be walked twice")
  func deepRetained() throws {
    let x = Tensor([1]).requiringGrad()
    var y = x
    for _ in 0..<5_000 { y = try y * Tensor([1]) }
    try y.backward(retainGraph: true)
    try y.backward()
    #expect(x.grad?.toArray() == [2])
  }
}
