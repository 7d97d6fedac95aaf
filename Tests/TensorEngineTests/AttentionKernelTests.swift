import Foundation
import Testing
@testable import TensorEngine

/// One item's shape for the attention kernel.
struct KernelCase: Sendable, CustomTestStringConvertible {
  let t: Int, s: Int, d: Int, e: Int
  let causal: Bool
  var testDescription: String { "t=\(t) s=\(s) d=\(d) e=\(e)\(causal ? " causal" : "")" }
}

/// The attention kernel's two paths (register tiles and BLAS) against a plain reference in
/// Double: the output and all three gradients, with inputs inside wider rows (leading
/// dimensions larger than the widths) and sentinels in the gaps that must stay untouched.
@Suite("Attention kernel against a reference")
struct AttentionKernelTests {
  static let cases: [KernelCase] = [
    KernelCase(t: 64, s: 64, d: 32, e: 32, causal: true),
    KernelCase(t: 64, s: 64, d: 32, e: 32, causal: false),
    KernelCase(t: 5, s: 5, d: 7, e: 7, causal: true),
    KernelCase(t: 5, s: 5, d: 7, e: 7, causal: false),
    KernelCase(t: 3, s: 8, d: 7, e: 5, causal: true),
    KernelCase(t: 9, s: 4, d: 3, e: 6, causal: false),
    KernelCase(t: 1, s: 1, d: 1, e: 1, causal: true),
    KernelCase(t: 17, s: 33, d: 16, e: 20, causal: true),
    KernelCase(t: 70, s: 70, d: 8, e: 8, causal: true),
    KernelCase(t: 2, s: 40, d: 64, e: 48, causal: true),
    KernelCase(t: 130, s: 130, d: 24, e: 40, causal: true),
  ]

  @Test("tiles and BLAS match the reference", arguments: cases)
  func matchesReference(_ c: KernelCase) {
    let kernel = AttentionKernel(t: c.t, s: c.s, d: c.d, e: c.e, alpha: 0.37, causal: c.causal)
    #expect(kernel.usesTiles)
    let reference = Self.reference(c, alpha: 0.37)
    for tiles in [true, false] {
      let got = Self.run(kernel, tiles: tiles)
      let path = tiles ? "tiles" : "BLAS"
      for (name, a, b) in [("output", got.o, reference.o), ("dQ", got.dq, reference.dq), ("dK", got.dk, reference.dk), ("dV", got.dv, reference.dv)] {
        var worst = 0.0
        for (x, y) in zip(a, b) { worst = max(worst, abs(Double(x) - y) / (1 + abs(y))) }
        #expect(worst < 2e-5, "\(c.testDescription) \(path): \(name) off by \(worst)")
      }
      #expect(got.gapsUntouched, "\(c.testDescription) \(path): wrote outside its columns")
    }
  }

  /// Inputs: row i of an r×w matrix holds sin-based values, rows `w + 3` apart.
  static func input(_ rows: Int, _ cols: Int, seed: Int) -> [Float] {
    let ld = cols + 3
    return (0..<(rows * ld)).map { i in i % ld < cols ? Float(sin(Double(i * 7 + seed * 13) * 0.37)) : 0 }
  }

  static let sentinel: Float = 12345

  /// The kernel's forward then backward through one path; results without the row gaps.
  static func run(_ k: AttentionKernel, tiles: Bool)
    -> (o: [Float], dq: [Float], dk: [Float], dv: [Float], gapsUntouched: Bool)
  {
    let (t, s, d, e) = (k.t, k.s, k.d, k.e)
    let q = input(t, d, seed: 1), kk = input(s, d, seed: 2), v = input(s, e, seed: 3), go = input(t, e, seed: 4)
    var o = [Float](repeating: sentinel, count: t * (e + 3)), dq = [Float](repeating: sentinel, count: t * (d + 3))
    var dk = [Float](repeating: sentinel, count: s * (d + 3)), dv = [Float](repeating: sentinel, count: s * (e + 3))
    let stride = tiles ? k.probsStride : s
    var p = [Float](repeating: .nan, count: t * stride)
    // NaN scratch: any read of scratch the kernel did not write shows in the results.
    var scratch = [Float](repeating: .nan, count: max(k.tiledForwardScratch, k.tiledBackwardScratch, AttentionKernel.block * s))
    q.withUnsafeBufferPointer { q in kk.withUnsafeBufferPointer { kk in v.withUnsafeBufferPointer { v in go.withUnsafeBufferPointer { go in
    o.withUnsafeMutableBufferPointer { o in dq.withUnsafeMutableBufferPointer { dq in dk.withUnsafeMutableBufferPointer { dk in
    dv.withUnsafeMutableBufferPointer { dv in p.withUnsafeMutableBufferPointer { p in scratch.withUnsafeMutableBufferPointer { sc in
      let (q, kk, v, go) = (q.baseAddress!, kk.baseAddress!, v.baseAddress!, go.baseAddress!)
      let (o, dq, dk, dv, p, sc) = (o.baseAddress!, dq.baseAddress!, dk.baseAddress!, dv.baseAddress!, p.baseAddress!, sc.baseAddress!)
      if tiles {
        k.tiledForward(q: q, ldq: d + 3, k: kk, ldk: d + 3, v: v, ldv: e + 3, o: o, ldo: e + 3, p: p, scratch: sc)
        k.tiledBackward(
          q: q, ldq: d + 3, k: kk, ldk: d + 3, v: v, ldv: e + 3, p: p, go: go, ldgo: e + 3,
          dq: dq, lddq: d + 3, dk: dk, lddk: d + 3, dv: dv, lddv: e + 3, scratch: sc)
      } else {
        k.blasForward(q: q, ldq: d + 3, k: kk, ldk: d + 3, v: v, ldv: e + 3, o: o, ldo: e + 3, p: p)
        k.blasBackward(
          q: q, ldq: d + 3, k: kk, ldk: d + 3, v: v, ldv: e + 3, p: p, go: go, ldgo: e + 3,
          dq: dq, lddq: d + 3, dk: dk, lddk: d + 3, dv: dv, lddv: e + 3, scratch: sc)
      }
    }}}}}}}}}}
    func strip(_ x: [Float], _ cols: Int) -> [Float] { x.enumerated().filter { $0.offset % (cols + 3) < cols }.map(\.element) }
    func gaps(_ x: [Float], _ cols: Int) -> Bool { x.enumerated().allSatisfy { $0.offset % (cols + 3) < cols || $0.element == sentinel } }
    return (strip(o, e), strip(dq, d), strip(dk, d), strip(dv, e), gaps(o, e) && gaps(dq, d) && gaps(dk, d) && gaps(dv, e))
  }

  /// Attention and its gradients written out entry by entry, in Double.
  static func reference(_ c: KernelCase, alpha: Double)
    -> (o: [Double], dq: [Double], dk: [Double], dv: [Double])
  {
    let (t, s, d, e) = (c.t, c.s, c.d, c.e)
    func matrix(_ x: [Float], _ rows: Int, _ cols: Int) -> [[Double]] {
      (0..<rows).map { i in (0..<cols).map { Double(x[i * (cols + 3) + $0]) } }
    }
    let q = matrix(input(t, d, seed: 1), t, d), k = matrix(input(s, d, seed: 2), s, d)
    let v = matrix(input(s, e, seed: 3), s, e), g = matrix(input(t, e, seed: 4), t, e)
    func visible(_ i: Int) -> Int { c.causal ? min(s, i + (s - t) + 1) : s }
    var p = [[Double]](repeating: [Double](repeating: 0, count: s), count: t)
    for i in 0..<t {
      let scores = (0..<visible(i)).map { j in alpha * (0..<d).reduce(0.0) { $0 + q[i][$1] * k[j][$1] } }
      let m = scores.max()!
      let ex = scores.map { Foundation.exp($0 - m) }
      let total = ex.reduce(0, +)
      for j in 0..<visible(i) { p[i][j] = ex[j] / total }
    }
    var o = [Double](), dq = [Double](), dk = [Double](), dv = [Double]()
    for i in 0..<t { for c in 0..<e { o.append((0..<s).reduce(0.0) { $0 + p[i][$1] * v[$1][c] }) } }
    var ds = p
    for i in 0..<t {
      let dp = (0..<s).map { j in (0..<e).reduce(0.0) { $0 + g[i][$1] * v[j][$1] } }
      let dot = (0..<s).reduce(0.0) { $0 + p[i][$1] * dp[$1] }
      for j in 0..<s { ds[i][j] = p[i][j] * (dp[j] - dot) }
    }
    for i in 0..<t { for c in 0..<d { dq.append(alpha * (0..<s).reduce(0.0) { $0 + ds[i][$1] * k[$1][c] }) } }
    for j in 0..<s { for c in 0..<d { dk.append(alpha * (0..<t).reduce(0.0) { $0 + ds[$1][j] * q[$1][c] }) } }
    for j in 0..<s { for c in 0..<e { dv.append((0..<t).reduce(0.0) { $0 + p[$1][j] * g[$1][c] }) } }
    return (o, dq, dk, dv)
  }
}
