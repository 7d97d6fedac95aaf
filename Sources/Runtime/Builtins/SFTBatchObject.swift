import Foundation
import Models
import TensorEngine
import Training

/// Rows of fine-tuning data as SFT trains on them, for looking at the loss mask:
/// `show sft_batch(tasks.train, tok)` writes each row out with the trained tokens inside
/// ⟦ ⟧ and everything else (the user's turn, the role markers, padding) outside.
final class SFTBatchObject: RuntimeObject {
  let data: SFTData
  let tokenizer: Tokenizer
  let shownRows: Int
  init(data: SFTData, tokenizer: Tokenizer, rows: Int) {
    (self.data, self.tokenizer, self.shownRows) = (data, tokenizer, rows)
  }

  var typeName: String { "sft batch" }
  var members: [MemberSpec] {
    [.property("rows", "how many packed rows the records make"), .property("trained", "how many tokens carry the loss"),
     .property("tokens", "how many tokens there are (padding left out)"),
     .property("x", "the input ids of the shown rows [rows, context]"),
     .property("y", "the labels of the shown rows: the next token where trained, -100 where masked")]
  }
  var summary: String {
    let r = data.report
    return "sft batch: \(r.examples) examples packed in \(data.rows.count) rows of \(data.context) tokens; \(r.trainedTokens) of \(r.tokens) tokens trained (\(String(format: "%.0f", r.trainedShare * 100))%), end-of-turn trained \(r.trainedEndOfTurn) times"
  }
  var details: [String] {
    var lines = ["⟦ ⟧ marks the tokens the loss is on (the assistant's answer and its <|end|>); the rest is context only"]
    for (i, row) in data.rows.prefix(shownRows).enumerated() {
      lines.append("row \(i): \(row.labels.filter { $0 >= 0 }.count) of \(row.inputs.filter { $0 >= 0 }.count) tokens trained")
      lines.append("  " + Self.render(row, tokenizer: tokenizer))
    }
    if data.rows.count > shownRows { lines.append("… \(data.rows.count - shownRows) more rows") }
    for w in data.report.warnings { lines.append("warning: \(w)") }
    return lines
  }

  /// The row's tokens in order, trained spans in ⟦ ⟧. Position t predicts its label; a
  /// trained label is the next token, except where packing joins two examples: there the
  /// label is the first example's <|end|>, which is trained but never an input, and the next
  /// input is the second example's first token.
  static func render(_ row: SFTRow, tokenizer: Tokenizer) -> String {
    let length = row.inputs.firstIndex(of: -1) ?? row.inputs.count
    guard length > 0 else { return "" }
    var tokens: [(id: Int, trained: Bool)] = [(row.inputs[0], false)]
    for t in 0..<length {
      let label = row.labels[t]
      if label >= 0 { tokens.append((label, true)) }
      if t + 1 < length && label != row.inputs[t + 1] { tokens.append((row.inputs[t + 1], false)) }
    }
    var text = "", open = false
    for token in tokens {
      if token.trained != open { text += token.trained ? "⟦" : "⟧"; open = token.trained }
      text += tokenizer.tokenText(token.id).replacingOccurrences(of: "\n", with: "⏎")
    }
    return open ? text + "⟧" : text
  }

  func property(_ name: String) throws -> Value {
    let r = data.report
    switch name {
    case "rows": return .number(Double(data.rows.count))
    case "trained": return .number(Double(r.trainedTokens))
    case "tokens": return .number(Double(r.tokens))
    case "x", "y":
      let rows = Array(data.rows.prefix(shownRows))
      let values = rows.flatMap { row in name == "x" ? row.inputs.map { Float($0 < 0 ? data.padId : $0) } : row.labels.map(Float.init) }
      return .tensor(try Tensor(shape: [rows.count, data.context], values: values))
    default: throw RuntimeError("sft batch has no property `\(name)`")
    }
  }
  func callMethod(_ name: String, _ a: BoundArguments, _ c: CallContext) throws -> Value {
    throw RuntimeError("sft batch has no method `\(name)`")
  }
}
