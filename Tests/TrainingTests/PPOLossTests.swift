import Foundation
import TensorEngine
import Testing
@testable import Training

/// PPO's clipped policy loss, clipped value loss and entropy.
@Suite("PPO loss")
struct PPOLossTests {
  static func log(_ x: [Float]) -> Tensor { Tensor(x.map { Foundation.log($0) }) }

  @Test("policy loss by hand: clipping, clip fraction, gradients, mask")
  func policyLossByHand() throws {
    // ε = 0.2; ratios [1.5, 0.5, 1.1, 0.9] (log π_old = 0), A = [1, 1, −1, 2]; a fifth token is masked out.
    //   t0: min(1.5·1, 1.2·1) = 1.2     clipped: no gradient
    //   t1: min(0.5·1, 0.8·1) = 0.5     unclipped (pessimistic side): gradient
    //   t2: min(−1.1, −1.1)   = −1.1    inside the range
    //   t3: min(1.8, 1.8)     = 1.8     inside the range
    // loss = −(1.2 + 0.5 − 1.1 + 1.8)/4 = −0.6; clip fraction 2/4 = 0.5
    // dloss/dlog π_t = −ratio_t·A_t/4 where the unclipped term is used: [0, −0.125, 0.275, −0.45, 0]
    let logp = Self.log([1.5, 0.5, 1.1, 0.9, 3]).requiringGrad()
    let result = try PPOLoss.policyLoss(
      logProbs: logp, oldLogProbs: Tensor.zeros([5]), advantages: Tensor([1, 1, -1, 2, 5]),
      mask: Tensor([1, 1, 1, 1, 0]), clipRange: 0.2)
    #expect(Swift.abs(try result.loss.item() + 0.6) < 1e-6)
    #expect(result.clipFraction == 0.5)
    try result.loss.backward()
    #expect(Align.close(try #require(logp.grad).toArray(), [0, -0.125, 0.275, -0.45, 0], 1e-6))
    // approximate KL = mean((r − 1) − log r) over the four tokens:
    // (0.5 − 0.405465) + (−0.5 + 0.693147) + (0.1 − 0.095310) + (−0.1 + 0.105361) = 0.297733; /4 = 0.074433
    #expect(Swift.abs(result.approximateKL - 0.0744332) < 1e-5)
  }

  @Test("negative advantages: a ratio below 1 − ε gets no gradient, above 1 + ε it does")
  func negativeAdvantages() throws {
    // A = −1: t0 ratio 0.5: min(−0.5, −0.8) = −0.8 (clipped, no gradient);
    //         t1 ratio 1.5: min(−1.5, −1.2) = −1.5 (unclipped): dloss/dlog π = −(1.5·−1)/2 = 0.75
    let logp = Self.log([0.5, 1.5]).requiringGrad()
    let result = try PPOLoss.policyLoss(
      logProbs: logp, oldLogProbs: Tensor.zeros([2]), advantages: Tensor([-1, -1]), mask: Tensor.ones([2]), clipRange: 0.2)
    #expect(Swift.abs(try result.loss.item() - 1.15) < 1e-6)  // −(−0.8 − 1.5)/2
    #expect(result.clipFraction == 1)
    try result.loss.backward()
    #expect(Align.close(try #require(logp.grad).toArray(), [0, 0.75], 1e-6))
  }

  @Test("policy loss: at ratio 1 it is −mean(A) with gradient −A/N; finite differences inside the range")
  func policyLossGradients() throws {
    let a = Tensor([0.5, -1.5, 2]), old = Tensor([-1, -2, -0.5]), mask = Tensor([1, 1, 1])
    let logp = old.requiringGrad()
    let r = try PPOLoss.policyLoss(logProbs: logp, oldLogProbs: old, advantages: a, mask: mask, clipRange: 0.2)
    #expect(Swift.abs(try r.loss.item() - (-1.0 / 3)) < 1e-6)  // −(0.5 − 1.5 + 2)/3
    #expect(r.clipFraction == 0 && r.approximateKL == 0)
    try r.loss.backward()
    #expect(Align.close(try #require(logp.grad).toArray(), [-0.5 / 3, 0.5, -2.0 / 3], 1e-6))
    try Align.checkGradients([Tensor([-1.05, -1.95, -0.47])]) {
      try PPOLoss.policyLoss(logProbs: $0[0], oldLogProbs: old, advantages: a, mask: mask, clipRange: 0.2).loss
    }
  }

  @Test("value loss by hand: the clipped term wins when V moved more than ε")
  func valueLossByHand() throws {
    // ε = 0.2; V = [1.0, 0.5], V_old = [0.5, 0.5], R = [1.2, 0.0]
    //   t0: (1.0 − 1.2)² = 0.04; clipped V = 0.5 + clamp(0.5, ±0.2) = 0.7: (0.7 − 1.2)² = 0.25 → 0.25
    //   t1: (0.5 − 0)² = 0.25; clipped V = 0.5: 0.25 → 0.25
    // loss = ½·(0.25 + 0.25)/2 = 0.125
    // gradient: t0 takes the clipped branch, flat in V → 0; t1: ½·½·2·(0.5 − 0) = 0.25
    let v = Tensor([1.0, 0.5]).requiringGrad()
    let loss = try PPOLoss.valueLoss(values: v, oldValues: Tensor([0.5, 0.5]), returns: Tensor([1.2, 0]), mask: Tensor.ones([2]), clipRange: 0.2)
    #expect(Swift.abs(try loss.item() - 0.125) < 1e-6)
    try loss.backward()
    #expect(Align.close(try #require(v.grad).toArray(), [0, 0.25], 1e-6))
    // Inside the range the loss is plain ½·mean (V − R)²: ½·((0.55 − 0.3)² + (0.45 − 0.9)²)/2 = ½·(0.0625 + 0.2025)/2 = 0.06625
    let inside = try PPOLoss.valueLoss(values: Tensor([0.55, 0.45]), oldValues: Tensor([0.5, 0.5]), returns: Tensor([0.3, 0.9]), mask: Tensor.ones([2]), clipRange: 0.2)
    #expect(Swift.abs(try inside.item() - 0.06625) < 1e-6)
  }

  @Test("entropy from logits by hand, and its gradient")
  func entropy() throws {
    // logits [0, ln 3]: p = [1/4, 3/4]; H = −(¼·ln ¼ + ¾·ln ¾) = 0.346574 + 0.215762 = 0.562335
    // uniform over 5: H = ln 5 = 1.609438
    let logits = try Tensor(shape: [2, 5], values: [0, Foundation.log(3), -1e9, -1e9, -1e9, 2, 2, 2, 2, 2])
    let h = try PPOLoss.entropy(logits: logits).toArray()
    #expect(Align.close(h, [0.5623351, 1.6094379], 1e-5))
    try Align.checkGradients([try Tensor(shape: [2, 3], values: [0.1, -0.5, 1.2, 0.3, 0.3, -1])]) {
      try PPOLoss.entropy(logits: $0[0]).summed()
    }
  }

  @Test("masked mean ignores masked positions; an empty mask gives 0")
  func maskedMean() throws {
    #expect(try Masked.mean(Tensor([1, 2, 100]), mask: Tensor([1, 1, 0])).item() == 1.5)
    #expect(try Masked.mean(Tensor([1, 2]), mask: Tensor([0, 0])).item() == 0)
    #expect(try Masked.mask(fromTargets: Tensor([-100, 3, 0])).toArray() == [0, 1, 1])
  }
}
