import Foundation
import TensorEngine
import Testing
@testable import Training

/// The per-token KL estimators and PPO's KL-shaped rewards.
@Suite("KL estimates")
struct KLTests {
  @Test("k1, k2 and k3 of one token by hand")
  func byHand() throws {
    // log π = −1, log π_ref = −1.5: log r = −0.5, r = e^−0.5 = 0.606531
    // k1 = −1 − (−1.5) = 0.5;  k2 = ½·0.25 = 0.125;  k3 = (0.606531 − 1) − (−0.5) = 0.106531
    let p = Tensor([-1]), q = Tensor([-1.5])
    #expect(try KLEstimator.k1(logProbs: p, referenceLogProbs: q).toArray() == [0.5])
    #expect(try KLEstimator.k2(logProbs: p, referenceLogProbs: q).toArray() == [0.125])
    #expect(Align.close(try KLEstimator.k3(logProbs: p, referenceLogProbs: q).toArray(), [0.10653066], 1e-6))
    #expect(Align.close(KLEstimator.k3([-1], [-1.5]), [0.10653066], 1e-7))
  }

  @Test("k3 ≥ 0 everywhere, tiny differences included, and matches expm1(d) − d")
  func k3NonNegative() throws {
    var ds: [Double] = [-20, -5, -1, -0.3, -0.11, -0.09, -0.01, 0.01, 0.09, 0.11, 0.3, 1, 5, 20, 0]
    for e in 1...7 { let v = Foundation.pow(10.0, -Double(e)); ds += [v, -v, 3 * v, -3 * v] }
    let logp = ds.map { _ in Float(-2.3) }
    let logref = ds.map { Float(-2.3 + $0) }
    let t = try KLEstimator.k3(logProbs: Tensor(logp), referenceLogProbs: Tensor(logref)).toArray()
    let a = KLEstimator.k3(logp, logref)
    for (i, _) in ds.enumerated() {
      // the float32 difference actually represented
      let d = Double(logref[i]) - Double(logp[i])
      let exact = Foundation.expm1(d) - d
      #expect(t[i] >= 0 && a[i] >= 0, "d = \(d): k3 \(t[i]), \(a[i])")
      // float32: relative 1e-5 from the series (|d| < 0.1), plus ~1e-7 absolute from e^d − 1 − d above it
      let tolerance = 1e-5 * exact + (Swift.abs(d) >= 0.1 ? 3e-7 : 0) + 1e-15
      #expect(Swift.abs(Double(t[i]) - exact) <= tolerance, "d = \(d): \(t[i]) vs \(exact)")
      #expect(Swift.abs(Double(a[i]) - exact) <= 1e-6 * Swift.max(1e-6, exact), "d = \(d): \(a[i]) vs \(exact)")
    }
  }

  @Test("k3's gradient is 1 − r, on both sides of the series switch (|d| = 0.1)")
  func k3Gradient() throws {
    let logref = Tensor([-1.0, -2.0, -0.5, -3.0])
    try Align.checkGradients([Tensor([-1.3, -2.004, -0.2, -3.05])]) {
      try KLEstimator.k3(logProbs: $0[0], referenceLogProbs: logref).summed()
    }
  }

  @Test("nearby distributions: E_π[k1] = E_π[k3] = KL, and k3 = ½k1² + O(ε³) per token")
  func nearbyDistributions() throws {
    let z: [Double] = [0.3, -1.2, 0.8, 0.05, -0.4, 1.1]
    let u: [Double] = [0.5, -0.2, 0.9, -1.0, 0.3, -0.6]
    func logSoftmax(_ x: [Double]) -> [Double] {
      let m = x.max()!
      let s = Foundation.log(x.reduce(0) { $0 + Foundation.exp($1 - m) })
      return x.map { $0 - m - s }
    }
    var worst: [Double] = []
    for eps in [0.1, 0.05] {
      let lp = logSoftmax(z), lq = logSoftmax(zip(z, u).map { $0 + eps * $1 })
      let p = lp.map { Foundation.exp($0) }
      let kl = zip(p, zip(lp, lq)).reduce(0) { $0 + $1.0 * ($1.1.0 - $1.1.1) }
      let k1 = KLEstimator.k1(lp.map(Float.init), lq.map(Float.init))
      let k3 = KLEstimator.k3(lp.map(Float.init), lq.map(Float.init))
      // Expectations under π (summing over the vocabulary with π's weights): both are the KL.
      let e1 = zip(p, k1).reduce(0) { $0 + $1.0 * Double($1.1) }
      let e3 = zip(p, k3).reduce(0) { $0 + $1.0 * Double($1.1) }
      #expect(kl > 0 && Swift.abs(e1 - kl) < 1e-6 && Swift.abs(e3 - kl) < 1e-6, "ε = \(eps): KL \(kl), E[k1] \(e1), E[k3] \(e3)")
      worst.append(zip(k1, k3).map { Swift.abs(Double($1) - 0.5 * Double($0 * $0)) }.max()!)
    }
    // Halving ε divides the third-order gap by about 2³ = 8.
    let ratio = worst[0] / worst[1]
    #expect(ratio > 6 && ratio < 10, "gap ratio \(ratio)")
  }

  @Test("KL-shaped rewards: −β·k1 per token plus the score on the last")
  func penalizedRewards() {
    // k1 = [−1 + 1.5, −2 + 1.5, −0.5 + 0.5] = [0.5, −0.5, 0]; β = 0.1
    // rewards = [−0.05, 0.05, −0 + 2] = [−0.05, 0.05, 2]
    let r = KLEstimator.penalizedRewards(score: 2, logProbs: [-1, -2, -0.5], referenceLogProbs: [-1.5, -1.5, -0.5], beta: 0.1)
    #expect(Align.close(r, [-0.05, 0.05, 2], 1e-6))
    #expect(KLEstimator.penalizedRewards(score: 2, logProbs: [], referenceLogProbs: [], beta: 0.1).isEmpty)
  }
}
