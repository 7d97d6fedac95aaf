import Foundation
import Language
import Models
import TensorEngine

extension Interpreter {
  /// `save m to "dir"` and `load("dir")`.
  func registerCheckpointBuiltins() {
    register(CommandSpec(
      name: "save",
      doc: "save MODEL to \"dir\" — model.safetensors + config.json (Hugging Face names), tokenizer.json, and the optimizer state when it has one",
      options: []
    ) { command, env, interp, file in
      let (modelObject, name) = try interp.commandModel(command, env, file, verb: "save")
      guard let target = interp.clause(command, "to") else {
        throw RuntimeError("`save` needs a directory: `save \(name) to \"runs/\(name)\"`", at: (file, command.verb.range))
      }
      guard case .string(let path) = try interp.evaluate(target, in: env, file: file) else {
        throw RuntimeError("save: the directory must be a string", at: (file, target.range))
      }
      let dir = interp.resolvePath(path)
      try interp.modelCall {
        let state = try modelObject.optimizer.map {
          try TrainingState(optimizer: $0, model: modelObject.model,
                            info: (modelObject.lastPretrainSettings ?? [:]).merging(["step": String($0.stepCount)]) { $1 })
        } ?? modelObject.savedTrainingState
        try Checkpoint.save(model: modelObject.model, tokenizer: modelObject.tokenizer, optimizerState: state, to: dir)
      }
      interp.output("saved \(name) to \(dir)" + (modelObject.tokenizer == nil ? " (no tokenizer yet)" : ""))
    })
    register(Builtin("load", [.required("dir")], category: "models",
                     doc: "A model from a checkpoint directory written by `save` (or a Hugging Face GPT-2 / LLaMA one): weights, tokenizer, optimizer state.") { a, ctx in
      let dir = ctx.interpreter.resolvePath(try a.string("dir"))
      let checkpoint = try ctx.interpreter.modelCall { try Checkpoint.load(from: dir) }
      let model = try ctx.interpreter.modelCall { try checkpoint.makeModel() }
      let object = ModelObject(model, tokenizer: checkpoint.tokenizer)
      object.savedTrainingState = checkpoint.trainingState
      object.trainedSteps = checkpoint.trainingState?.step ?? 0
      ctx.interpreter.output("loaded \(object.summary) from \(dir)")
      return .object(object)
    })
  }
}
