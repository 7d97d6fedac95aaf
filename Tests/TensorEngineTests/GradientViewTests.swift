import Testing
import TensorEngine

/// Gradients through views: each view's backward must write the gradient back into the
/// positions the view reads, and nowhere else. The views are followed by an element-wise
/// function so that their gradient is not just a constant.
@Suite("Gradients: views")
struct GradientViewTests {
  let x = TestData.normal([2, 3, 4], seed: 141)

  @Test("reshaped, including an inferred dimension")
  func reshaped() throws {
    try checkGradients([x], "reshape") { try $0[0].reshaped([4, 6]).tanh() }
    try checkGradients([x], "reshape -1") { try $0[0].reshaped([-1, 2]).tanh() }
    try checkGradients([x], "flattened") { $0[0].flattened().tanh() }
    try checkGradients([x], "reshape of a transposed view (copies)") { try $0[0].transposed().reshaped([6, 4]).tanh() }
  }

  @Test("permuted and transposed")
  func permuted() throws {
    try checkGradients([x], "permute") { try $0[0].permuted([2, 0, 1]).tanh() }
    try checkGradients([x], "permute negative axes") { try $0[0].permuted([-1, -3, -2]).tanh() }
    try checkGradients([x], "transpose 0,2") { try $0[0].transposed(0, 2).tanh() }
    try checkGradients([x], "T") { $0[0].T.tanh() }
  }

  @Test("sliced", arguments: [
    (1, 0 as Int?, 2 as Int?, 1), (2, 1, nil, 2), (2, nil, nil, -1), (2, -1, 0, -2), (1, -2, nil, 1),
    (0, 1, 2, 1), (2, 3, nil, -3),
  ])
  func sliced(_ axis: Int, start: Int?, end: Int?, step: Int) throws {
    try checkGradients([x], "slice axis \(axis) \(String(describing: start)):\(String(describing: end)):\(step)") {
      try $0[0].sliced(axis: axis, start: start, end: end, step: step).tanh()
    }
  }

  @Test("slice of a slice, and overlapping slices added")
  func nestedSlices() throws {
    try checkGradients([x], "slice of slice") {
      try $0[0].sliced(axis: 2, step: -1).sliced(axis: 2, start: 1, step: 2).sliced(axis: 1, start: 1).tanh()
    }
    try checkGradients([x], "overlap") {
      try $0[0].sliced(axis: 2, start: 0, end: 3) + $0[0].sliced(axis: 2, start: 1, end: 4).exp()
    }
  }

  @Test("selected", arguments: [(0, 1), (1, -1), (2, 2)])
  func selected(_ axis: Int, index: Int) throws {
    try checkGradients([x], "select axis \(axis) index \(index)") { try $0[0].selected(axis: axis, index: index).tanh() }
  }

  @Test("expanded")
  func expanded() throws {
    let v = TestData.normal([3, 1], seed: 142)
    try checkGradients([v], "expand [3,1] → [2,3,4]") { try $0[0].expanded(to: [2, 3, 4]).tanh() }
    try checkGradients([v], "expand then transposed") { try $0[0].expanded(to: [3, 5]).transposed().tanh() }
  }

  @Test("squeezed and unsqueezed")
  func squeeze() throws {
    let y = TestData.normal([2, 1, 3, 1], seed: 143)
    try checkGradients([y], "squeeze all") { try $0[0].squeezed().tanh() }
    try checkGradients([y], "squeeze axis 1") { try $0[0].squeezed(1).tanh() }
    try checkGradients([y], "squeeze -1") { try $0[0].squeezed(-1).tanh() }
    try checkGradients([x], "unsqueeze 0, 3, -1") {
      try $0[0].unsqueezed(0).unsqueezed(3).unsqueezed(-1).tanh()
    }
  }

  @Test("contiguous of a view")
  func contiguous() throws {
    try checkGradients([x], "contiguous(permuted)") { try $0[0].permuted([1, 2, 0]).contiguous().tanh() }
    try checkGradients([x], "contiguous(stepped slice)") { try $0[0].sliced(axis: 1, step: 2).contiguous().tanh() }
  }
}
