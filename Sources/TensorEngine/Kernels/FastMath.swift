/// Vectorized transcendental functions for the element-wise kernels.
///
/// libm's `expf` is a scalar call; a GELU over millions of activations through it runs at a
/// fraction of memory bandwidth. These work on sixteen lanes at a time with a polynomial and
/// exponent-bit construction, accurate to a few ulp over the float range the engine uses.
typealias Vec = SIMD16<Float>
typealias VecInt = SIMD16<Int32>

enum FastMath {
  /// e^x. Range reduction x = n·ln2 + r with |r| ≤ ln2/2, a degree-6 polynomial for e^r, and
  /// 2^n built directly in the exponent bits, each step a fused multiply-add (one rounding,
  /// half the instructions; Swift does not contract `a * b + c` on its own). Inputs are
  /// clamped to stay finite; below about -87.3 the result flushes to 0 as expf's does.
  @inline(__always)
  static func exp(_ x: Vec) -> Vec {
    let hi = Vec(repeating: 88.3762626647949)
    let lo = Vec(repeating: -87.3365447505531)
    // Comparisons are false for NaN, so NaN passes through unclamped and stays NaN: a
    // diverging loss has to show, not be silently clamped.
    var v = x.replacing(with: hi, where: x .> hi)
    v = v.replacing(with: lo, where: v .< lo)
    // Round v·log2(e) to an integer by adding 1.5·2^23: the integer lands in the low mantissa bits.
    let magic = Vec(repeating: 12_582_912.0)
    let t = magic.addingProduct(v, Vec(repeating: 1.44269504088896341))
    let n = t - magic
    // r = v - n·ln2, with ln2 split in two for accuracy.
    let r = v.addingProduct(n, Vec(repeating: -0.693359375)).addingProduct(n, Vec(repeating: 2.12194440e-4))
    var p = Vec(repeating: 1.3981999507e-3).addingProduct(Vec(repeating: 1.9875691500e-4), r)
    p = Vec(repeating: 8.3334519073e-3).addingProduct(p, r)
    p = Vec(repeating: 4.1665795894e-2).addingProduct(p, r)
    p = Vec(repeating: 1.6666665459e-1).addingProduct(p, r)
    p = Vec(repeating: 5.0000001201e-1).addingProduct(p, r)
    p = (r + 1).addingProduct(p, r * r)
    // 2^n: (n + 127) << 23, taken from the low bits of t.
    let tBits = unsafeBitCast(t, to: VecInt.self)
    let exponent = (tBits &- VecInt(repeating: 0x4B40_0000) &+ VecInt(repeating: 127)) &<< 23
    let result = p * unsafeBitCast(exponent, to: Vec.self)
    // Below the clamp the true value underflows to 0.
    return result.replacing(with: 0, where: x .< lo)
  }

  /// 1 / (1 + e^-x), stable for both signs.
  @inline(__always)
  static func sigmoid(_ x: Vec) -> Vec {
    1 / (1 + exp(-x))
  }

  /// x·sigmoid(y) with one division instead of a reciprocal and a product.
  @inline(__always)
  static func timesSigmoid(_ x: Vec, _ y: Vec) -> Vec {
    x / (1 + exp(-y))
  }

  /// tanh(x) = 2·sigmoid(2x) - 1, with its odd Taylor series near 0 where that form cancels.
  @inline(__always)
  static func tanh(_ x: Vec) -> Vec {
    let big = 2 * sigmoid(2 * x) - 1
    let x2 = x * x
    let small = x * (1 + x2 * (Vec(repeating: -1.0 / 3) + x2 * (Vec(repeating: 2.0 / 15) + x2 * Vec(repeating: -17.0 / 315))))
    let absX = x.replacing(with: -x, where: x .< 0)
    return big.replacing(with: small, where: absX .< 0.125)
  }

  static let geluScale: Float = 0.7978845608028654  // sqrt(2/pi)
  static let geluCubic: Float = 0.044715

  /// GELU, tanh form: 0.5·x·(1 + tanh(u)) with u = √(2/π)(x + 0.044715x³), written as
  /// x·sigmoid(2u), which is the same function without the cancellation of 1 + tanh. (The
  /// fused linear layer keeps sigmoid(2u) for its backward and multiplies the same way, so
  /// both give the same bits.)
  @inline(__always)
  static func geluTanh(_ x: Vec) -> Vec { x * geluSigmoid(x) }

  /// sigmoid(2u), GELU's gate.
  @inline(__always)
  static func geluSigmoid(_ x: Vec) -> Vec {
    let u = Vec(repeating: geluScale) * (x + Vec(repeating: geluCubic) * x * x * x)
    return sigmoid(2 * u)
  }

  /// d/dx of `geluTanh`: s + x·s·(1 - s)·2u', with s = sigmoid(2u).
  @inline(__always)
  static func geluTanhDerivative(_ x: Vec) -> Vec { geluDerivative(x, gate: geluSigmoid(x)) }

  /// d/dx of `geluTanh` from x and its gate s = sigmoid(2u) (kept by the fused linear layer).
  @inline(__always)
  static func geluDerivative(_ x: Vec, gate s: Vec) -> Vec {
    let du = Vec(repeating: geluScale) * (1 + Vec(repeating: 3 * geluCubic) * x * x)
    return s + x * s * (1 - s) * 2 * du
  }

  /// Scalar versions for loop tails, through the same formulas.
  @inline(__always)
  static func scalar(_ f: (Vec) -> Vec, _ x: Float) -> Float {
    f(Vec(repeating: x))[0]
  }
}
