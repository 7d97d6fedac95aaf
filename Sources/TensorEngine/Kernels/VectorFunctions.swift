/// Element-wise functions as types, so kernels specialize on them and inline the body into
/// the vector loop. Hot operations (arithmetic, activations and their derivatives) each
/// have one; rarely used ones go through `UnaryClosure` / `BinaryClosure`.
protocol UnaryVectorFunction {
  func callAsFunction(_ x: Vec) -> Vec
}

protocol BinaryVectorFunction {
  func callAsFunction(_ a: Vec, _ b: Vec) -> Vec
}

struct UnaryClosure: UnaryVectorFunction {
  let f: (Vec) -> Vec
  @inline(__always) func callAsFunction(_ x: Vec) -> Vec { f(x) }
}

struct BinaryClosure: BinaryVectorFunction {
  let f: (Vec, Vec) -> Vec
  @inline(__always) func callAsFunction(_ a: Vec, _ b: Vec) -> Vec { f(a, b) }
}

/// A binary function with its right operand fixed (tensor ∘ scalar).
struct BoundRight<F: BinaryVectorFunction>: UnaryVectorFunction {
  let f: F
  let b: Vec
  @inline(__always) func callAsFunction(_ x: Vec) -> Vec { f(x, b) }
}

/// A binary function with its left operand fixed (scalar ∘ tensor).
struct BoundLeft<F: BinaryVectorFunction>: UnaryVectorFunction {
  let f: F
  let a: Vec
  @inline(__always) func callAsFunction(_ x: Vec) -> Vec { f(a, x) }
}

enum VectorOps {
  struct Add: BinaryVectorFunction { @inline(__always) func callAsFunction(_ a: Vec, _ b: Vec) -> Vec { a + b } }
  struct Subtract: BinaryVectorFunction { @inline(__always) func callAsFunction(_ a: Vec, _ b: Vec) -> Vec { a - b } }
  struct Multiply: BinaryVectorFunction { @inline(__always) func callAsFunction(_ a: Vec, _ b: Vec) -> Vec { a * b } }
  struct Divide: BinaryVectorFunction { @inline(__always) func callAsFunction(_ a: Vec, _ b: Vec) -> Vec { a / b } }

  struct Exp: UnaryVectorFunction { @inline(__always) func callAsFunction(_ x: Vec) -> Vec { FastMath.exp(x) } }
  struct Tanh: UnaryVectorFunction { @inline(__always) func callAsFunction(_ x: Vec) -> Vec { FastMath.tanh(x) } }
  struct Sigmoid: UnaryVectorFunction { @inline(__always) func callAsFunction(_ x: Vec) -> Vec { FastMath.sigmoid(x) } }
  struct Silu: UnaryVectorFunction { @inline(__always) func callAsFunction(_ x: Vec) -> Vec { FastMath.timesSigmoid(x, x) } }
  struct Gelu: UnaryVectorFunction { @inline(__always) func callAsFunction(_ x: Vec) -> Vec { FastMath.geluTanh(x) } }
  struct Relu: UnaryVectorFunction {
    @inline(__always) func callAsFunction(_ x: Vec) -> Vec { x.replacing(with: 0, where: x .< 0) }
  }

  /// g·gelu'(x)
  struct GeluBackward: BinaryVectorFunction {
    @inline(__always) func callAsFunction(_ g: Vec, _ x: Vec) -> Vec { g * FastMath.geluTanhDerivative(x) }
  }
  /// g where x > 0
  struct ReluBackward: BinaryVectorFunction {
    @inline(__always) func callAsFunction(_ g: Vec, _ x: Vec) -> Vec { g.replacing(with: 0, where: x .<= 0) }
  }
  /// g·(1 − y²) from the output y = tanh(x)
  struct TanhBackward: BinaryVectorFunction {
    @inline(__always) func callAsFunction(_ g: Vec, _ y: Vec) -> Vec { g * (1 - y * y) }
  }
  /// g·y·(1 − y) from the output y = sigmoid(x)
  struct SigmoidBackward: BinaryVectorFunction {
    @inline(__always) func callAsFunction(_ g: Vec, _ y: Vec) -> Vec { g * y * (1 - y) }
  }
  /// g·(s + x·s·(1 − s)) with s = sigmoid(x)
  struct SiluBackward: BinaryVectorFunction {
    @inline(__always) func callAsFunction(_ g: Vec, _ x: Vec) -> Vec {
      let s = FastMath.sigmoid(x)
      return g * s * (1 + x * (1 - s))
    }
  }
}
