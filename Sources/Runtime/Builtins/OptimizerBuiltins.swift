import Language
import TensorEngine

/// An optimizer as a value: `let opt = adamw([w, b], lr: 0.01)`, `opt.step()`, `opt.zero_grad()`.
final class OptimizerObject: RuntimeObject {
  let optimizer: any Optimizer
  let kind: String

  init(_ optimizer: any Optimizer, kind: String) {
    self.optimizer = optimizer
    self.kind = kind
  }

  var typeName: String { "optimizer" }

  var members: [MemberSpec] {
    [
      .method("step", [], "applies one update from the parameters' gradients"),
      .method("zero_grad", [], "clears every parameter's gradient"),
      .property("lr", "the learning rate (assign with opt.set_lr(x))"),
      .method("set_lr", [.required("lr")], "changes the learning rate"),
      .property("steps", "updates applied so far"),
      .property("params", "the parameters it updates"),
    ]
  }

  var summary: String {
    let count = optimizer.parameters.reduce(0) { $0 + $1.count }
    return "\(kind) optimizer: \(optimizer.parameters.count) parameter\(optimizer.parameters.count == 1 ? "" : "s") (\(count) values), lr \(Display.number(Convert.number(optimizer.learningRate))), \(optimizer.stepCount) steps"
  }

  func property(_ name: String) throws -> Value {
    switch name {
    case "lr": return .number(Convert.number(optimizer.learningRate))
    case "steps": return .number(Double(optimizer.stepCount))
    case "params": return .list(optimizer.parameters.map { .tensor($0) })
    default: throw RuntimeError("optimizer has no property `\(name)`")
    }
  }

  func callMethod(_ name: String, _ arguments: BoundArguments, _ context: CallContext) throws -> Value {
    switch name {
    case "step": try optimizer.step()
    case "zero_grad": optimizer.zeroGrad()
    case "set_lr":
      let lr = try arguments.number("lr")
      guard lr >= 0 else { throw RuntimeError("set_lr: the learning rate must be ≥ 0") }
      optimizer.learningRate = Float(lr)
    default: throw RuntimeError("optimizer has no method `\(name)`")
    }
    return .none
  }
}

/// A learning-rate schedule as a value: `let s = schedule(lr: 0.01, warmup: 10, steps: 100, decay: "cosine")`, `s.at(5)`.
final class ScheduleObject: RuntimeObject {
  let schedule: LearningRateSchedule
  init(_ schedule: LearningRateSchedule) { self.schedule = schedule }

  var typeName: String { "schedule" }
  var members: [MemberSpec] {
    [.method("at", [.required("step")], "the learning rate at a 0-based step"),
     .property("peak", "the largest rate"), .property("warmup", "warmup steps"), .property("steps", "total steps")]
  }
  var summary: String {
    "schedule: \(schedule.decay.rawValue), peak \(Display.number(Convert.number(schedule.peak))), warmup \(schedule.warmupSteps), \(schedule.totalSteps) steps, floor \(Display.number(Convert.number(schedule.floor)))"
  }
  var details: [String] {
    let points = 48
    let rates = (0..<points).map { schedule.rate(at: $0 * Swift.max(1, schedule.totalSteps) / points) }
    let peak = rates.max() ?? 0
    let blocks = Array("▁▂▃▄▅▆▇█")
    return ["lr over steps  " + String(rates.map { peak > 0 ? blocks[Swift.min(7, Int($0 / peak * 7.999))] : "▁" })]
  }

  func property(_ name: String) throws -> Value {
    switch name {
    case "peak": return .number(Convert.number(schedule.peak))
    case "warmup": return .number(Double(schedule.warmupSteps))
    case "steps": return .number(Double(schedule.totalSteps))
    default: throw RuntimeError("schedule has no property `\(name)`")
    }
  }

  func callMethod(_ name: String, _ arguments: BoundArguments, _ context: CallContext) throws -> Value {
    guard name == "at" else { throw RuntimeError("schedule has no method `\(name)`") }
    return .number(Convert.number(schedule.rate(at: try arguments.int("step"))))
  }
}

extension Interpreter {
  func registerOptimizerBuiltins() {
    register(Builtin("sgd", [.required("params"), .optional("lr", "0.01"), .optional("momentum", "0"), .optional("weight_decay", "0"), .optional("nesterov", "false")],
                     category: "optimizers", doc: "Stochastic gradient descent over a list of parameters.") { a, _ in
      let opt = try SGD(parameters: try Interpreter.tensorList(a.value("params"), "sgd"), learningRate: try a.float("lr", default: 0.01),
                        momentum: try a.float("momentum", default: 0), weightDecay: try a.float("weight_decay", default: 0),
                        nesterov: try a.bool("nesterov", default: false))
      return .object(OptimizerObject(opt, kind: "SGD"))
    })
    register(Builtin("adamw", [.required("params"), .optional("lr", "0.001"), .optional("beta1", "0.9"), .optional("beta2", "0.999"),
                               .optional("eps", "1e-8"), .optional("weight_decay", "0.01"), .optional("decay_vectors", "false")],
                     category: "optimizers",
                     doc: "Adam with decoupled weight decay; biases and norm weights (rank < 2) are not decayed unless decay_vectors: true.") { a, _ in
      let opt = try AdamW(parameters: try Interpreter.tensorList(a.value("params"), "adamw"), learningRate: try a.float("lr", default: 1e-3),
                          beta1: try a.float("beta1", default: 0.9), beta2: try a.float("beta2", default: 0.999), epsilon: try a.float("eps", default: 1e-8),
                          weightDecay: try a.float("weight_decay", default: 0.01),
                          exemptFromDecay: try a.bool("decay_vectors", default: false) ? .none : .vectors)
      return .object(OptimizerObject(opt, kind: "AdamW"))
    })
    register(Builtin("schedule", [.required("lr"), .optional("warmup", "0"), .optional("steps", "1"), .optional("decay", "\"constant\""), .optional("floor", "0")],
                     category: "optimizers", doc: "A learning-rate schedule: linear warmup, then constant, cosine or linear decay to floor.") { a, _ in
      let decayName = a.has("decay") ? try a.string("decay") : "constant"
      guard let decay = LearningRateSchedule.Decay(rawValue: decayName) else {
        throw RuntimeError("schedule: unknown decay \"\(decayName)\"", hint: Suggestions.hint(for: decayName, in: LearningRateSchedule.Decay.allCases.map(\.rawValue)) ?? "use constant, cosine or linear")
      }
      let s = try LearningRateSchedule(peak: try a.float("lr", default: 0), warmupSteps: try a.int("warmup", default: 0),
                                       totalSteps: try a.int("steps", default: 1), decay: decay, floor: try a.float("floor", default: 0))
      return .object(ScheduleObject(s))
    })
    register(Builtin("clip_grad_norm", [.required("params"), .required("max_norm")], category: "optimizers",
                     doc: "Scales all gradients down together when their global norm exceeds max_norm; returns the norm before clipping.") { a, _ in
      .number(Convert.number(try clipGradientNorm(try Interpreter.tensorList(a.value("params"), "clip_grad_norm"), maxNorm: Float(try a.number("max_norm")))))
    })
  }
}
