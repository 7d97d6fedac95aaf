/// The quality rule every alignment stage is measured by: a quatrain (绝句) in the requested
/// form — four clauses of 5 characters (五言) or 7 (七言), separated by Chinese punctuation —
/// that begins with the requested character, with no clause that is one character repeated.
/// A program checks it; nobody has to eyeball.
public enum PoemRule {
  public static let punctuation: Set<Character> = ["，", "。", "？", "！", "；", "、", "\n"]

  /// What a prompt asks for.
  public struct Request: Sendable, Equatable {
    public var form: Int  // 5 or 7 characters per clause
    public var start: Character
    public init(form: Int, start: Character) {
      self.form = form
      self.start = start
    }
  }

  /// The clauses of an answer: runs of characters between punctuation marks.
  public static func clauses(_ text: String) -> [String] {
    var out: [String] = [], current = ""
    for c in text {
      if punctuation.contains(c) {
        if !current.isEmpty { out.append(current) }
        current = ""
      } else if !c.isWhitespace {
        current.append(c)
      }
    }
    if !current.isEmpty { out.append(current) }
    return out
  }

  /// Whether `answer` is a quatrain of the requested form beginning with the requested character.
  public static func passes(_ answer: String, _ request: Request) -> Bool {
    let cs = clauses(answer)
    return cs.count == 4 && cs.allSatisfy { $0.count == request.form && Set($0).count > 1 } && cs[0].first == request.start
  }

  /// A graded version for rewards (0 ... 1): a share for each clause of the right length
  /// (up to four), a share for having exactly four, and a share for the right first character.
  public static func score(_ answer: String, _ request: Request) -> Double {
    let cs = clauses(answer)
    guard !cs.isEmpty else { return 0 }
    let goodClauses = Double(cs.prefix(4).filter { $0.count == request.form && Set($0).count > 1 }.count) / 4
    let countRight: Double = cs.count == 4 ? 1 : 0
    let startRight: Double = cs[0].first == request.start ? 1 : 0
    return 0.5 * goodClauses + 0.25 * countRight + 0.25 * startRight
  }

  /// Reads the form and start character from a prompt made by `PoemTasks`
  /// ("写一首五言绝句，以「春」字开头。").
  public static func request(in prompt: String) -> Request? {
    let form: Int
    if prompt.contains("五言") { form = 5 } else if prompt.contains("七言") { form = 7 } else { return nil }
    guard let open = prompt.firstIndex(of: "「"), let start = prompt[prompt.index(after: open)...].first, start != "」" else { return nil }
    return Request(form: form, start: start)
  }
}
