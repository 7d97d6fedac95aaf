import Foundation
import Language
import Models
import TensorEngine

extension Interpreter {
  func registerSampleCommand() {
    register(CommandSpec(
      name: "sample",
      doc: "sample MODEL \"prompt\" { tokens, temperature, top_k, top_p, repetition_penalty, stop, seed } — generates text, streamed as it comes",
      options: ["tokens", "temperature", "top_k", "top_p", "repetition_penalty", "stop", "seed"]
    ) { command, env, interp, file in
      let (modelObject, name) = try interp.commandModel(command, env, file, verb: "sample")
      guard let tokenizer = modelObject.tokenizer else {
        throw RuntimeError("\(name) has no tokenizer yet: pretrain it on a dataset first, or create it with gpt { ..., tokenizer: tok }",
                           at: (file, command.verb.range))
      }
      var prompt = ""
      for operand in command.operands.dropFirst() where operand.preposition == nil {
        let v = try interp.evaluate(operand.value, in: env, file: file)
        guard case .string(let s) = v else { throw RuntimeError("sample: the prompt must be a string", at: (file, operand.value.range)) }
        prompt += s
      }
      let r = try command.options.map { try interp.evaluateRecord($0, in: env, file: file) } ?? Record()
      var options = try SamplingSettings.from(r)
      if let eot = tokenizer.specialTokens[SpecialTokens.endOfText] { options.stopTokens.insert(eot) }
      let sampler = Sampler(model: modelObject.model, tokenizer: tokenizer)
      interp.stream(prompt)
      Interrupt.clear()
      let result = try interp.modelCall {
        try sampler.generate(prompt: prompt, options: options, onText: { interp.stream($0) }, shouldStop: { Interrupt.isRequested })
      }
      Interrupt.clear()
      interp.stream("\n")
      if result.stoppedBy == "context full" {
        interp.output("(stopped: the model's context of \(modelObject.model.config.context) tokens is full)")
      }
      interp.lastSample = prompt + result.text
    })
  }
}

/// The `{ ... }` options of `sample`, checked.
enum SamplingSettings {
  static func from(_ r: Record) throws -> SamplingOptions {
    var o = SamplingOptions()
    func number(_ key: String) throws -> Double? {
      guard let v = r[key] else { return nil }
      guard case .number(let x) = v else { throw RuntimeError("sample: `\(key)` must be a number, got \(Display.describeType(v))") }
      return x
    }
    if let v = try number("tokens") {
      guard v >= 0, v <= 100_000, v == v.rounded() else { throw RuntimeError("sample: tokens must be a whole number 0 ... 100000") }
      o.maxTokens = Int(v)
    }
    if let v = try number("temperature") {
      guard v >= 0 else { throw RuntimeError("sample: temperature must be ≥ 0 (0 is greedy)") }
      o.temperature = Float(v)
    }
    if let v = try number("top_k") { o.topK = Swift.max(0, Int(v)) }
    if let v = try number("top_p") {
      guard v > 0 && v <= 1 else { throw RuntimeError("sample: top_p must be in (0, 1]") }
      o.topP = Float(v)
    }
    if let v = try number("repetition_penalty") {
      guard v > 0 else { throw RuntimeError("sample: repetition_penalty must be positive (1 is none)") }
      o.repetitionPenalty = Float(v)
    }
    if let v = try number("seed") { o.seed = UInt64(Swift.max(0, v)) }
    if let v = r["stop"] {
      switch v {
      case .string(let s): o.stop = [s]
      case .list(let items): o.stop = try items.map { guard case .string(let s) = $0 else { throw RuntimeError("sample: stop must be strings") }; return s }
      default: throw RuntimeError("sample: stop must be a string or a list of strings")
      }
    }
    return o
  }
}
