import CEditLine
import Foundation
import Runtime

/// The line editor, on libedit: editing, history (saved in the user's home with mode 0600,
/// searchable with Ctrl-R) and tab completion.
final class LineEditor {
  let historyPath: String
  private var historyLoaded = false

  init(historyPath: String) {
    self.historyPath = historyPath
    // Without the locale, libedit edits UTF-8 (Chinese) byte by byte.
    setlocale(LC_CTYPE, "")
    llmlab_set_readline_name("llmlab")
    // We handle SIGINT ourselves: Ctrl-C clears the line or stops running work.
    llmlab_set_catch_signals(0)
    llmlab_set_completion_function(completionCallback)
    // Break words only at spaces and brackets, so `x.me` reaches the completer whole.
    llmlab_set_basic_word_break_characters(" \t\n\"'([{,:+-*/@=<>")
    llmlab_set_getc_function(interruptibleGetc)
    using_history()
    if FileManager.default.fileExists(atPath: historyPath) {
      read_history(historyPath)
    }
  }

  /// One line, or nil at end of input (Ctrl-D). An interrupted line comes back as
  /// `.interrupted` so the caller can clear its multi-line buffer.
  enum Input {
    case line(String)
    case interrupted
    case endOfInput
  }

  func read(prompt: String) -> Input {
    Interrupt.clear()
    guard let raw = readline(prompt) else {
      return Interrupt.isRequested ? .interrupted : .endOfInput
    }
    defer { free(raw) }
    if Interrupt.isRequested {
      Interrupt.clear()
      return .interrupted
    }
    return .line(String(cString: raw))
  }

  func remember(_ entry: String) {
    let trimmed = entry.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !trimmed.isEmpty else { return }
    add_history(trimmed)
    write_history(historyPath)
    history_truncate_file(historyPath, 2000)
    chmod(historyPath, 0o600)
  }
}

/// Reads one character for libedit and returns its Unicode code point: libedit's readline
/// layer stores what this function returns directly as a wide character, so UTF-8 (Chinese
/// input) is decoded here. A SIGINT interrupts `read` with EINTR; we then hand libedit a
/// newline so that `readline` returns, and the REPL, seeing the interrupt flag, drops the line.
private func interruptibleGetc(_ stream: UnsafeMutablePointer<FILE>?) -> Int32 {
  func readByte() -> Int32? {
    var byte: UInt8 = 0
    while true {
      let n = Foundation.read(0, &byte, 1)
      if n == 1 { return Int32(byte) }
      if n == 0 { return nil }
      if errno == EINTR {
        if Interrupt.isRequested { return -2 }
        continue
      }
      return nil
    }
  }
  guard let first = readByte() else { return EOF }
  if first == -2 { return 10 }  // "\n": end the line; the REPL discards it
  let continuation: Int
  var scalar: Int32
  switch first {
  case 0..<0x80: return first
  case 0xC0..<0xE0: continuation = 1; scalar = first & 0x1F
  case 0xE0..<0xF0: continuation = 2; scalar = first & 0x0F
  case 0xF0..<0xF8: continuation = 3; scalar = first & 0x07
  default: return 0xFFFD
  }
  for _ in 0..<continuation {
    guard let b = readByte() else { return EOF }
    if b == -2 { return 10 }
    guard b & 0xC0 == 0x80 else { return 0xFFFD }
    scalar = (scalar << 6) | (b & 0x3F)
  }
  return scalar
}
