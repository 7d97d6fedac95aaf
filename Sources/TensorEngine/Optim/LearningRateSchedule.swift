import Foundation

/// The learning rate as a function of the step: optional linear warmup from 0 to `peak`,
/// then constant, cosine or linear decay to `floor` at `totalSteps`.
public struct LearningRateSchedule: Sendable, Equatable {
  public enum Decay: String, Sendable, CaseIterable {
    case constant, cosine, linear
  }

  public var peak: Float
  public var warmupSteps: Int
  public var totalSteps: Int
  public var decay: Decay
  public var floor: Float

  public init(peak: Float, warmupSteps: Int = 0, totalSteps: Int = 1, decay: Decay = .constant, floor: Float = 0) throws {
    guard peak >= 0, warmupSteps >= 0, totalSteps >= 1, floor >= 0, floor <= peak || decay == .constant else {
      throw TensorError.invalidArgument(
        op: "schedule", message: "needs lr ≥ 0, warmup ≥ 0, steps ≥ 1 and 0 ≤ floor ≤ lr")
    }
    self.peak = peak
    self.warmupSteps = warmupSteps
    self.totalSteps = totalSteps
    self.decay = decay
    self.floor = floor
  }

  /// The rate for 0-based `step`. Warmup reaches `peak` at step `warmupSteps`.
  public func rate(at step: Int) -> Float {
    if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps + 1) }
    let span = Swift.max(1, totalSteps - warmupSteps)
    let progress = Swift.min(1, Float(step - warmupSteps) / Float(span))
    switch decay {
    case .constant:
      return peak
    case .linear:
      return floor + (peak - floor) * (1 - progress)
    case .cosine:
      return floor + (peak - floor) * 0.5 * (1 + Foundation.cos(Float.pi * progress))
    }
  }
}
