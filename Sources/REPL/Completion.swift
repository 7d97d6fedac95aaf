import CEditLine
import Foundation
import Language
import Runtime

/// Tab completion: keywords, built-ins, variables and commands; members after `.`; option
/// keys inside a `{ }` after a command.
final class Completer {
  let interpreter: Interpreter

  init(interpreter: Interpreter) { self.interpreter = interpreter }

  /// Candidates for `word`, the text being completed, given the whole line before it.
  func candidates(for word: String, lineBefore: String) -> [String] {
    // After `x.`: the members of x's current value.
    if let dot = word.lastIndex(of: ".") {
      let baseName = String(word[..<dot])
      let partial = String(word[word.index(after: dot)...])
      // Only plain names and member chains are evaluated: completing must never call anything.
      guard !baseName.isEmpty, baseName.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }),
        let value = (try? interpreter.run(source: SourceFile(name: "<completion>", text: baseName))) ?? nil
      else { return [] }
      return members(of: value).filter { $0.hasPrefix(partial) }.map { baseName + "." + $0 }.sorted()
    }
    // Inside an unclosed `{` of a command: its option keys.
    if let brace = lineBefore.lastIndex(of: "{"), !lineBefore[brace...].contains("}") {
      let verb = lineBefore.split(separator: " ").first.map(String.init) ?? ""
      if let spec = interpreter.commands[verb] {
        return spec.options.filter { $0.hasPrefix(word) }.map { $0 + ":" }
      }
    }
    var names = Keyword.allCases.map(\.rawValue)
    names += interpreter.builtins.keys
    names += interpreter.commands.keys
    names += interpreter.globals.allNames
    return Set(names).filter { $0.hasPrefix(word) }.sorted()
  }

  func members(of value: Value) -> [String] {
    switch value {
    case .tensor:
      return interpreter.builtins.values.filter(\.isTensorMethod).map(\.name) + ["shape", "rank", "dtype", "size", "T", "grad", "requires_grad", "is_leaf", "grad_fn"]
    case .object(let o): return o.members.map(\.name)
    case .record(let r): return r.keys
    case .list, .string: return ["length"]
    default: return []
    }
  }
}

/// The completer libedit's C callbacks reach. Set once by the REPL before reading input;
/// only ever touched from the REPL's thread.
nonisolated(unsafe) var activeCompleter: Completer?
nonisolated(unsafe) private var pendingMatches: [String] = []

/// libedit calls this with the word under the cursor.
func completionCallback(_ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
  llmlab_set_attempted_completion_over(1)
  guard let text, let completer = activeCompleter else { return nil }
  let word = String(cString: text)
  var lineBefore = ""
  if let buffer = llmlab_line_buffer() {
    let line = String(cString: buffer)
    lineBefore = String(line.utf8.prefix(Int(start))) ?? ""
  }
  pendingMatches = completer.candidates(for: word, lineBefore: lineBefore)
  if pendingMatches.isEmpty { return nil }
  // A unique match that ends a name gets a following space; members and keys do not.
  let last = pendingMatches.count == 1 ? pendingMatches[0].last : nil
  llmlab_set_completion_append_character(last == ":" || last == "." ? 0 : (pendingMatches.count == 1 ? 32 : 0))
  return rl_completion_matches(text, completionGenerator)
}

private func completionGenerator(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
  let i = Int(state)
  guard i < pendingMatches.count else { return nil }
  return strdup(pendingMatches[i])
}
