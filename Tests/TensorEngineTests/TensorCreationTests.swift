import Testing
import TensorEngine

/// The constructors: fills, ranges, identity, explicit values.
@Suite("Tensor creation")
struct TensorCreationTests {
  @Test("zeros, ones, full")
  func fills() {
    let z = Tensor.zeros([2, 3])
    #expect(z.shape == [2, 3] && z.count == 6 && z.rank == 2 && z.isContiguous)
    #expect(z.toArray() == [0, 0, 0, 0, 0, 0])
    #expect(Tensor.ones([4]).toArray() == [1, 1, 1, 1])
    #expect(Tensor.full([2, 2], -3.5).toArray() == [-3.5, -3.5, -3.5, -3.5])
    let s = Tensor.full([], 7)
    #expect(s.shape == [] && s.count == 1 && (try? s.item()) == 7)
    #expect(Tensor.zeros([0, 3]).count == 0 && Tensor.zeros([0, 3]).toArray().isEmpty)
  }

  @Test("a large fill, split across threads, is complete")
  func largeFill() throws {
    let t = Tensor.full([1 << 19], 2)
    #expect(try t.summed().item() == Float(1 << 20))
  }

  @Test("arange")
  func arange() throws {
    #expect(try Tensor.arange(0, 5).toArray() == [0, 1, 2, 3, 4])
    #expect(try Tensor.arange(1, 2, step: 0.25).toArray() == [1, 1.25, 1.5, 1.75])
    #expect(try Tensor.arange(5, 0, step: -2).toArray() == [5, 3, 1])
    #expect(try Tensor.arange(3, 3).shape == [0])
    #expect(try Tensor.arange(3, 0).shape == [0])
    // The end is excluded even when float rounding makes (end − start)/step a hair above a
    // whole number: 0.3/0.1 in float32 is 3.0000001.
    #expect(try Tensor.arange(0, 0.3, step: 0.1).count == 3)
    #expect(try Tensor.arange(1, 1.3, step: 0.1).toArray().allSatisfy { $0 < 1.3 })
    #expect(try Tensor.arange(0.3, 0, step: -0.1).toArray().allSatisfy { $0 > 0 })
    #expect(throws: TensorError.self) { try Tensor.arange(0, 1, step: 0) }
    #expect(throws: TensorError.self) { try Tensor.arange(0, .infinity) }
  }

  @Test("linspace includes both ends")
  func linspace() throws {
    #expect(try Tensor.linspace(0, 1, count: 5).toArray() == [0, 0.25, 0.5, 0.75, 1])
    #expect(try Tensor.linspace(2, -2, count: 3).toArray() == [2, 0, -2])
    #expect(try Tensor.linspace(3, 9, count: 1).toArray() == [3])
    #expect(try Tensor.linspace(3, 9, count: 0).toArray() == [])
    let t = try Tensor.linspace(0, 0.3, count: 7).toArray()
    #expect(t.last == 0.3)
    #expect(throws: TensorError.self) { try Tensor.linspace(0, 1, count: -1) }
  }

  @Test("eye, square and rectangular")
  func eye() throws {
    #expect(try Tensor.eye(3).toArray() == [1, 0, 0, 0, 1, 0, 0, 0, 1])
    let r = try Tensor.eye(2, 3)
    #expect(r.shape == [2, 3] && r.toArray() == [1, 0, 0, 0, 1, 0])
    #expect(try Tensor.eye(3, 2).toArray() == [1, 0, 0, 1, 0, 0])
    #expect(throws: TensorError.self) { try Tensor.eye(-1) }
  }

  @Test("explicit values, scalars and vectors")
  func values() throws {
    let t = try Tensor(shape: [2, 2], values: [1, 2, 3, 4])
    #expect(try t.element(at: [1, 0]) == 3)
    #expect(try t.element(at: [-1, -1]) == 4)
    #expect(try Tensor(scalar: 2.5).item() == 2.5)
    #expect(Tensor([1, 2, 3]).shape == [3])
    #expect(throws: TensorError.self) { try Tensor(shape: [2, 2], values: [1, 2, 3]) }
    #expect(throws: TensorError.self) { try Tensor(shape: [-1, 2], values: []) }
    #expect(throws: TensorError.self) { try Tensor([1, 2]).item() }
    #expect(Tensor.zeros([2]).dtype == "float32")
  }

  @Test("checked creation rejects negative sizes")
  func checked() {
    #expect(throws: TensorError.self) { try Tensor.zeros(checked: [2, -3]) }
    #expect(throws: TensorError.self) { try Tensor.rand([-1]) }
    #expect(throws: TensorError.self) { try Tensor.randn([3, -2]) }
  }
}
