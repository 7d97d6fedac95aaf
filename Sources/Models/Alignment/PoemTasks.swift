import TensorEngine

/// The bundled alignment data, made from the bundled poems by this code: instructions that
/// ask for a 五言 or 七言 quatrain beginning with a given character, answered by real
/// quatrains (the 绝句 of the corpus, each half of its 律诗, and each four-clause stanza of a
/// longer poem in one form); preference pairs whose chosen answer is such a quatrain and whose
/// rejected one is a corrupted copy; and requests no example answers, for reinforcement
/// learning. Requests are split into training and held-out sets before anything is made, so a
/// held-out prompt is never a training prompt and held-out measurements never see a training
/// poem.
public struct PoemTask: Sendable, Equatable {
  public var prompt: String
  public var request: PoemRule.Request
  /// A real quatrain that satisfies the request.
  public var answer: String
}

public struct PreferencePair: Sendable, Equatable {
  public var prompt: String
  public var chosen: String
  public var rejected: String
  /// How the rejected answer was corrupted ("wrong length", "repeats", "wrong start").
  public var corruption: String

  public init(prompt: String, chosen: String, rejected: String, corruption: String = "") {
    (self.prompt, self.chosen, self.rejected, self.corruption) = (prompt, chosen, rejected, corruption)
  }
}

public enum PoemTasks {
  /// The prompt for a request, in one fixed wording (so the rule can read it back).
  public static func prompt(_ r: PoemRule.Request) -> String {
    "写一首\(r.form == 5 ? "五言" : "七言")绝句，以「\(r.start)」字开头。"
  }

  /// Every real quatrain in the corpus: whole 绝句, and each four-clause stanza of a poem
  /// whose clauses all have 5 or all 7 characters (the halves of a 律诗, the stanzas of a
  /// 古体 poem), formatted as two lines of two clauses ("AAAAA，BBBBB。\nCCCCC，DDDDD。").
  /// With `stride` 2, a quatrain starts at every couplet of a longer poem (clauses 1–4, 3–6,
  /// 5–8 of a 律诗): more examples, and more first characters to learn to start with.
  public static func quatrains(in corpus: Corpus, stride step: Int = 4) -> [[String]] {
    var out: [[String]] = []
    var seen = Set<[String]>()
    for doc in corpus.documents {
      let cs = PoemRule.clauses(doc)
      guard let form = cs.first?.count, form == 5 || form == 7, cs.count % 4 == 0, cs.allSatisfy({ $0.count == form }) else { continue }
      // The same quatrain twice (a poem quoted in another) would leak into the held-out set.
      for i in stride(from: 0, through: cs.count - 4, by: step) where seen.insert(Array(cs[i..<i + 4])).inserted { out.append(Array(cs[i..<i + 4])) }
    }
    return out
  }

  public static func format(_ clauses: [String]) -> String {
    guard clauses.count == 4 else { return clauses.joined(separator: "，") + "。" }
    return "\(clauses[0])，\(clauses[1])。\n\(clauses[2])，\(clauses[3])。"
  }

  /// The tasks of a corpus, split by request.
  public struct Split: Sendable {
    /// Training tasks: every quatrain whose request is not held out.
    public var train: [PoemTask]
    /// Held-out tasks: every quatrain of the held-out requests (for held-out pairs).
    public var heldOut: [PoemTask]
    /// Requests that no task answers, neither training nor held out: a character that starts
    /// a clause of a training quatrain, in either form. Reinforcement learning and ranking
    /// practise on these, where the fine-tuned model has no poem to recall.
    public var newRequests: [PoemRule.Request]

    /// One task per held-out request (the first quatrain of each), for evaluations.
    public var heldOutPrompts: [PoemTask] {
      var seen = Set<String>()
      return heldOut.filter { seen.insert($0.prompt).inserted }
    }
  }

  /// Tasks split into training and held-out sets by a seeded shuffle of the requests (form
  /// and first character): every quatrain of a held-out request is held out, so no held-out
  /// prompt appears in training. Held-out requests are taken until they hold `share` of the
  /// quatrains.
  public static func make(from corpus: Corpus, heldOut share: Double = 0.15, stride: Int = 4, seed: UInt64 = 0) throws -> Split {
    guard [1, 2, 4].contains(stride) else { throw ModelError("poem tasks: stride must be 1, 2 or 4 (clauses between the starts of two quatrains), got \(stride)") }
    let qs = quatrains(in: corpus, stride: stride)
    guard qs.count >= 10 else { throw ModelError("poem tasks: only \(qs.count) quatrains in \(corpus.name); need at least 10") }
    guard share > 0 && share < 1 else { throw ModelError("poem tasks: held_out must be between 0 and 1 (the share of quatrains held out), got \(share)") }
    let tasks = qs.map { q -> PoemTask in
      let r = PoemRule.Request(form: q[0].count, start: q[0].first!)
      return PoemTask(prompt: prompt(r), request: r, answer: format(q))
    }
    // Requests in order of first appearance, then shuffled by seed.
    var byRequest: [String: [PoemTask]] = [:]
    var requests: [String] = []
    for t in tasks {
      if byRequest[t.prompt] == nil { requests.append(t.prompt) }
      byRequest[t.prompt, default: []].append(t)
    }
    var rng = RandomGenerator(seed: seed)
    rng.shuffle(&requests)
    let wanted = Swift.max(1, Int(Double(tasks.count) * share))
    var train: [PoemTask] = [], heldOut: [PoemTask] = []
    for r in requests {
      if heldOut.count < wanted { heldOut += byRequest[r]! } else { train += byRequest[r]! }
    }
    guard !train.isEmpty else { throw ModelError("poem tasks: held_out \(share) leaves no training quatrain in \(corpus.name)") }
    rng.shuffle(&train)
    // New requests: clause-initial characters of training poems, in both forms.
    let used = Set(tasks.map(\.prompt))
    var starts: [Character] = []
    var seenStarts = Set<Character>()
    for t in train { for c in PoemRule.clauses(t.answer) { if let f = c.first, seenStarts.insert(f).inserted { starts.append(f) } } }
    var fresh = starts.flatMap { c in [5, 7].map { PoemRule.Request(form: $0, start: c) } }.filter { !used.contains(prompt($0)) }
    rng.shuffle(&fresh)
    return Split(train: train, heldOut: heldOut, newRequests: fresh)
  }

  /// For each task, `perTask` pairs: the real quatrain against a corrupted copy. The
  /// corruptions are the failures the rule checks for, in turn: a clause of the wrong length,
  /// characters repeated, the wrong first character (with 3 per task, one of each).
  public static func preferencePairs(_ tasks: [PoemTask], perTask: Int = 1, seed: UInt64 = 0) -> [PreferencePair] {
    var rng = RandomGenerator(seed: seed &+ 17)
    let pool = Array(Set(tasks.flatMap { Array($0.answer) }.filter { !PoemRule.punctuation.contains($0) })).sorted { String($0) < String($1) }
    let jobs = tasks.enumerated().flatMap { i, task in (0..<Swift.max(1, perTask)).map { (i * Swift.max(1, perTask) + $0, task) } }
    return jobs.map { i, task in
      var cs = PoemRule.clauses(task.answer)
      let kind = i % 3
      let label: String
      switch kind {
      case 0:
        // One clause one character too short or too long.
        let j = rng.nextInt(below: cs.count)
        if rng.nextInt(below: 2) == 0 { cs[j].removeLast() } else { cs[j].append(pool[rng.nextInt(below: pool.count)]) }
        label = "wrong length"
      case 1:
        // A clause collapsed into one repeated character.
        let j = 1 + rng.nextInt(below: cs.count - 1)
        let c = cs[j].first!
        cs[j] = String(repeating: c, count: cs[j].count)
        label = "repeats"
      default:
        // A different first character.
        var c = pool[rng.nextInt(below: pool.count)]
        while c == task.request.start { c = pool[rng.nextInt(below: pool.count)] }
        cs[0] = String(c) + cs[0].dropFirst()
        label = "wrong start"
      }
      return PreferencePair(prompt: task.prompt, chosen: task.answer, rejected: format(cs), corruption: label)
    }
  }
}
