/// A readable line diff: `-` lines only in the expected text, `+` lines only in the actual
/// one, with two lines of context around each change and `@@ line N` headers.
func lineDiff(expected: String, actual: String, context: Int = 2) -> String {
  let a = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  let b = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  // Longest common subsequence table, from the ends.
  var lcs = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
  for i in stride(from: a.count - 1, through: 0, by: -1) {
    for j in stride(from: b.count - 1, through: 0, by: -1) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
    }
  }
  enum Line { case same(String), removed(String), added(String) }
  var lines: [(Line, Int)] = []  // with the expected-side line number
  var i = 0, j = 0
  while i < a.count || j < b.count {
    if i < a.count, j < b.count, a[i] == b[j] {
      lines.append((.same(a[i]), i + 1)); i += 1; j += 1
    } else if i < a.count, j == b.count || lcs[i + 1][j] >= lcs[i][j + 1] {
      lines.append((.removed(a[i]), i + 1)); i += 1
    } else {
      lines.append((.added(b[j]), i + 1)); j += 1
    }
  }
  let changed = lines.indices.filter { if case .same = lines[$0].0 { return false } else { return true } }
  var shown = Set<Int>()
  for k in changed { for m in max(0, k - context)...min(lines.count - 1, k + context) { shown.insert(m) } }
  var out: [String] = []
  var last = -2
  for k in shown.sorted() {
    if k != last + 1 { out.append("@@ line \(lines[k].1)") }
    switch lines[k].0 {
    case .same(let s): out.append("  " + s)
    case .removed(let s): out.append("- " + s)
    case .added(let s): out.append("+ " + s)
    }
    last = k
  }
  return out.joined(separator: "\n")
}
