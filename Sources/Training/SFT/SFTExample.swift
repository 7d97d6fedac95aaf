import Models
import TensorEngine

/// One conversation rendered for supervised fine-tuning: its token ids and, for each
/// position, whether the loss trains on it. Only the assistant's tokens and the end-of-turn
/// token that closes each assistant turn are trained; the system and user turns, and the
/// role tokens, are context the model reads but is not taught to write.
public struct SFTExample: Sendable {
  public var ids: [Int]
  /// true where the token is a training target (predicted from the tokens before it).
  public var trained: [Bool]

  public init(messages: [ChatMessage], tokenizer: Tokenizer) throws {
    guard let end = tokenizer.specialTokens[SpecialTokens.endOfTurn] else {
      throw ModelError("sft: the tokenizer has no \(SpecialTokens.endOfTurn) token; train it with the chat special tokens")
    }
    var ids: [Int] = [], trained: [Bool] = []
    for m in messages {
      guard let role = tokenizer.specialTokens[ChatTemplate.roleToken(m.role)] else {
        throw ModelError("sft: the tokenizer has no \(ChatTemplate.roleToken(m.role)) token")
      }
      let content = tokenizer.encode(m.content)
      let teach = m.role == .assistant
      ids.append(role); trained.append(false)
      ids += content; trained += Array(repeating: teach, count: content.count)
      ids.append(end); trained.append(teach)
    }
    self.ids = ids
    self.trained = trained
  }

  /// An instruction record as a two-turn conversation.
  public init(instruction: String, input: String, output: String, tokenizer: Tokenizer) throws {
    let prompt = input.isEmpty ? instruction : instruction + "\n" + input
    try self.init(messages: [ChatMessage(role: .user, content: prompt), ChatMessage(role: .assistant, content: output)], tokenizer: tokenizer)
  }

  public var trainedCount: Int { trained.filter { $0 }.count }
}

/// What the loss-mask check found before training starts.
public struct MaskReport: Sendable {
  public var examples: Int
  public var tokens: Int
  public var trainedTokens: Int
  public var trainedEndOfTurn: Int
  public var truncated: Int
  public var warnings: [String]

  public var trainedShare: Double { tokens > 0 ? Double(trainedTokens) / Double(tokens) : 0 }
}

/// The most common fine-tuning bugs, caught before any step runs: nothing is trained (every
/// label masked), or the end-of-turn token never is (the model never learns to stop).
public enum MaskCheck {
  public static func check(_ rows: [SFTRow], examples: Int, truncated: Int, endOfTurn: Int) throws -> MaskReport {
    var tokens = 0, trainedTokens = 0, trainedEnd = 0
    for row in rows {
      for (t, label) in row.labels.enumerated() where row.inputs[t] >= 0 {
        tokens += 1
        if label >= 0 {
          trainedTokens += 1
          if label == endOfTurn { trainedEnd += 1 }
        }
      }
    }
    guard trainedTokens > 0 else {
      throw ModelError("sft: no token is trained: every label is masked. Does each example have an assistant answer, and does it fit in the context (\(truncated) examples were cut)?")
    }
    var warnings: [String] = []
    if trainedEnd == 0 {
      warnings.append("the end-of-turn token \(SpecialTokens.endOfTurn) is never trained: the model will not learn to stop answering")
    }
    if truncated > 0 {
      warnings.append("\(truncated) of \(examples) examples were longer than the context and were cut")
    }
    return MaskReport(examples: examples, tokens: tokens, trainedTokens: trainedTokens, trainedEndOfTurn: trainedEnd, truncated: truncated, warnings: warnings)
  }
}
