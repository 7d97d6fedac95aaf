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

  /// Levenshtein distance over characters.
  static func distance(_ a: String, _ b: String) -> Int {
    let x = Array(a), y = Array(b)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var row = Array(0...y.count)
    for i in 1...x.count {
      var previous = row[0]
      row[0] = i
      for j in 1...y.count {
        let current = row[j]
        row[j] = Swift.min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
        previous = current
      }
    }
    return row[y.count]
  }
}
