import Foundation
import Language
import TensorEngine

extension Interpreter {
  /// Registers a tensor function; with `method`, `x.name(...)` calls it with x first.
  private func tensorFunction(
    _ name: String, _ parameters: [ParameterSpec], category: String = "tensors", method: Bool = true, doc: String,
    _ body: @escaping (BoundArguments) throws -> Tensor
  ) {
    register(Builtin(name, parameters, category: category, method: method, doc: doc) { args, _ in .tensor(try body(args)) })
  }

  /// An element-wise function that also maps plain numbers to numbers: `exp(1)` is e.
  private func elementwise(_ name: String, doc: String, _ f: @escaping (Tensor) throws -> Tensor) {
    register(Builtin(name, [.required("x")], category: "element-wise", method: true, doc: doc) { args, _ in
      if case .number(let x) = args.value("x") {
        return .number(Convert.number(try f(Tensor(scalar: Float(x))).item()))
      }
      return .tensor(try f(args.tensor("x")))
    })
  }

  /// The shape given as `f(2, 3)`, `f([2, 3])` or `f(shape: [2, 3])`.
  private static func shape(_ args: BoundArguments) throws -> [Int] {
    let dims = args.has("shape") ? try args.ints("shape") : try args.restInts
    for d in dims where d < 0 { throw RuntimeError("\(args.function): negative dimension \(d) in shape \(formatShape(dims))") }
    try checkCount(dims, args.function)
    return dims
  }

  /// A shape asked for by a user must hold at most `Shape.maximumCount` elements.
  private static func checkCount(_ dims: [Int], _ function: String) throws {
    var count = 1
    for d in dims {  // a size of 0 counts as 1: the strides must not overflow either
      let (product, overflow) = count.multipliedReportingOverflow(by: Swift.max(d, 1))
      guard !overflow, product <= Shape.maximumCount else {
        throw RuntimeError("\(function): shape \(formatShape(dims)) has too many elements (the limit is 2^31 = \(Shape.maximumCount))")
      }
      count = product
    }
  }

  func registerTensorBuiltins() {
    // MARK: Creation
    tensorFunction("tensor", [.required("data")], category: "creation", method: false,
                   doc: "A tensor from a number or nested lists: tensor([[1, 2], [3, 4]]).") { try $0.tensor("data") }
    tensorFunction("zeros", [.variadic("dims"), .optional("shape")], category: "creation", method: false,
                   doc: "zeros(2, 3): a tensor of zeros.") { Tensor.zeros(try Interpreter.shape($0)) }
    tensorFunction("ones", [.variadic("dims"), .optional("shape")], category: "creation", method: false,
                   doc: "ones(2, 3): a tensor of ones.") { Tensor.ones(try Interpreter.shape($0)) }
    tensorFunction("full", [.required("shape"), .required("value")], category: "creation", method: false,
                   doc: "full([2, 3], 7): a tensor filled with one value.") { args in
      Tensor.full(try Interpreter.shape(args), Float(try args.number("value")))
    }
    tensorFunction("arange", [.required("start"), .optional("end"), .optional("step", "1")], category: "creation", method: false,
                   doc: "arange(5) is [0 … 4]; arange(a, b, step) stops before b.") { args in
      let step = try args.float("step", default: 1)
      if args.has("end") { return try Tensor.arange(Float(try args.number("start")), Float(try args.number("end")), step: step) }
      return try Tensor.arange(0, Float(try args.number("start")), step: step)
    }
    tensorFunction("linspace", [.required("start"), .required("end"), .required("count")], category: "creation", method: false,
                   doc: "count evenly spaced values from start to end, both included.") { args in
      try Tensor.linspace(Float(try args.number("start")), Float(try args.number("end")), count: try args.int("count"))
    }
    tensorFunction("eye", [.required("n"), .optional("m")], category: "creation", method: false,
                   doc: "The n×n (or n×m) identity matrix.") { args in try Tensor.eye(try args.int("n"), try args.optionalInt("m")) }
    tensorFunction("rand", [.variadic("dims"), .optional("shape")], category: "creation", method: false,
                   doc: "Uniform random values in [0, 1) from the seeded generator.") { try Tensor.rand(try Interpreter.shape($0)) }
    tensorFunction("randn", [.variadic("dims"), .optional("shape")], category: "creation", method: false,
                   doc: "Standard normal random values from the seeded generator.") { try Tensor.randn(try Interpreter.shape($0)) }
    register(Builtin("seed", [.required("n")], category: "creation",
                     doc: "Seeds the one random generator: the same seed gives the same numbers.") { args, _ in
      let n = try args.int("n")
      guard n >= 0 else { throw RuntimeError("seed: must be ≥ 0") }
      Random.seed(UInt64(n))
      return .none
    })

    // MARK: Element-wise
    elementwise("exp", doc: "e to the power of each element.") { $0.exp() }
    elementwise("log", doc: "Natural logarithm of each element.") { $0.log() }
    elementwise("sqrt", doc: "Square root of each element.") { $0.sqrt() }
    elementwise("tanh", doc: "Hyperbolic tangent.") { $0.tanh() }
    elementwise("abs", doc: "Absolute value.") { $0.abs() }
    elementwise("relu", doc: "max(x, 0).") { $0.relu() }
    elementwise("sigmoid", doc: "1 / (1 + e^-x).") { $0.sigmoid() }
    elementwise("silu", doc: "x · sigmoid(x) (also called swish).") { $0.silu() }
    tensorFunction("gelu", [.required("x"), .optional("approximate", "true")], category: "element-wise",
                   doc: "GELU; approximate: true is GPT-2's tanh form, false the exact erf form.") { args in
      try args.tensor("x").gelu(approximate: try args.bool("approximate", default: true))
    }
    tensorFunction("clamp", [.required("x"), .optional("min"), .optional("max")], category: "element-wise",
                   doc: "Limits every element to [min, max].") { args in
      try args.tensor("x").clamped(min: try args.optionalNumber("min").map(Float.init), max: try args.optionalNumber("max").map(Float.init))
    }
    tensorFunction("pow", [.required("x"), .required("exponent")], category: "element-wise",
                   doc: "x ** exponent, element-wise.") { args in
      if case .number(let p) = args.value("exponent") { return try args.tensor("x").pow(Float(p)) }
      return try args.tensor("x").pow(try args.tensor("exponent"))
    }
    tensorFunction("maximum", [.required("a"), .required("b")], category: "element-wise",
                   doc: "Element-wise larger of two tensors (broadcasting).") { try $0.tensor("a").maximum(try $0.tensor("b")) }
    tensorFunction("minimum", [.required("a"), .required("b")], category: "element-wise",
                   doc: "Element-wise smaller of two tensors (broadcasting).") { try $0.tensor("a").minimum(try $0.tensor("b")) }
    tensorFunction("where", [.required("condition"), .required("a"), .required("b")], category: "element-wise", method: false,
                   doc: "a where condition is nonzero, else b (broadcasting).") { args in
      try Tensor.select(where: try args.tensor("condition"), try args.tensor("a"), try args.tensor("b"))
    }

    // MARK: Reductions
    let axisParams: [ParameterSpec] = [.required("x"), .optional("axis"), .optional("keepdim", "false")]
    tensorFunction("sum", axisParams, category: "reductions", doc: "Sum over axis (a number or a list; all axes when omitted).") { a in
      try a.tensor("x").summed(axes: try a.axes("axis"), keepDims: try a.bool("keepdim", default: false))
    }
    tensorFunction("mean", axisParams, category: "reductions", doc: "Mean over axis (all axes when omitted).") { a in
      try a.tensor("x").mean(axes: try a.axes("axis"), keepDims: try a.bool("keepdim", default: false))
    }
    tensorFunction("max", axisParams, category: "reductions", doc: "Largest element along axis (of all when omitted).") { a in
      try a.tensor("x").max(axis: try a.optionalInt("axis"), keepDims: try a.bool("keepdim", default: false))
    }
    tensorFunction("min", axisParams, category: "reductions", doc: "Smallest element along axis (of all when omitted).") { a in
      try a.tensor("x").min(axis: try a.optionalInt("axis"), keepDims: try a.bool("keepdim", default: false))
    }
    tensorFunction("argmax", axisParams, category: "reductions", doc: "Position of the largest element along axis.") { a in
      try a.tensor("x").argmax(axis: try a.optionalInt("axis"), keepDims: try a.bool("keepdim", default: false))
    }
    tensorFunction("argmin", axisParams, category: "reductions", doc: "Position of the smallest element along axis.") { a in
      try a.tensor("x").argmin(axis: try a.optionalInt("axis"), keepDims: try a.bool("keepdim", default: false))
    }
    let spreadParams = axisParams + [.optional("correction", "0")]
    tensorFunction("var", spreadParams, category: "reductions", doc: "Variance (correction 1 for the sample variance).") { a in
      try a.tensor("x").variance(axes: try a.axes("axis"), keepDims: try a.bool("keepdim", default: false), correction: try a.int("correction", default: 0))
    }
    tensorFunction("std", spreadParams, category: "reductions", doc: "Standard deviation (correction 1 for the sample one).") { a in
      try a.tensor("x").standardDeviation(axes: try a.axes("axis"), keepDims: try a.bool("keepdim", default: false), correction: try a.int("correction", default: 0))
    }

    // MARK: Shapes and views
    tensorFunction("reshape", [.required("x"), .variadic("dims"), .optional("shape")], category: "shapes",
                   doc: "The same elements in a new shape; one size may be -1.") { a in
      let dims = a.has("shape") ? try a.ints("shape") : try a.restInts
      return try a.tensor("x").reshaped(dims)
    }
    tensorFunction("transpose", [.required("x"), .optional("a", "-2"), .optional("b", "-1")], category: "shapes",
                   doc: "Swaps two axes (the last two by default): a view, no copy.") { a in
      try a.tensor("x").transposed(try a.int("a", default: -2), try a.int("b", default: -1))
    }
    tensorFunction("permute", [.required("x"), .variadic("axes")], category: "shapes",
                   doc: "Reorders the axes: permute(x, 2, 0, 1).") { a in try a.tensor("x").permuted(try a.restInts) }
    tensorFunction("flatten", [.required("x")], category: "shapes", doc: "All elements in one axis.") { try $0.tensor("x").flattened() }
    tensorFunction("squeeze", [.required("x"), .optional("axis")], category: "shapes", doc: "Removes size-1 axes (or just `axis`).") { a in
      try a.tensor("x").squeezed(try a.optionalInt("axis"))
    }
    tensorFunction("unsqueeze", [.required("x"), .required("axis")], category: "shapes", doc: "Inserts a size-1 axis at `axis`.") { a in
      try a.tensor("x").unsqueezed(try a.int("axis"))
    }
    tensorFunction("expand", [.required("x"), .variadic("dims"), .optional("shape")], category: "shapes",
                   doc: "Broadcasts size-1 axes to a larger shape without copying.") { a in
      let dims = a.has("shape") ? try a.ints("shape") : try a.restInts
      try Interpreter.checkCount(dims, "expand")
      return try a.tensor("x").expanded(to: dims)
    }
    tensorFunction("contiguous", [.required("x")], category: "shapes", doc: "A row-major copy (itself if already contiguous).") { try $0.tensor("x").contiguous() }
    tensorFunction("concat", [.required("tensors"), .optional("axis", "0")], category: "shapes", method: false,
                   doc: "Joins a list of tensors along an existing axis.") { a in
      try Tensor.concat(try Interpreter.tensorList(a.value("tensors"), "concat"), axis: try a.int("axis", default: 0))
    }
    tensorFunction("stack", [.required("tensors"), .optional("axis", "0")], category: "shapes", method: false,
                   doc: "Joins a list of same-shaped tensors along a new axis.") { a in
      try Tensor.stack(try Interpreter.tensorList(a.value("tensors"), "stack"), axis: try a.int("axis", default: 0))
    }
    register(Builtin("split", [.required("x"), .required("sizes"), .optional("axis", "0")], category: "shapes", method: true,
                     doc: "split(x, 3) makes 3 equal parts; split(x, [2, 1]) parts of those sizes.") { a, _ in
      let x = try a.tensor("x"), axis = try a.int("axis", default: 0)
      let parts: [Tensor]
      if case .number = a.value("sizes") { parts = try x.split(parts: try a.int("sizes"), axis: axis) } else { parts = try x.split(sizes: try a.ints("sizes"), axis: axis) }
      return .list(parts.map { .tensor($0) })
    })

    // MARK: Linear algebra and networks
    tensorFunction("matmul", [.required("a"), .required("b")], category: "networks",
                   doc: "Matrix product (also `a @ b`); batched over leading axes.") { try $0.tensor("a").matmul(try $0.tensor("b")) }
    tensorFunction("softmax", [.required("x"), .optional("axis", "-1")], category: "networks",
                   doc: "exp(x) / Σ exp(x) along axis, computed stably.") { a in try a.tensor("x").softmax(axis: try a.int("axis", default: -1)) }
    tensorFunction("log_softmax", [.required("x"), .optional("axis", "-1")], category: "networks",
                   doc: "log(softmax(x)) along axis, computed stably.") { a in try a.tensor("x").logSoftmax(axis: try a.int("axis", default: -1)) }
    tensorFunction("layer_norm", [.required("x"), .optional("weight"), .optional("bias"), .optional("eps", "1e-5")], category: "networks",
                   doc: "Normalizes the last axis to mean 0, variance 1, then scales and shifts.") { a in
      try a.tensor("x").layerNorm(weight: try a.optionalTensor("weight"), bias: try a.optionalTensor("bias"), eps: try a.float("eps", default: 1e-5))
    }
    tensorFunction("rms_norm", [.required("x"), .optional("weight"), .optional("eps", "1e-6")], category: "networks",
                   doc: "Divides the last axis by its root mean square, then scales.") { a in
      try a.tensor("x").rmsNorm(weight: try a.optionalTensor("weight"), eps: try a.float("eps", default: 1e-6))
    }
    tensorFunction("embedding", [.required("table"), .required("ids")], category: "networks", method: false,
                   doc: "Rows of table [vocab, dim] picked by integer ids.") { a in try Tensor.embedding(try a.tensor("table"), ids: try a.tensor("ids")) }
    tensorFunction("cross_entropy", [.required("logits"), .required("targets"), .optional("ignore_index", "-100"), .optional("label_smoothing", "0")],
                   category: "networks", method: false,
                   doc: "Mean negative log-likelihood of integer targets; rows whose target is ignore_index are skipped.") { a in
      try Tensor.crossEntropy(logits: try a.tensor("logits"), targets: try a.tensor("targets"),
                              ignoreIndex: try a.int("ignore_index", default: -100), labelSmoothing: try a.float("label_smoothing", default: 0))
    }
    tensorFunction("attention", [.required("q"), .required("k"), .required("v"), .optional("causal", "true"), .optional("scale")],
                   category: "networks", method: false,
                   doc: "Scaled dot-product attention softmax(q·kᵀ·scale)·v, causal by default.") { a in
      try Tensor.scaledDotProductAttention(query: try a.tensor("q"), key: try a.tensor("k"), value: try a.tensor("v"),
                                           causal: try a.bool("causal", default: true), scale: try a.optionalNumber("scale").map(Float.init))
    }
    tensorFunction("dropout", [.required("x"), .required("p"), .optional("training", "true")], category: "networks",
                   doc: "Zeroes elements with probability p and scales the rest by 1/(1-p).") { a in
      try a.tensor("x").dropout(Float(try a.number("p")), training: try a.bool("training", default: true))
    }
    tensorFunction("one_hot", [.required("ids"), .required("classes")], category: "networks", method: false,
                   doc: "Rows with a 1 at each id.") { a in try Tensor.oneHot(try a.tensor("ids"), classes: try a.int("classes")) }
    tensorFunction("gather", [.required("x"), .required("axis"), .required("index")], category: "networks",
                   doc: "Picks elements along axis by an index tensor of the same rank.") { a in
      try a.tensor("x").gather(axis: try a.int("axis"), index: try a.tensor("index"))
    }
    tensorFunction("index_select", [.required("x"), .required("axis"), .required("indices")], category: "networks",
                   doc: "The slices at a list of positions along axis.") { a in
      try a.tensor("x").indexSelect(axis: try a.int("axis"), indices: try a.tensor("indices"))
    }
    register(Builtin("topk", [.required("x"), .required("k"), .optional("axis", "-1"), .optional("largest", "true")], category: "networks", method: true,
                     doc: "The k largest values along axis and their positions: a record {values, indices}.") { a, _ in
      let (values, indices) = try a.tensor("x").topK(try a.int("k"), axis: try a.int("axis", default: -1), largest: try a.bool("largest", default: true))
      return .record(Record([("values", .tensor(values)), ("indices", .tensor(indices))]))
    })
    tensorFunction("multinomial", [.required("probs"), .optional("samples", "1")], category: "networks",
                   doc: "Draws class ids from each row of non-negative weights.") { a in
      try a.tensor("probs").multinomial(samples: try a.int("samples", default: 1))
    }

    // MARK: Autograd
    tensorFunction("param", [.required("x"), .optional("name")], category: "autograd", method: false,
                   doc: "A trainable copy of x: operations on it are recorded, backward() fills its .grad.") { a in
      try a.tensor("x").requiringGrad(name: a.has("name") ? try a.string("name") : nil)
    }
    register(Builtin("backward", [.required("loss"), .optional("gradient"), .optional("retain_graph", "false")], category: "autograd", method: true,
                     doc: "Back-propagates from a scalar loss; gradients add up in each parameter's .grad. retain_graph: true allows a second backward through the same graph.") { a, _ in
      do {
        try a.tensor("loss").backward(gradient: try a.optionalTensor("gradient"), retainGraph: try a.bool("retain_graph", default: false))
      } catch TensorError.notDifferentiable(_, let message) {
        // The engine's advice names its Swift API; say it in the language's words.
        throw RuntimeError("backward: " + message
          .replacingOccurrences(of: "backward() needs a scalar;", with: "needs a scalar (one-element) loss;")
          .replacingOccurrences(of: "retainGraph: true", with: "retain_graph: true")
          .replacingOccurrences(of: " (requiringGrad)", with: ""))
      }
      return .none
    })
    tensorFunction("detach", [.required("x")], category: "autograd", doc: "The same values, cut off from the graph.") { try $0.tensor("x").detached() }
    register(Builtin("zero_grad", [.required("x")], category: "autograd", method: true,
                     doc: "Clears the gradient of a parameter (or of each in a list).") { a, _ in
      for t in try Interpreter.tensorList(a.value("x"), "zero_grad") { t.zeroGrad() }
      return .none
    })
    register(Builtin("item", [.required("x")], category: "tensors", method: true, doc: "The number in a one-element tensor.") { a, _ in
      .number(Convert.number(try a.tensor("x").item()))
    })
    register(Builtin("tolist", [.required("x")], category: "tensors", method: true, doc: "The tensor as nested lists of numbers.") { a, _ in
      try Interpreter.tensorToList(try a.tensor("x"))
    })
  }

  /// A list of tensors (or one tensor) from a value.
  static func tensorList(_ v: Value, _ function: String) throws -> [Tensor] {
    switch v {
    case .tensor(let t): return [t]
    case .list(let items): return try items.map { try Convert.tensor($0) }
    default: throw RuntimeError("\(function): expected a list of tensors, got \(Display.describeType(v))")
    }
  }
}
