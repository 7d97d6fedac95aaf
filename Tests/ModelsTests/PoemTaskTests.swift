import Testing
@testable import Models

@Suite("Poem tasks and the quality rule")
struct PoemTaskTests {
  let five = PoemRule.Request(form: 5, start: "床")

  @Test("the rule passes a real quatrain and fails each corruption")
  func rule() {
    #expect(PoemRule.passes("床前明月光，疑是地上霜。\n举头望明月，低头思故乡。", five))
    #expect(!PoemRule.passes("床前明月光，疑是地上霜。举头望明月，低头思故。", five))   // a short clause
    #expect(!PoemRule.passes("床前明月光，疑是地上霜。举头望明月，低低低低低。", five))  // a repeated character
    #expect(!PoemRule.passes("春前明月光，疑是地上霜。举头望明月，低头思故乡。", five))  // the wrong start
    #expect(!PoemRule.passes("床前明月光，疑是地上霜。", five))                          // two clauses
    #expect(PoemRule.score("床前明月光，疑是地上霜。举头望明月，低头思故乡。", five) == 1)
    #expect(PoemRule.score("", five) == 0)
    #expect(PoemRule.score("春前明月光，疑是地上霜。", five) == 0.25)
  }

  @Test("a prompt says what it asks for")
  func prompts() {
    let r = PoemRule.Request(form: 7, start: "春")
    #expect(PoemTasks.prompt(r) == "写一首七言绝句，以「春」字开头。")
    #expect(PoemRule.request(in: PoemTasks.prompt(r)) == r)
    #expect(PoemRule.request(in: "写一首诗") == nil)
  }

  // Every clause of every poem is different: 40 characters per poem from the CJK block.
  static let corpus = Corpus(name: "t", documents: (0..<30).map { i in
    let c = { (k: Int) in String((0..<5).map { Character(Unicode.Scalar(0x4E00 + i * 40 + k * 5 + $0)!) }) }
    return i % 2 == 0 ? "\(c(0))，\(c(1))。\n\(c(2))，\(c(3))。" : "\(c(0))，\(c(1))。\n\(c(2))，\(c(3))。\n\(c(4))，\(c(5))。\n\(c(6))，\(c(7))。"
  })

  @Test("tasks come from whole quatrains and stanzas of longer poems, split by request before use")
  func tasks() throws {
    #expect(PoemTasks.quatrains(in: Self.corpus).count == 45)
    // A quatrain that appears twice is kept once.
    #expect(PoemTasks.quatrains(in: Corpus(name: "d", documents: [Self.corpus.documents[0], Self.corpus.documents[0]])).count == 1)
    // A twelve-clause poem gives three stanzas; ten clauses are not a whole number of quatrains.
    let long = (0..<12).map { k in String((0..<5).map { Character(Unicode.Scalar(0x5000 + k * 5 + $0)!) }) }
    #expect(PoemTasks.quatrains(in: Corpus(name: "l", documents: [long.joined(separator: "，")])).count == 3)
    #expect(PoemTasks.quatrains(in: Corpus(name: "l", documents: [long.prefix(10).joined(separator: "，")])).isEmpty)
    // Stride 2 starts a quatrain at every couplet (clauses 1, 3, 5, 7, 9 of twelve); stride 1 at every clause.
    let twelve = Corpus(name: "l", documents: [long.joined(separator: "，")])
    #expect(PoemTasks.quatrains(in: twelve, stride: 2).map { $0[0] } == [0, 2, 4, 6, 8].map { long[$0] })
    #expect(PoemTasks.quatrains(in: twelve, stride: 1).count == 9)
    #expect(throws: ModelError.self) { try PoemTasks.make(from: Self.corpus, stride: 3) }
    let split = try PoemTasks.make(from: Self.corpus, heldOut: 0.2, seed: 1)
    #expect(split.train.count + split.heldOut.count == 45)
    #expect(split.heldOut.count == 9)
    for t in split.train + split.heldOut { #expect(PoemRule.passes(t.answer, t.request)) }
    #expect(Set(split.train.map(\.answer)).isDisjoint(with: split.heldOut.map(\.answer)))
    // No held-out prompt is a training prompt, and the new requests are neither.
    let trainPrompts = Set(split.train.map(\.prompt)), heldOutPrompts = Set(split.heldOut.map(\.prompt))
    #expect(trainPrompts.isDisjoint(with: heldOutPrompts))
    #expect(split.heldOutPrompts.count == heldOutPrompts.count)
    let fresh = split.newRequests.map(PoemTasks.prompt)
    #expect(!fresh.isEmpty && Set(fresh).count == fresh.count)
    #expect(Set(fresh).isDisjoint(with: trainPrompts.union(heldOutPrompts)))
    // Two forms for every clause-initial character of the training poems, less those taken.
    let starts = Set(split.train.flatMap { PoemRule.clauses($0.answer).compactMap(\.first) })
    #expect(fresh.count == 2 * starts.count - trainPrompts.count - heldOutPrompts.filter { p in starts.contains { p.contains("「\($0)」") } }.count)
  }

  @Test("the split depends on the seed and only on it")
  func seeds() throws {
    let a = try PoemTasks.make(from: Self.corpus, seed: 1), b = try PoemTasks.make(from: Self.corpus, seed: 1)
    let c = try PoemTasks.make(from: Self.corpus, seed: 2)
    #expect(a.heldOut.map(\.prompt) == b.heldOut.map(\.prompt) && a.newRequests == b.newRequests)
    #expect(a.heldOut.map(\.prompt) != c.heldOut.map(\.prompt))
  }

  @Test("every rejected answer breaks the rule; every chosen one keeps it")
  func pairs() throws {
    let train = try PoemTasks.make(from: Self.corpus, seed: 2).train
    let pairs = PoemTasks.preferencePairs(train, seed: 3)
    #expect(pairs.count == train.count)
    for (p, t) in zip(pairs, train) {
      #expect(PoemRule.passes(p.chosen, t.request))
      #expect(!PoemRule.passes(p.rejected, t.request), "\(p.corruption): \(p.rejected)")
    }
    #expect(Set(pairs.map(\.corruption)) == ["wrong length", "repeats", "wrong start"])
  }
}
