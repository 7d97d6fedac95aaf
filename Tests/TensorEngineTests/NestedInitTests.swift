import Testing
import TensorEngine

/// Tensors from nested lists, as the language writes literals.
@Suite("Nested-list initializer")
struct NestedInitTests {
  typealias N = NestedValues

  static func list(_ rows: [[Float]]) -> N { .list(rows.map { .list($0.map(N.scalar)) }) }

  @Test("matrix, vector, scalar, 3-D")
  func shapes() throws {
    let m = try Tensor(nested: Self.list([[1, 2, 3], [4, 5, 6]]))
    #expect(m.shape == [2, 3] && m.toArray() == [1, 2, 3, 4, 5, 6])
    let v = try Tensor(nested: .list([.scalar(1), .scalar(2)]))
    #expect(v.shape == [2])
    let s = try Tensor(nested: .scalar(3))
    #expect(s.shape == [])
    #expect(try s.item() == 3)
    let cube = try Tensor(nested: .list([Self.list([[1, 2], [3, 4]]), Self.list([[5, 6], [7, 8]])]))
    #expect(cube.shape == [2, 2, 2] && cube.toArray() == [1, 2, 3, 4, 5, 6, 7, 8])
    let empty = try Tensor(nested: .list([]))
    #expect(empty.shape == [0])
  }

  @Test("ragged lists are rejected with a message naming the place", arguments: [
    NestedValues.list([.list([.scalar(1), .scalar(2)]), .list([.scalar(3)])]),  // short row
    NestedValues.list([.list([.scalar(1), .scalar(2)]), .scalar(3)]),  // number where a list belongs
    NestedValues.list([.scalar(1), .list([.scalar(2)])]),  // list where a number belongs
    NestedValues.list([.list([.scalar(1)]), .list([.scalar(2), .scalar(3)])]),  // long row
  ])
  func ragged(_ value: NestedValues) throws {
    let error = try #require(throws: TensorError.self) { try Tensor(nested: value) }
    #expect(error.description.hasPrefix("tensor:"))
    #expect(error.description.contains("ragged"))
  }
}
