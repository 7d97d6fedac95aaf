/// "did you mean …?": the closest candidate by edit distance, if it is close enough.
public enum Suggestions {
  public static func closest(to word: String, in candidates: [String]) -> String? {
    let limit = Swift.max(1, word.count / 3)
    var best: (String, Int)? = nil
    for c in Set(candidates) where c != word {
      let d = distance(word.lowercased(), c.lowercased())
      if d <= limit, best == nil || d < best!.1 || (d == best!.1 && c < best!.0) { best = (c, d) }
    }
    return best?.0
  }

  public static func hint(for word: String, in candidates: [String]) -> String? {
    closest(to: word, in: candidates).map { "did you mean `\($0)`?" }
  }

  /// Edit distance over characters: insertions, deletions, substitutions, and swaps of two
  /// neighbours (`lenght` is one edit from `length`), each costing 1.
  static func distance(_ a: String, _ b: String) -> Int {
    let x = Array(a), y = Array(b)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var before = [Int](repeating: 0, count: y.count + 1)  // row i - 2
    var previous = Array(0...y.count)  // row i - 1
    var row = previous
    for i in 1...x.count {
      row[0] = i
      for j in 1...y.count {
        row[j] = Swift.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { row[j] = Swift.min(row[j], before[j - 2] + 1) }
      }
      (before, previous) = (previous, row)
    }
    return previous[y.count]
  }
}
