import Testing
import TensorEngine

/// Everything that draws from the engine's one shared generator lives in this suite (and
/// its nested suites in other files), run serially: a test that seeds `Random` and then
/// draws must not have another test draw in between. All other tests use `TestData`.
@Suite("Shared random generator", .serialized)
struct SharedRandomTests {
  @Test("rand and randn: the same seed gives bit-identical tensors")
  func reproducible() throws {
    Random.seed(1234)
    let a = try Tensor.rand([3, 17], low: -2, high: 5)
    let b = try Tensor.randn([2, 9], mean: 1, std: 3)
    Random.seed(1234)
    let c = try Tensor.rand([3, 17], low: -2, high: 5)
    let d = try Tensor.randn([2, 9], mean: 1, std: 3)
    #expect(bits(a) == bits(c))
    #expect(bits(b) == bits(d))
    Random.seed(1235)
    #expect(bits(try Tensor.rand([3, 17], low: -2, high: 5)) != bits(a))
  }

  @Test("successive draws differ")
  func successiveDraws() throws {
    Random.seed(7)
    let a = try Tensor.randn([16]), b = try Tensor.randn([16])
    #expect(a.toArray() != b.toArray())
  }

  @Test("rand stays in [low, high) and has the right mean")
  func uniformRange() throws {
    Random.seed(42)
    let x = try Tensor.rand([10_000], low: -1, high: 3)
    let values = x.toArray()
    #expect(values.allSatisfy { $0 >= -1 && $0 < 3 })
    expectClose(try x.mean().item(), 1, tolerance: 0.05)
  }

  @Test("randn has the requested mean and standard deviation")
  func normalMoments() throws {
    Random.seed(43)
    let x = try Tensor.randn([20_001], mean: 2, std: 0.5)  // odd count: the last pair is cut
    expectClose(try x.mean().item(), 2, tolerance: 0.02)
    expectClose(try x.standardDeviation().item(), 0.5, tolerance: 0.02)
    #expect(x.toArray().allSatisfy { $0.isFinite })
  }

  @Test("multinomial: seeded, reproducible, frequencies follow the weights")
  func multinomial() throws {
    let weights = try Tensor(shape: [2, 4], values: [1, 2, 3, 4, 0, 0, 5, 0])
    Random.seed(99)
    let samples = try weights.multinomial(samples: 20_000)
    Random.seed(99)
    let again = try weights.multinomial(samples: 20_000)
    #expect(samples.shape == [2, 20_000])
    #expect(bits(samples) == bits(again))
    let row0 = try samples.selected(axis: 0, index: 0).toArray()
    for k in 0..<4 {
      let frequency = Float(row0.filter { $0 == Float(k) }.count) / 20_000
      expectClose(frequency, Float(k + 1) / 10, tolerance: 0.015, "class \(k)")
    }
    // A row with a single positive weight always picks it; zero weights are never drawn.
    #expect(try samples.selected(axis: 0, index: 1).toArray().allSatisfy { $0 == 2 })
  }

  @Test("multinomial rejects negative weights and all-zero rows")
  func multinomialErrors() throws {
    #expect(throws: TensorError.self) { try Tensor([1, -1]).multinomial() }
    #expect(throws: TensorError.self) { try Tensor([0, 0]).multinomial() }
  }
}
