import Foundation
import Testing
import TensorEngine

/// How gradients are recorded, accumulated, cleared and refused.
@Suite("Autograd behaviour")
struct AutogradTests {
  @Test("two backward calls accumulate into grad")
  func accumulation() throws {
    let x = Tensor([1, 2, 3]).requiringGrad()
    try (x * x).summed().backward()
    #expect(x.grad?.toArray() == [2, 4, 6])
    try (x * 3).summed().backward()
    #expect(x.grad?.toArray() == [5, 7, 9])
  }

  @Test("a gradient read earlier is not changed by later accumulation")
  func gradIsAValue() throws {
    let x = Tensor([1, 2]).requiringGrad()
    try x.summed().backward()
    let first = try #require(x.grad)
    try x.summed().backward()
    #expect(first.toArray() == [1, 1])
    #expect(x.grad?.toArray() == [2, 2])
  }

  @Test("zeroGrad clears; the next backward starts from zero")
  func zeroGrad() throws {
    let x = Tensor([1, 2]).requiringGrad()
    try (x * 2).summed().backward()
    x.zeroGrad()
    #expect(x.grad == nil)
    try (x * 5).summed().backward()
    #expect(x.grad?.toArray() == [5, 5])
  }

  @Test("copies of a parameter share one gradient")
  func sharedCell() throws {
    let x = Tensor([1, 2]).requiringGrad(name: "w")
    let copy = x
    try (copy * 4).summed().backward()
    #expect(x.grad?.toArray() == [4, 4])
    #expect(x.parameterName == "w")
    #expect(x.isLeaf && x.requiresGrad)
  }

  @Test("a parameter used on several paths sums the paths")
  func diamond() throws {
    let x = Tensor([2]).requiringGrad()
    let a = x * 3, b = x.exp()
    try (a * b).summed().backward()
    // d/dx (3x·eˣ) = 3eˣ + 3x·eˣ
    expectClose(try #require(x.grad), [3 * Foundation.exp(2) * 3], tolerance: 1e-5)
  }

  @Test("results record their operation; inputs without gradient stay unrecorded")
  func recording() throws {
    let x = Tensor([1, 2]).requiringGrad()
    let c = Tensor([3, 4])
    let y = try x * c
    #expect(y.requiresGrad && !y.isLeaf)
    #expect(y.gradientFunctionName == "multiply")
    #expect(try !(c * c).requiresGrad)
    #expect(try (c * c).isLeaf)
    try y.summed().backward()
    #expect(c.grad == nil)
  }

  @Test("no-gradient mode records nothing and can be re-enabled inside")
  func noGradientMode() throws {
    let x = Tensor([1, 2]).requiringGrad()
    let (inside, nested) = try GradMode.withoutGradients {
      #expect(!GradMode.isEnabled)
      let y = try (x * x).summed()
      let z = try GradMode.withGradients { try (x * x).summed() }
      return (y, z)
    }
    #expect(GradMode.isEnabled)
    #expect(!inside.requiresGrad)
    #expect(throws: TensorError.self) { try inside.backward() }
    #expect(nested.requiresGrad)
    try nested.backward()
    #expect(x.grad?.toArray() == [2, 4])
  }

  @Test("detached cuts the graph but shares the values")
  func detach() throws {
    let x = Tensor([1, 2]).requiringGrad()
    let d = x.detached()
    #expect(!d.requiresGrad)
    #expect(d.storage === x.storage)
    // Through the detached branch no gradient flows: d(x·stop(x))/dx = stop(x).
    try (x * (x * 1).detached()).summed().backward()
    #expect(x.grad?.toArray() == [1, 2])
  }

  @Test("backward on a non-scalar needs an explicit gradient")
  func nonScalar() throws {
    let x = Tensor([1, 2, 3]).requiringGrad()
    let y = x * 2
    let error = try #require(throws: TensorError.self) { try y.backward() }
    #expect(error.description.contains("backward"))
    #expect(error.description.contains("[3]"))
    #expect(throws: TensorError.self) { try y.backward(gradient: Tensor.ones([2])) }
    try y.backward(gradient: Tensor([1, 0, -1]))
    #expect(x.grad?.toArray() == [2, 0, -2])
  }

  @Test("backward on a tensor with no parameters throws")
  func constantBackward() {
    #expect(throws: TensorError.self) { try Tensor(scalar: 1).backward() }
  }

  @Test("a second backward through a freed graph throws unless retainGraph")
  func freedGraph() throws {
    let x = Tensor([1, 2]).requiringGrad()
    let loss = try (x * x).summed()
    try loss.backward()
    let error = try #require(throws: TensorError.self) { try loss.backward() }
    #expect(error.description.contains("retainGraph"))

    let y = Tensor([1, 2]).requiringGrad()
    let kept = try (y * y).summed()
    try kept.backward(retainGraph: true)
    try kept.backward(retainGraph: true)
    try kept.backward()
    #expect(y.grad?.toArray() == [6, 12])
    #expect(throws: TensorError.self) { try kept.backward() }
  }

  @Test("retainGrad keeps an intermediate result's gradient")
  func retainGrad() throws {
    let x = Tensor([1, 2]).requiringGrad()
    let h = x * 3
    h.retainGrad()
    let other = x * 2
    try (h * h).summed().backward()
    #expect(h.grad?.toArray() == [6, 12])
    #expect(other.grad == nil)
    #expect(x.grad?.toArray() == [18, 36])
  }

  @Test("setGrad replaces the gradient")
  func setGrad() throws {
    let x = Tensor([1, 2]).requiringGrad()
    x.setGrad(Tensor([7, 8]))
    try x.summed().backward()
    #expect(x.grad?.toArray() == [8, 9])
  }

  @Test("writing into a parameter's copy does not disturb the recorded graph")
  func copyOnWriteAfterRecording() throws {
    let x = Tensor([1, 2, 3]).requiringGrad()
    let y = try x * x
    var mutable = x
    try mutable.setElement(100, at: [0])
    try y.summed().backward()
    #expect(x.grad?.toArray() == [2, 4, 6])
    #expect(x.toArray() == [1, 2, 3])
  }
}

