/// Text to token ids and back.
public protocol Tokenizer: AnyObject, Sendable {
  /// "byte-level BPE" or "character".
  var kind: String { get }
  var vocabularySize: Int { get }
  /// Special tokens by name: `<|endoftext|>`, chat roles, end of turn.
  var specialTokens: [String: Int] { get }
  func encode(_ text: String) -> [Int]
  /// Text for the ids; bytes of an unfinished character become U+FFFD (never split UTF-8).
  func decode(_ ids: [Int]) -> String
  /// The text of one token as shown in displays (bytes that are not whole characters are
  /// shown as `<0xE5>`).
  func tokenText(_ id: Int) -> String
}

/// The special tokens every llmlab tokenizer carries: the text boundary and the chat
/// template's role markers and end of turn (used by supervised fine-tuning).
public enum SpecialTokens {
  public static let endOfText = "<|endoftext|>"
  public static let system = "<|system|>"
  public static let user = "<|user|>"
  public static let assistant = "<|assistant|>"
  public static let endOfTurn = "<|end|>"
  public static let all = [endOfText, system, user, assistant, endOfTurn]
}

public struct TokenizerError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// Splits text around special-token strings, so that `<|user|>` in a chat template becomes
/// one id rather than being byte-encoded.
func splitOnSpecialTokens(_ text: String, _ specials: [String: Int]) -> [(text: String, special: Int?)] {
  guard !specials.isEmpty, text.contains("<|") else { return [(text, nil)] }
  var parts: [(String, Int?)] = []
  var rest = Substring(text)
  // Longest first, so a special token that contains another wins.
  let names = specials.keys.sorted { $0.count > $1.count }
  while !rest.isEmpty {
    var earliest: (Range<Substring.Index>, String)? = nil
    for name in names {
      if let r = rest.range(of: name), earliest == nil || r.lowerBound < earliest!.0.lowerBound {
        earliest = (r, name)
      }
    }
    guard let (range, name) = earliest else {
      parts.append((String(rest), nil))
      break
    }
    if range.lowerBound > rest.startIndex { parts.append((String(rest[..<range.lowerBound]), nil)) }
    parts.append((name, specials[name]))
    rest = rest[range.upperBound...]
  }
  return parts
}
