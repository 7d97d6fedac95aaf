import Foundation
import TensorEngine
import Testing
@testable import Training

/// log σ, the Bradley–Terry loss and the DPO loss: hand-computed values, ln 2 at margin 0,
/// monotone in the margin, stable far from 0, and gradients against finite differences.
@Suite("Preference losses")
struct PreferenceLossTests {
  static let ln2 = Float(Foundation.log(2.0))

  @Test("log σ is stable far from 0 and has the exact gradient at 0")
  func logSigmoid() throws {
    let x = Tensor([-1000, -100, -1, 0, 1, 100, 1000])
    let y = try LogSigmoid.logSigmoid(x).toArray()
    // log σ(−1000) = −1000 − log(1 + e^−1000) = −1000; log σ(1000) = −log(1 + e^−1000) = 0;
    // log σ(±1) = −log(1 + e^∓1) = −1.313262, −0.313262; log σ(0) = −ln 2.
    #expect(Align.close(y, [-1000, -100, -1.3132617, -Self.ln2, -0.31326169, 0, 0], 1e-4))
    let p = x.requiringGrad()
    try LogSigmoid.logSigmoid(p).summed().backward()
    // d/dx log σ(x) = 1 − σ(x): 1, 1, 0.731059, 0.5, 0.268941, 0, 0.
    #expect(Align.close(try #require(p.grad).toArray(), [1, 1, 0.7310586, 0.5, 0.26894142, 0, 0], 1e-5))
    #expect(Align.close(try LogSigmoid.softplus(Tensor([0, 2])).toArray(), [Self.ln2, 2.126928], 1e-5))
  }

  @Test("the textbook stable softplus max(x,0) + log(1+e^−|x|) gets gradient 0 at x = 0 here")
  func textbookSoftplusPitfall() throws {
    // Why LogSigmoid goes through log-softmax: relu′(0) = 0 and |x|′(0) = 0 in the engine
    // (as in PyTorch), so this form's gradient at 0 is 0, not σ(0) = ½.
    let x = Tensor([0]).requiringGrad()
    let naive = try x.relu() + ((x.abs().negated().exp() + 1).log())
    try naive.summed().backward()
    #expect(try #require(x.grad).toArray() == [0])
  }

  @Test("Bradley–Terry: a hand-computed batch")
  func bradleyTerryValues() throws {
    // margins c − r = [2 − 1, 0 − 1] = [1, −1]
    // losses softplus(−1) = log(1 + e^−1) = 0.313262, softplus(1) = 1.313262; mean 0.813262
    // accuracy: 1 of 2 pairs ranked right = 0.5; mean margin (1 − 1)/2 = 0
    let c = Tensor([2, 0]), r = Tensor([1, 1])
    #expect(Swift.abs(try BradleyTerry.loss(chosen: c, rejected: r).item() - 0.8132617) < 1e-5)
    #expect(try BradleyTerry.accuracy(chosen: c, rejected: r) == 0.5)
    #expect(try BradleyTerry.margin(chosen: c, rejected: r) == 0)
    // A tie is not a win.
    #expect(try BradleyTerry.accuracy(chosen: Tensor([1]), rejected: Tensor([1])) == 0)
  }

  @Test("Bradley–Terry is ln 2 at margin 0 and falls as the margin grows")
  func bradleyTerryMonotone() throws {
    let zero = try BradleyTerry.loss(chosen: Tensor([3, -2, 0.5]), rejected: Tensor([3, -2, 0.5])).item()
    #expect(Swift.abs(zero - Self.ln2) < 1e-6)
    let losses = try [-2, -0.5, 0, 0.5, 1, 2, 4, 8].map { m in
      try BradleyTerry.loss(chosen: Tensor([Float(m)]), rejected: Tensor([0])).item()
    }
    #expect(zip(losses, losses.dropFirst()).allSatisfy { $0 > $1 })
    #expect(losses[0] > Self.ln2 && losses.last! < 1e-3)
  }

  @Test("Bradley–Terry gradients: finite differences, and −σ(−m)/B by hand")
  func bradleyTerryGradients() throws {
    let c = Tensor([0.3, -1.2, 0]), r = Tensor([-0.4, 0.5, 0])
    let g = try Align.checkGradients([c, r]) { try BradleyTerry.loss(chosen: $0[0], rejected: $0[1]) }
    // dL/dc_i = −σ(−m_i)/3 with m = [0.7, −1.7, 0]: −0.331812/3, −0.845535/3, −0.5/3.
    let expected = [0.7, -1.7, 0].map { Float(-Align.sigmoid(-$0) / 3) }
    #expect(Align.close(g[0], expected, 1e-6))
    #expect(Align.close(g[1], expected.map { -$0 }, 1e-6))
  }

  @Test("DPO: a hand-computed pair")
  func dpoValues() throws {
    // π_c − ref_c = −3 − (−3.5) = 0.5; π_r − ref_r = −4 − (−3.5) = −0.5
    // margin β·(0.5 − (−0.5)) = 0.5·1 = 0.5; loss = softplus(−0.5) = log(1 + e^−0.5) = 0.474077
    // implicit rewards: chosen 0.5·0.5 = 0.25, rejected 0.5·(−0.5) = −0.25: accuracy 1, margin 0.5
    let args = (Tensor([-3]), Tensor([-4]), Tensor([-3.5]), Tensor([-3.5]))
    let loss = try DPOLoss.loss(policyChosen: args.0, policyRejected: args.1, referenceChosen: args.2, referenceRejected: args.3, beta: 0.5)
    #expect(Swift.abs(try loss.item() - 0.47407698) < 1e-6)
    let (rc, rr) = try DPOLoss.implicitRewards(policyChosen: args.0, policyRejected: args.1, referenceChosen: args.2, referenceRejected: args.3, beta: 0.5)
    #expect(rc.toArray() == [0.25] && rr.toArray() == [-0.25])
    #expect(try DPOLoss.accuracy(policyChosen: args.0, policyRejected: args.1, referenceChosen: args.2, referenceRejected: args.3, beta: 0.5) == 1)
    #expect(try DPOLoss.margin(policyChosen: args.0, policyRejected: args.1, referenceChosen: args.2, referenceRejected: args.3, beta: 0.5) == 0.5)
  }

  @Test("DPO is ln 2 when the policy is the reference and falls as the margin grows")
  func dpoMonotone() throws {
    let p = Tensor([-5, -7.5]), q = Tensor([-6, -2])
    let same = try DPOLoss.loss(policyChosen: p, policyRejected: q, referenceChosen: p, referenceRejected: q, beta: 0.1).item()
    #expect(Swift.abs(same - Self.ln2) < 1e-6)
    // Raise the policy's chosen log-prob by δ: the margin is β·δ.
    let losses = try [0, 1, 2, 5, 10, 50].map { (d: Float) in
      try DPOLoss.loss(policyChosen: p + d, policyRejected: q, referenceChosen: p, referenceRejected: q, beta: 0.1).item()
    }
    #expect(zip(losses, losses.dropFirst()).allSatisfy { $0 > $1 })
  }

  @Test("DPO gradients: finite differences, none into the reference, β·σ(−m)/B at the start")
  func dpoGradients() throws {
    let inputs = [Tensor([-4.0, -2.5]), Tensor([-3.0, -2.0]), Tensor([-4.2, -2.5]), Tensor([-2.9, -2.0])]
    let g = try Align.checkGradients(Array(inputs[0..<2])) {
      try DPOLoss.loss(policyChosen: $0[0], policyRejected: $0[1], referenceChosen: inputs[2], referenceRejected: inputs[3], beta: 0.5)
    }
    // m = 0.5·((−4 + 4.2) − (−3 + 2.9)) = 0.5·0.3 = 0.15 and m = 0 (policy = reference);
    // dL/dπ_c = −β·σ(−m)/2: −0.5·0.462570/2 = −0.115642, −0.5·0.5/2 = −0.125.
    #expect(Align.close(g[0], [-0.11564244, -0.125], 1e-6))
    #expect(Align.close(g[1], [0.11564244, 0.125], 1e-6))

    let ref = inputs[2].requiringGrad()
    let loss = try DPOLoss.loss(policyChosen: inputs[0].requiringGrad(), policyRejected: inputs[1], referenceChosen: ref, referenceRejected: inputs[3], beta: 0.5)
    try loss.backward()
    #expect(ref.grad == nil)
  }
}
