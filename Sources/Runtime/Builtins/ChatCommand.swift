import Foundation
import Language
import Models
import TensorEngine

extension Interpreter {
  /// `chat m`: a multi-turn conversation with a model through the chat template.
  func registerChatCommand() {
    register(CommandSpec(
      name: "chat",
      doc: "chat MODEL { system, say, tokens, temperature, top_k, top_p, repetition_penalty, seed } — talk to a model turn by turn (an empty line ends); `say: [...]` scripts the user's turns",
      options: ["system", "say", "tokens", "temperature", "top_k", "top_p", "repetition_penalty", "seed"]
    ) { command, env, interp, file in
      let (modelObject, name) = try interp.commandModel(command, env, file, verb: "chat")
      guard let tokenizer = modelObject.tokenizer else {
        throw RuntimeError("\(name) has no tokenizer yet: pretrain it on a dataset first", at: (file, command.verb.range))
      }
      guard let endOfTurn = tokenizer.specialTokens[SpecialTokens.endOfTurn] else {
        throw RuntimeError("\(name)'s tokenizer has no \(SpecialTokens.endOfTurn) token, so it cannot chat")
      }
      var record = try command.options.map { try interp.evaluateRecord($0, in: env, file: file) } ?? Record()
      var messages: [ChatMessage] = []
      if case .string(let s)? = record["system"] { messages.append(ChatMessage(role: .system, content: s)) }
      var scripted: [String]? = nil
      if let say = record["say"] {
        guard case .list(let items) = say else { throw RuntimeError("chat: say must be a list of strings") }
        scripted = try items.map { item -> String in
          guard case .string(let s) = item else { throw RuntimeError("chat: say must be a list of strings") }
          return s
        }
      }
      record["system"] = nil
      record["say"] = nil
      if record["tokens"] == nil { record["tokens"] = .number(64) }
      var options = try SamplingSettings.from(record)
      options.stopTokens.insert(endOfTurn)
      if let eot = tokenizer.specialTokens[SpecialTokens.endOfText] { options.stopTokens.insert(eot) }
      let sampler = Sampler(model: modelObject.model, tokenizer: tokenizer)
      guard scripted != nil || interp.readLine != nil else {
        throw RuntimeError("chat needs a terminal, or the user's turns given as say: [\"...\"]", at: (file, command.verb.range))
      }
      if scripted == nil { interp.output("chatting with \(name): an empty line (or Ctrl-D) ends the conversation") }
      var turn = 0
      while true {
        let line: String?
        if let scripted {
          line = turn < scripted.count ? scripted[turn] : nil
          if let line { interp.output("you> \(line)") }
        } else {
          line = interp.readLine?("you> ")
        }
        turn += 1
        guard let text = line, !text.trimmingCharacters(in: .whitespaces).isEmpty else { break }
        messages.append(ChatMessage(role: .user, content: text))
        // Keep the most recent turns that fit the context, with room for the answer.
        var prompt = ChatTemplate.prompt(messages)
        while tokenizer.encode(prompt).count + options.maxTokens > modelObject.model.config.context && messages.count > 1 {
          messages.removeFirst()
          prompt = ChatTemplate.prompt(messages)
        }
        interp.stream("\(name)> ")
        Interrupt.clear()
        let result = try interp.modelCall {
          try sampler.generate(prompt: prompt, options: options, onText: { interp.stream($0) }, shouldStop: { Interrupt.isRequested })
        }
        Interrupt.clear()
        interp.stream("\n")
        messages.append(ChatMessage(role: .assistant, content: result.text))
      }
    })
  }
}
