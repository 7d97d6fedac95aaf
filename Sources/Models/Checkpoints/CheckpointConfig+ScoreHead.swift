import Foundation

/// How `config.json` describes a checkpoint with a score head (a reward model).
///
/// The keys are those `transformers` writes for a one-label sequence classifier (`num_labels`
/// 1, as `id2label`/`label2id` too), with `"architectures"` naming
/// `GPT2ForSequenceClassification` or `LlamaForSequenceClassification` when the body is one
/// `transformers` can load (`transformersArchitecture`). Those classes read the score at the
/// last token, as ours does, from `score.weight` alone: they have no bias. They load the file
/// with a warning that `score.bias` (and an untied body's `lm_head.weight`) is unused, and
/// then score every sequence lower by that bias — a constant, so every comparison between answers (all a Bradley–Terry reward model
/// learns) stays the same. Without a `pad_token_id` they take the last position of each row,
/// so give them one unpadded sequence at a time.
///
/// `"llmlab_score_head"` is llmlab's own mark: it says the file holds the head, bias included,
/// and names its two tensors. A checkpoint is read as a reward model only when it is there.
extension CheckpointConfig {
  public static let scoreHeadKey = "llmlab_score_head"

  static var scoreHeadKeys: [String: Any] {
    [
      "num_labels": 1,
      "id2label": ["0": "LABEL_0"],
      "label2id": ["LABEL_0": 0],
      scoreHeadKey: ["weight": ScoreHead.weightName, "bias": ScoreHead.biasName],
    ]
  }

  /// Whether `config.json` (already read by `decode`) marks a score head.
  public static func hasScoreHead(_ data: Data, file: String = "config.json") throws -> Bool {
    guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
      throw ModelError("\(file): not a JSON object (is the file truncated?)")
    }
    guard let mark = root[scoreHeadKey] else { return false }
    guard let names = mark as? [String: Any], names["weight"] as? String == ScoreHead.weightName,
      names["bias"] as? String == ScoreHead.biasName
    else {
      throw ModelError("\(file): \"\(scoreHeadKey)\" must be {\"weight\": \"\(ScoreHead.weightName)\", \"bias\": \"\(ScoreHead.biasName)\"}, the tensors llmlab saves a score head as")
    }
    return true
  }
}
