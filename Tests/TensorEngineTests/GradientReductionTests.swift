import Testing
import TensorEngine

/// One reduction configuration: which axes, whether they are kept.
struct AxesCase: Sendable, CustomTestStringConvertible {
  let axes: [Int]?
  let keepDims: Bool
  var testDescription: String { "axes \(axes.map { "\($0)" } ?? "all")\(keepDims ? ", keepDims" : "")" }
}

/// Gradients of sum, mean, max, min, variance and standard deviation over every kind of
/// axis set: all, one (first, middle, last, negative), adjacent, and non-adjacent.
@Suite("Gradients: reductions")
struct GradientReductionTests {
  static let axesCases: [AxesCase] = [
    AxesCase(axes: nil, keepDims: false),
    AxesCase(axes: nil, keepDims: true),
    AxesCase(axes: [0], keepDims: false),
    AxesCase(axes: [1], keepDims: true),
    AxesCase(axes: [-1], keepDims: false),
    AxesCase(axes: [1, 2], keepDims: false),
    AxesCase(axes: [0, 2], keepDims: false),
    AxesCase(axes: [0, 2], keepDims: true),
    AxesCase(axes: [2, 0], keepDims: false),
    AxesCase(axes: [0, 1, 2], keepDims: true),
  ]

  @Test("summed", arguments: axesCases)
  func sum(_ c: AxesCase) throws {
    try checkGradients([TestData.normal([2, 3, 4], seed: 41)], "sum \(c.testDescription)") {
      try $0[0].summed(axes: c.axes, keepDims: c.keepDims)
    }
  }

  @Test("mean", arguments: axesCases)
  func mean(_ c: AxesCase) throws {
    try checkGradients([TestData.normal([2, 3, 4], seed: 42)], "mean \(c.testDescription)") {
      try $0[0].mean(axes: c.axes, keepDims: c.keepDims)
    }
  }

  @Test("variance, population and sample", arguments: axesCases, [0, 1])
  func variance(_ c: AxesCase, correction: Int) throws {
    try checkGradients([TestData.normal([2, 3, 4], seed: 43)], "var \(c.testDescription) correction \(correction)") {
      try $0[0].variance(axes: c.axes, keepDims: c.keepDims, correction: correction)
    }
  }

  @Test("standardDeviation", arguments: axesCases)
  func standardDeviation(_ c: AxesCase) throws {
    try checkGradients([TestData.normal([2, 3, 4], seed: 44)], "std \(c.testDescription)") {
      try $0[0].standardDeviation(axes: c.axes, keepDims: c.keepDims, correction: 1)
    }
  }

  @Test("reductions of a non-contiguous view")
  func reductionOfView() throws {
    let x = TestData.normal([3, 4, 2], seed: 45)
    try checkGradients([x], "sum of permuted") { try $0[0].permuted([2, 0, 1]).summed(axes: [0, 2]) }
    try checkGradients([x], "mean of stepped slice") { try $0[0].sliced(axis: 1, step: 2).mean(axis: 1) }
    try checkGradients([x], "sum of expanded") { try $0[0].summed(axis: 2, keepDims: true).expanded(to: [3, 4, 5]).summed(axes: [1, 2]) }
  }

  @Test("summed(toShape:), the reduction that undoes broadcasting", arguments: [[3, 1], [1, 4], [4], [2, 1, 1], []] as [[Int]])
  func summedToShape(_ target: [Int]) throws {
    try checkGradients([TestData.normal([2, 3, 4], seed: 48)], "summed(toShape: \(target))") {
      try $0[0].summed(toShape: target)
    }
  }

  @Test("max and min along an axis", arguments: [nil, 0, 1, 2, -1] as [Int?], [false, true])
  func extremes(_ axis: Int?, keepDims: Bool) throws {
    let x = TestData.distinct([2, 3, 4], seed: 46)
    try checkGradients([x], "max axis \(String(describing: axis)) keepDims \(keepDims)") {
      try $0[0].max(axis: axis, keepDims: keepDims)
    }
    try checkGradients([x], "min axis \(String(describing: axis)) keepDims \(keepDims)") {
      try $0[0].min(axis: axis, keepDims: keepDims)
    }
  }

  @Test("max and min of a non-contiguous view")
  func extremesOfView() throws {
    let x = TestData.distinct([3, 4], seed: 47)
    try checkGradients([x], "max of transposed") { try $0[0].transposed().max(axis: 1) }
    try checkGradients([x], "min of reversed slice") { try $0[0].sliced(axis: 1, step: -1).min(axis: 0) }
  }
}
