// `ChatMessage` (role and content) is defined with the JSONL records in Data/JSONLReader.swift.

/// llmlab's chat template: each turn is its role token, the text, and the end-of-turn token:
///
///     <|system|>You write poems.<|end|><|user|>写一首诗<|end|><|assistant|>床前明月光…<|end|>
///
/// A prompt for the model's next answer ends with `<|assistant|>`; the model answers and
/// ends its turn with `<|end|>`, which is where generation stops.
public enum ChatTemplate {
  public static func roleToken(_ role: ChatMessage.Role) -> String {
    switch role {
    case .system: return SpecialTokens.system
    case .user: return SpecialTokens.user
    case .assistant: return SpecialTokens.assistant
    }
  }

  /// The conversation as text, each turn closed by the end-of-turn token.
  public static func render(_ messages: [ChatMessage]) -> String {
    messages.map { roleToken($0.role) + $0.content + SpecialTokens.endOfTurn }.joined()
  }

  /// The conversation followed by the start of the assistant's next turn.
  public static func prompt(_ messages: [ChatMessage]) -> String {
    render(messages) + SpecialTokens.assistant
  }
}
