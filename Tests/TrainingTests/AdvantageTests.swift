import Foundation
import Testing
@testable import Training

/// GAE, whitening and GRPO's group-normalized advantages against hand-computed numbers.
@Suite("Advantages")
struct AdvantageTests {
  @Test("GAE: a 3-step example with γ = 0.9, λ = 0.8")
  func gaeByHand() {
    // r = [0, 0, 1], V = [0.5, 0.6, 0.7], V_3 = 0, γλ = 0.72
    // t = 2: δ = 1 + 0.9·0 − 0.7 = 0.3;      A = 0.3
    // t = 1: δ = 0 + 0.9·0.7 − 0.6 = 0.03;   A = 0.03 + 0.72·0.3 = 0.246
    // t = 0: δ = 0 + 0.9·0.6 − 0.5 = 0.04;   A = 0.04 + 0.72·0.246 = 0.21712
    // returns = A + V = [0.71712, 0.846, 1.0]
    let (a, r) = GAE.compute(rewards: [0, 0, 1], values: [0.5, 0.6, 0.7], gamma: 0.9, lambda: 0.8)
    #expect(Align.close(a, [0.21712, 0.246, 0.3], 1e-6))
    #expect(Align.close(r, [0.71712, 0.846, 1.0], 1e-6))
  }

  @Test("GAE: λ = 0 is the TD error, γ = λ = 1 makes the returns the rewards-to-go")
  func gaeLimits() {
    let rewards: [Float] = [0.5, -1, 2], values: [Float] = [0.1, 0.2, 0.3]
    // δ = [0.5 + 0.2 − 0.1, −1 + 0.3 − 0.2, 2 + 0 − 0.3] = [0.6, −0.9, 1.7]
    #expect(Align.close(GAE.compute(rewards: rewards, values: values, gamma: 1, lambda: 0).advantages, [0.6, -0.9, 1.7], 1e-6))
    // rewards-to-go: [0.5 − 1 + 2, −1 + 2, 2] = [1.5, 1, 2]
    #expect(Align.close(GAE.compute(rewards: rewards, values: values, gamma: 1, lambda: 1).returns, [1.5, 1, 2], 1e-6))
    #expect(GAE.compute(rewards: [], values: [], gamma: 0.9, lambda: 0.9).advantages.isEmpty)
  }

  @Test("whitening: mean 0 and standard deviation 1; without the shift the mean stays")
  func whitening() {
    // x = [1, 2, 3, 6]: mean 3, population variance (4 + 1 + 0 + 9)/4 = 3.5, std 1.870829
    // whitened = [−2, −1, 0, 3]/1.870829 = [−1.069045, −0.534522, 0, 1.603567]
    let w = Whitening.whiten([1, 2, 3, 6])
    #expect(Align.close(w, [-1.0690450, -0.5345225, 0, 1.6035675], 1e-5))
    let mean = w.reduce(0, +) / 4
    let variance = w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
    #expect(Swift.abs(mean) < 1e-6 && Swift.abs(variance - 1) < 1e-5)
    #expect(Align.close(Whitening.whiten([1, 2, 3, 6], shiftMean: false), w.map { $0 + 3 }, 1e-5))
    // Rows are whitened together and keep their lengths.
    let rows = Whitening.whiten([[1, 2], [3], [6]])
    #expect(rows.map(\.count) == [2, 1, 1])
    #expect(Align.close(rows.flatMap { $0 }, w, 1e-6))
    #expect(Whitening.whiten([5]) == [0])
  }

  @Test("group advantages: a hand-computed group")
  func groupByHand() {
    // r = [1, 2, 3, 6]: mean 3, sample variance (4 + 1 + 0 + 9)/3 = 4.666667, std 2.160247
    // A = [−2, −1, 0, 3]/(2.160247 + 1e-4) = [−0.925783, −0.462892, 0, 1.388675]
    let a = GroupAdvantages.normalize([1, 2, 3, 6])
    #expect(Align.close(a, [-0.9257830, -0.4628915, 0, 1.3886745], 1e-5))
  }

  @Test("group advantages: mean 0, std 1; an all-equal group gives zeros")
  func groupProperties() {
    let groups: [[Float]] = [[0.2, 0.9, 0.4, 0.4, 1.5, -0.3], [0.7, 0.7, 0.7, 0.7], [1], [0, 1]]
    let out = GroupAdvantages.normalize(groups: groups)
    let first = out[0]
    let mean = first.reduce(0, +) / Float(first.count)
    let sampleVariance = first.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(first.count - 1)
    #expect(Swift.abs(mean) < 1e-6)
    #expect(Swift.abs(sampleVariance.squareRoot() - 1) < 1e-3)  // 1/(1 + ε/std)
    #expect(out[1] == [0, 0, 0, 0])
    #expect(out[2] == [0])
    // Two completions: ±(1/2)/(0.707107 + 1e-4) = ±0.707007
    #expect(Align.close(out[3], [-0.7070068, 0.7070068], 1e-5))
    // The flat layout, group by group, gives the same numbers.
    #expect(GroupAdvantages.normalize([0.7, 0.7, 0, 1], groupSize: 2) == [0, 0] + out[3])
  }
}
