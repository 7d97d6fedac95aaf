import Foundation

/// Notices a preference loss stuck at ln 2.
///
/// Both the Bradley–Terry and the DPO loss are −log σ(margin), which is ln 2 ≈ 0.693 when
/// the margin is 0: the model does not tell chosen from rejected at all. A loss that stays
/// within `tolerance` of ln 2 for `steps` consecutive steps means nothing is being learned
/// (learning rate too small, β too small, a frozen policy, or chosen = rejected).
public struct StallDetector: Sendable {
  public let steps: Int
  public let tolerance: Float
  /// Consecutive steps inside the band so far.
  public private(set) var run = 0
  /// Whether the warning has been given (it is given once per stall).
  public private(set) var warned = false

  public static let ln2 = Float(Foundation.log(2.0))

  public init(steps: Int = 25, tolerance: Float = 0.01) {
    self.steps = steps
    self.tolerance = tolerance
  }

  /// Records one step's loss; returns the warning on the step the stall is first detected.
  public mutating func observe(_ loss: Float, step: Int) -> String? {
    guard steps > 0, Swift.abs(loss - Self.ln2) <= tolerance else {
      run = 0
      warned = false
      return nil
    }
    run += 1
    guard run >= steps, !warned else { return nil }
    warned = true
    return String(
      format: "the loss has stayed within %.2f of ln 2 = 0.693 for %d steps (now step %d): chosen and rejected are "
        + "not being separated. Try a larger lr or beta, and check that the trained weights are not frozen and that "
        + "chosen and rejected differ.", tolerance, run, step)
  }
}
