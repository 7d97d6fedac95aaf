import Foundation
import Synchronization

/// xoshiro256**: a small, fast generator whose whole state is four words, so a seed fixes
/// every random number the engine draws (initial weights, dropout masks, shuffles, samples).
public struct RandomGenerator: Sendable {
  private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

  /// Expands the seed with SplitMix64, as the generator's authors recommend.
  public init(seed: UInt64) {
    var z = seed
    func splitmix() -> UInt64 {
      z &+= 0x9E37_79B9_7F4A_7C15
      var x = z
      x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
      x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
      return x ^ (x >> 31)
    }
    s0 = splitmix(); s1 = splitmix(); s2 = splitmix(); s3 = splitmix()
  }

  @inline(__always)
  public mutating func next() -> UInt64 {
    let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
    let t = s1 << 17
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
    s2 ^= t
    s3 = (s3 << 45) | (s3 >> 19)
    return result
  }

  /// Uniform in [0, 1) with 24 random bits.
  @inline(__always)
  public mutating func nextUniform() -> Float {
    Float(next() >> 40) * (1.0 / 16_777_216.0)
  }

  /// Uniform integer in 0 ..< bound (bound > 0), without modulo bias.
  public mutating func nextInt(below bound: Int) -> Int {
    precondition(bound > 0)
    let b = UInt64(bound)
    let limit = UInt64.max - UInt64.max % b
    while true {
      let x = next()
      if x < limit { return Int(x % b) }
    }
  }

  /// Fills `buffer` with uniform values in [low, high).
  public mutating func fillUniform(_ buffer: UnsafeMutableBufferPointer<Float>, low: Float = 0, high: Float = 1) {
    let span = high - low
    for i in buffer.indices { buffer[i] = low + span * nextUniform() }
  }

  /// Fills `buffer` with normal values (Box-Muller, two values per pair of uniforms).
  public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, mean: Float = 0, std: Float = 1) {
    var i = 0
    let n = buffer.count
    while i < n {
      // 1 - u keeps the logarithm's argument in (0, 1].
      let u1 = 1 - Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
      let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
      let radius = (-2 * Foundation.log(u1)).squareRoot()
      let angle = 2 * Double.pi * u2
      buffer[i] = mean + std * Float(radius * Foundation.cos(angle))
      if i + 1 < n { buffer[i + 1] = mean + std * Float(radius * Foundation.sin(angle)) }
      i += 2
    }
  }

  /// Shuffles indices in place (Fisher-Yates).
  public mutating func shuffle<T>(_ array: inout [T]) {
    guard array.count > 1 else { return }
    for i in stride(from: array.count - 1, to: 0, by: -1) {
      array.swapAt(i, nextInt(below: i + 1))
    }
  }
}

/// The engine's one shared generator. `Random.seed(_:)` makes every later draw reproducible:
/// the same seed gives bit-identical results on the same machine.
public enum Random {
  static let generator = Mutex(RandomGenerator(seed: 0x11_4D_1A_B5))

  public static func seed(_ seed: UInt64) {
    generator.withLock { $0 = RandomGenerator(seed: seed) }
  }

  /// Runs `body` with exclusive use of the shared generator.
  public static func using<R>(_ body: (inout RandomGenerator) throws -> R) rethrows -> R {
    try generator.withLock { try body(&$0) }
  }
}
