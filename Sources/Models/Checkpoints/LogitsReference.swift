import Foundation
import TensorEngine

/// A model's logits for one sequence, written beside a checkpoint so that another framework
/// can check that it computes the same numbers from the saved weights
/// (`Scripts/verify-hf` runs `transformers` and `tokenizers` on it).
///
///     {"ids": [3, 1, 4, ...],                  the token ids, one sequence
///      "logits": [[...vocabulary...], ...],    one row per position, float32 values
///      "text": "...", "text_ids": [...]}       a text and the ids the tokenizer gives it
///
/// The text pair is written when a tokenizer and a text are given.
public enum LogitsReference {
  public static func encode(model: GPTModel, ids: [Int], tokenizer: Tokenizer? = nil, text: String? = nil) throws -> Data {
    guard !ids.isEmpty, ids.count <= model.config.context else {
      throw ModelError("logits reference: needs 1 ... \(model.config.context) token ids (got \(ids.count))")
    }
    if let bad = ids.first(where: { $0 < 0 || $0 >= model.config.vocabulary }) {
      throw ModelError("logits reference: token id \(bad) is outside the vocabulary of \(model.config.vocabulary)")
    }
    let input = try Tensor(shape: [1, ids.count], values: ids.map(Float.init))
    let logits = try GradMode.withoutGradients { try model.forward(input) }
    let v = model.config.vocabulary
    let values = logits.toArray()
    // Double(Float) is exact, and JSON prints it with enough digits to give the float back.
    let rows = (0..<ids.count).map { t in values[t * v..<(t + 1) * v].map(Double.init) }
    var root: [String: Any] = ["ids": ids, "logits": rows]
    if let tokenizer, let text {
      root["text"] = text
      root["text_ids"] = tokenizer.encode(text)
    }
    return try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys])
  }

  /// Writes the reference atomically.
  public static func write(model: GPTModel, ids: [Int], tokenizer: Tokenizer? = nil, text: String? = nil, to path: String) throws {
    try AtomicFile.write(encode(model: model, ids: ids, tokenizer: tokenizer, text: text), to: path)
  }
}
