import Foundation
import Language
import Models
import TensorEngine
import Training

extension Interpreter {
  /// `save m to "dir"`, `load("dir")` and `load_reward_model("dir")`.
  func registerCheckpointBuiltins() {
    register(CommandSpec(
      name: "save",
      doc: "save MODEL to \"dir\" — model.safetensors + config.json (Hugging Face names), tokenizer.json, and the optimizer state when it has one; a reward model saves its score head too (read it back with load_reward_model)",
      options: []
    ) { command, env, interp, file in
      guard let subject = command.operands.first, subject.preposition == nil else {
        throw RuntimeError("`save` needs a model: `save m to \"runs/m\"`", at: (file, command.verb.range))
      }
      let value = try interp.evaluate(subject.value, in: env, file: file)
      var subjectName: String? = nil
      if case .name(let n) = subject.value.kind { subjectName = n }
      let name = subjectName ?? "model"
      guard let target = interp.clause(command, "to") else {
        throw RuntimeError("`save` needs a directory: `save \(name) to \"runs/\(name)\"`", at: (file, command.verb.range))
      }
      guard case .string(let path) = try interp.evaluate(target, in: env, file: file) else {
        throw RuntimeError("save: the directory must be a string", at: (file, target.range))
      }
      let dir = interp.resolvePath(path)
      switch value {
      case .object(let rm as RewardModelObject):
        try interp.modelCall { try rm.model.save(tokenizer: rm.tokenizer, to: dir) }
        interp.output("saved reward model\(subjectName.map { " " + $0 } ?? "") to \(dir)")
      case .object(let modelObject as ModelObject):
        try interp.modelCall {
          let state = try modelObject.optimizer.map {
            try TrainingState(optimizer: $0, model: modelObject.model,
                              info: (modelObject.lastPretrainSettings ?? [:]).merging(["step": String($0.stepCount)]) { $1 })
          } ?? modelObject.savedTrainingState
          try Checkpoint.save(model: modelObject.model, tokenizer: modelObject.tokenizer, optimizerState: state, to: dir)
        }
        interp.output("saved \(name) to \(dir)" + (modelObject.tokenizer == nil ? " (no tokenizer yet)" : ""))
      default:
        throw RuntimeError("`save` needs a model or a reward model, got \(Display.describeType(value))", at: (file, subject.value.range))
      }
    })
    register(Builtin("load", [.required("dir")], category: "models",
                     doc: "A model from a checkpoint directory written by `save` (or a Hugging Face GPT-2 / LLaMA one): weights, tokenizer, optimizer state. A reward model's directory is read with load_reward_model.") { a, ctx in
      let path = try a.string("dir")
      let dir = ctx.interpreter.resolvePath(path)
      let checkpoint = try ctx.interpreter.modelCall { try Checkpoint.load(from: dir) }
      guard checkpoint.scoreHead == nil else {
        throw RuntimeError("load: \(dir) holds a reward model (a GPT body with a score head), not a model; read it with load_reward_model(\"\(path)\")")
      }
      let model = try ctx.interpreter.modelCall { try checkpoint.makeModel() }
      let object = ModelObject(model, tokenizer: checkpoint.tokenizer)
      object.savedTrainingState = checkpoint.trainingState
      object.trainedSteps = checkpoint.trainingState?.step ?? 0
      ctx.interpreter.output("loaded \(object.summary) from \(dir)")
      return .object(object)
    })
    register(Builtin("load_reward_model", [.required("dir")], category: "alignment",
                     doc: "A reward model from a directory written by `save RM to \"dir\"`: the body's weights, the score head and the tokenizer.") { a, ctx in
      let path = try a.string("dir")
      let dir = ctx.interpreter.resolvePath(path)
      let checkpoint = try ctx.interpreter.modelCall { try Checkpoint.load(from: dir) }
      guard checkpoint.scoreHead != nil else {
        throw RuntimeError("load_reward_model: \(dir) holds a GPT model with no score head, not a reward model; read it with load(\"\(path)\"), or make a reward model from it with reward_model(load(\"\(path)\"))")
      }
      guard let tokenizer = checkpoint.tokenizer else {
        throw RuntimeError("load_reward_model: \(dir) has no tokenizer.json; a reward model scores text, so it needs the tokenizer it was trained with")
      }
      let rm = try ctx.interpreter.modelCall { try RewardModel(checkpoint: checkpoint, directory: dir) }
      let object = RewardModelObject(rm, tokenizer: tokenizer)
      ctx.interpreter.output("loaded \(object.summary) from \(dir)")
      return .object(object)
    })
  }
}
