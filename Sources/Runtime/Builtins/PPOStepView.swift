import Foundation
import Language
import Models
import Training

/// PPO's step-by-step view: one rollout batch in detail — every answer with its reward, and
/// the best and the worst answer token by token with the numbers PPO trains on.
enum PPOStepView {
  static func lines(_ m: PPOStepMetrics, totalSteps: Int, tokenizer: Tokenizer) -> [String] {
    let e = m.experience
    var out = [String(format: "── step %d of %d: %d answers, β %.3g ──", m.step, totalSteps, e.rollouts.count, e.beta)]
    out.append("  #   reward  tokens  KL/token  answer")
    for (i, r) in e.rollouts.enumerated() {
      let k1 = KLEstimator.k1(e.logProbs[i], e.referenceLogProbs[i])
      let kl = k1.isEmpty ? 0 : k1.reduce(0, +) / Float(k1.count)
      let answer = r.text.replacingOccurrences(of: "\n", with: " / ") + (r.ended ? "" : " …(cut at the token limit)")
      out.append(String(format: "%3d  %+7.2f  %6d  %+8.4f  ", i + 1, e.scores[i], r.response.count, kl) + "\(r.prompt) → \(answer)")
    }
    guard let best = e.scores.indices.max(by: { e.scores[$0] < e.scores[$1] }),
          let worst = e.scores.indices.min(by: { e.scores[$0] < e.scores[$1] }) else { return out }
    out.append("k1 = log π − log π_ref per token (the KL estimate); reward = −β·k1, plus the score on the last token;")
    out.append("advantage = GAE(γ, λ) of those rewards against the value head, whitened over the batch.")
    for (label, i) in [("best", best), ("worst", worst)] where label == "best" || worst != best {
      out.append("answer \(i + 1) (\(label), reward \(String(format: "%+.2f", e.scores[i]))):")
      out += tokenTable(
        tokens: e.rollouts[i].response.map { tokenizer.decode([$0]) },
        rows: [("k1", KLEstimator.k1(e.logProbs[i], e.referenceLogProbs[i])), ("reward", e.rewards[i]),
               ("value", e.values[i]), ("advantage", e.advantages[i])])
    }
    return out
  }

  /// Columns of 7 cells, 12 tokens to a block; a token's cell is padded by its width on a
  /// terminal (CJK characters take two columns).
  static func tokenTable(tokens: [String], rows: [(String, [Float])], perBlock: Int = 12) -> [String] {
    var out: [String] = []
    for start in stride(from: 0, to: tokens.count, by: perBlock) {
      let range = start..<min(start + perBlock, tokens.count)
      var line = "  " + "token".padding(toLength: 10, withPad: " ", startingAt: 0)
      for t in tokens[range] {
        // Special tokens lose their bars to fit a cell: <|end|> shows as <end>.
        let shown = t == "\n" ? "\\n" : (t.hasPrefix("<|") && t.hasSuffix("|>") ? "<" + String(t.dropFirst(2).dropLast(2).prefix(4)) + ">" : t)
        let width = shown.reduce(0) { $0 + displayWidth($1) }
        line += String(repeating: " ", count: max(1, 7 - width)) + shown
      }
      out.append(line)
      for (name, values) in rows {
        var row = "  " + name.padding(toLength: 10, withPad: " ", startingAt: 0)
        for j in range where j < values.count { row += String(format: "%+7.2f", values[j]) }
        out.append(row)
      }
    }
    return out
  }
}
