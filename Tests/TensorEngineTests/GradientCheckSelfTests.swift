import Testing
import TensorEngine

/// The gradient checker itself: it must fail on a wrong gradient, or every passing
/// gradient test would prove nothing.
@Suite("Gradient checker")
struct GradientCheckSelfTests {
  @Test("flags a gradient that misses a path (x · stop_gradient(x))")
  func catchesWrongGradient() throws {
    // The analytic gradient of x·detached(x) is x; the function's true derivative is 2x.
    let x = TestData.awayFromZero([5], seed: 171)
    withKnownIssue("the checker must report the missing path") {
      try checkGradients([x], "deliberately wrong") { try $0[0] * $0[0].detached() }
    }
  }

  @Test("flags an input that receives no gradient")
  func catchesMissingGradient() throws {
    let x = TestData.normal([3], seed: 172)
    withKnownIssue("the checker must report the detached input") {
      try checkGradients([x], "no gradient") { try $0[0].detached() * 2 + $0[0] * 0 }
    }
  }

  @Test("flags a check whose numeric gradient is zero")
  func catchesVacuousCheck() throws {
    let x = TestData.normal([3], seed: 173)
    withKnownIssue("a check that proves nothing must not pass silently") {
      try checkGradients([x], "constant") { $0[0] * 0 }
    }
  }

  @Test("passes a correct gradient")
  func passesCorrectGradient() throws {
    try checkGradients([TestData.normal([4], seed: 174)], "x³") { try $0[0] * $0[0] * $0[0] }
  }
}
