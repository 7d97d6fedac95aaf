import Foundation
import Testing
import TensorEngine

/// Compares the engine's analytic gradients with central finite differences.
///
/// `f` maps the inputs to a tensor of any shape. It is reduced to a scalar with a fixed
/// random weighting, loss = Σ f(x) ⊙ R, so that every output element contributes with its
/// own weight (a plain sum would hide errors that cancel, such as softmax's). The analytic
/// side is `loss.backward()`; the numeric side evaluates f without gradients at x ± h for
/// every element of every checked input, accumulating the weighted sum in Double.
///
/// Each element's error is measured against the gradient's scale: the larger of its own
/// numeric value and the largest numeric value of that input (at least `scaleFloor`). Float32
/// has about 7 digits; with h = 1e-2 rounding contributes ~1e-5 to the difference quotient
/// and truncation ~h²·f‴/6. Over this suite the worst correct gradient is off by ~3e-4 of
/// its scale, so a tolerance of 5e-3 leaves a wide margin (no flakiness) and still catches a
/// gradient wrong by a factor, a sign, a missing term or a misplaced element.
/// GRADCHECK_VERBOSE=1 prints every check's error as a fraction of the tolerance. Inputs must
/// keep h away from kinks (relu, abs, clamp, max): see `TestData.awayFromZero` and
/// `TestData.distinct`.
struct GradientCheck {
  var step: Float = 1e-2
  var tolerance: Float = 5e-3
  /// The smallest gradient scale errors are measured against.
  var scaleFloor: Double = 1e-2
  /// Inputs to differentiate (indices into the input list); nil means all of them.
  var checked: Set<Int>? = nil
  /// Fail when an input's numeric gradient is identically zero (a check that proves
  /// nothing). Turn off for inputs that legitimately receive no gradient.
  var requireNonzero = true

  /// Runs the check; records an issue per wrong input, naming the worst element.
  func run(
    _ inputs: [Tensor], _ label: String = "",
    sourceLocation: SourceLocation = #_sourceLocation,
    _ f: ([Tensor]) throws -> Tensor
  ) throws {
    let which = checked ?? Set(inputs.indices)
    let params = inputs.enumerated().map { i, t in which.contains(i) ? t.requiringGrad() : t }
    let out = try f(params)
    #expect(out.requiresGrad, "\(label): the output does not require a gradient", sourceLocation: sourceLocation)
    let weights = TestData.normal(out.shape, seed: 0x5EED_0000 &+ UInt64(out.count))
    let loss = try (out * weights).summed()
    try loss.backward()

    let w = weights.toArray().map(Double.init)
    func weightedSum(_ xs: [Tensor]) throws -> Double {
      try GradMode.withoutGradients {
        let o = try f(xs)
        guard o.shape == out.shape else {
          throw TensorError.invalidArgument(op: "gradient check", message: "output shape changed: \(o.shape) vs \(out.shape)")
        }
        var s = 0.0
        for (v, r) in zip(o.toArray(), w) { s += Double(v) * r }
        return s
      }
    }

    // The recorded forward and the gradient-free forward must agree.
    let plain = try weightedSum(inputs)
    let recorded = Double(try loss.item())
    #expect(
      Swift.abs(plain - recorded) <= 1e-4 * Swift.max(1, Swift.abs(plain)),
      "\(label): forward with gradients \(recorded) differs from forward without \(plain)",
      sourceLocation: sourceLocation)

    for i in which.sorted() {
      guard let grad = params[i].grad else {
        Issue.record("\(label): input \(i) received no gradient", sourceLocation: sourceLocation)
        continue
      }
      guard grad.shape == inputs[i].shape else {
        Issue.record(
          "\(label): gradient of input \(i) has shape \(grad.shape), the input \(inputs[i].shape)",
          sourceLocation: sourceLocation)
        continue
      }
      let analytic = grad.toArray()
      let base = inputs[i].toArray()
      var numeric = [Double](repeating: 0, count: base.count)
      for j in base.indices {
        var plus = base, minus = base
        plus[j] = base[j] + step
        minus[j] = base[j] - step
        var xs = inputs
        xs[i] = try Tensor(shape: inputs[i].shape, values: plus)
        let up = try weightedSum(xs)
        xs[i] = try Tensor(shape: inputs[i].shape, values: minus)
        let down = try weightedSum(xs)
        // Divide by the step actually taken after float32 rounding.
        numeric[j] = (up - down) / (Double(plus[j]) - Double(minus[j]))
      }
      // Errors are measured against the larger of the element's own gradient and the
      // largest gradient of this input, so small gradients (a loss averaged over rows) are
      // held to the same relative standard as large ones; `scaleFloor` keeps float noise in
      // an input with an almost-zero gradient from counting.
      let largest = numeric.reduce(0) { Swift.max($0, Swift.abs($1)) }
      var worst: (ratio: Double, element: Int, analytic: Float, numeric: Double) = (0, -1, 0, 0)
      for j in base.indices {
        let error = Swift.abs(Double(analytic[j]) - numeric[j])
        let scale = Swift.max(Swift.abs(numeric[j]), largest, scaleFloor)
        let ratio = error / (Double(tolerance) * scale)
        if ratio > worst.ratio || !ratio.isFinite { worst = (ratio, j, analytic[j], numeric[j]) }
      }
      if ProcessInfo.processInfo.environment["GRADCHECK_VERBOSE"] != nil {
        print("gradcheck \(label) input \(i): worst error/tolerance \(worst.ratio)")
      }
      if !(worst.ratio <= 1) {
        let message = "\(label): input \(i) of shape \(inputs[i].shape), element \(worst.element): analytic gradient "
          + "\(worst.analytic), numeric \(worst.numeric) (error is \(worst.ratio)× the tolerance)"
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
      }
      if requireNonzero && largest < 1e-4 {
        Issue.record(
          "\(label): the numeric gradient of input \(i) is zero; the check proves nothing",
          sourceLocation: sourceLocation)
      }
    }
  }
}

/// `GradientCheck().run(...)` with the default step and tolerance.
func checkGradients(
  _ inputs: [Tensor], _ label: String = "", checked: Set<Int>? = nil,
  sourceLocation: SourceLocation = #_sourceLocation,
  _ f: ([Tensor]) throws -> Tensor
) throws {
  var check = GradientCheck()
  check.checked = checked
  try check.run(inputs, label, sourceLocation: sourceLocation, f)
}
