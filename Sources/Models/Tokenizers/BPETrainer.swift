import Foundation

/// Learns byte-level BPE merges from a corpus: start from the 256 bytes, then repeatedly
/// merge the most frequent adjacent pair of symbols (within pre-tokenized pieces), until the
/// vocabulary reaches its target size.
public struct BPETrainer {
  public var vocabularySize: Int
  public var specials: [String]

  public init(vocabularySize: Int, specials: [String] = SpecialTokens.all) {
    self.vocabularySize = vocabularySize
    self.specials = specials
  }

  public struct Report: Sendable {
    public var characters: Int
    public var seconds: Double
    public var merges: Int
    public var charactersPerSecond: Double { seconds > 0 ? Double(characters) / seconds : 0 }
  }

  struct Pair: Hashable, Comparable {
    let a: Int, b: Int
    static func < (x: Pair, y: Pair) -> Bool { x.a != y.a ? x.a < y.a : x.b < y.b }
  }

  /// Trains on `texts`; `progress` is called now and then with (merges done, merges wanted).
  public func train(_ texts: [String], progress: ((Int, Int) -> Void)? = nil) throws -> (BPETokenizer, Report) {
    let minimum = 256 + specials.count
    guard vocabularySize >= minimum else {
      throw TokenizerError("a byte-level vocabulary needs at least \(minimum) tokens (256 bytes + \(specials.count) special tokens), not \(vocabularySize)")
    }
    let start = Date()
    // Piece frequencies: every distinct pre-tokenized piece once, with its count.
    var pieceCounts: [String: Int] = [:]
    var characters = 0
    for text in texts {
      characters += text.count
      for part in splitOnSpecialTokens(text, Dictionary(uniqueKeysWithValues: specials.enumerated().map { ($1, $0) })) where part.special == nil {
        for piece in ByteLevel.pretokenize(part.text) { pieceCounts[piece, default: 0] += 1 }
      }
    }
    // Sorted so that training is deterministic whatever the dictionary order.
    let pieces = pieceCounts.sorted { $0.key < $1.key }
    var words = pieces.map { Array($0.key.utf8).map(Int.init) }
    let counts = pieces.map(\.value)

    var pairCounts: [Pair: Int] = [:]
    var wordsWithPair: [Pair: Set<Int>] = [:]
    for (w, symbols) in words.enumerated() where symbols.count > 1 {
      for i in 0..<(symbols.count - 1) {
        let p = Pair(a: symbols[i], b: symbols[i + 1])
        pairCounts[p, default: 0] += counts[w]
        wordsWithPair[p, default: []].insert(w)
      }
    }

    let wanted = vocabularySize - minimum
    var merges: [(left: Int, right: Int)] = []
    var nextId = 256
    // A max-heap of (count, pair) with stale entries skipped on pop: an entry is current
    // only while its count equals the pair's count now.
    var heap = PairHeap()
    for (p, c) in pairCounts { heap.push(c, p) }
    var touched: Set<Pair> = []
    while merges.count < wanted {
      // The most frequent pair; ties go to the smallest pair, for determinism.
      var best: (Pair, Int)? = nil
      while let (c, p) = heap.pop() {
        if pairCounts[p] == c { best = (p, c); break }
      }
      guard let (pair, count) = best, count >= 2 else { break }  // nothing left worth merging
      let merged = nextId
      nextId += 1
      merges.append((pair.a, pair.b))
      for w in wordsWithPair[pair] ?? [] {
        let old = words[w]
        let f = counts[w]
        // Remove the word's old pairs, merge, add its new pairs.
        for i in 0..<(old.count - 1) {
          let p = Pair(a: old[i], b: old[i + 1])
          pairCounts[p, default: 0] -= f
          touched.insert(p)
        }
        let out = mergingPair(old, pair.a, pair.b, into: merged)
        words[w] = out
        if out.count > 1 {
          for j in 0..<(out.count - 1) {
            let p = Pair(a: out[j], b: out[j + 1])
            pairCounts[p, default: 0] += f
            wordsWithPair[p, default: []].insert(w)
            touched.insert(p)
          }
        }
      }
      pairCounts[pair] = nil
      wordsWithPair[pair] = nil
      for p in touched where p != pair {
        if let c = pairCounts[p], c > 0 { heap.push(c, p) } else { pairCounts[p] = nil }
      }
      touched.removeAll(keepingCapacity: true)
      if merges.count % 100 == 0 { progress?(merges.count, wanted) }
    }
    let tokenizer = try BPETokenizer(merges: merges, specials: specials)
    let report = Report(characters: characters, seconds: Date().timeIntervalSince(start), merges: merges.count)
    return (tokenizer, report)
  }
}

/// A binary max-heap ordered by count, then by the smaller pair (deterministic ties).
struct PairHeap {
  private var items: [(count: Int, pair: BPETrainer.Pair)] = []

  private func above(_ x: (count: Int, pair: BPETrainer.Pair), _ y: (count: Int, pair: BPETrainer.Pair)) -> Bool {
    x.count != y.count ? x.count > y.count : x.pair < y.pair
  }

  mutating func push(_ count: Int, _ pair: BPETrainer.Pair) {
    items.append((count, pair))
    var i = items.count - 1
    while i > 0 {
      let parent = (i - 1) / 2
      guard above(items[i], items[parent]) else { break }
      items.swapAt(i, parent)
      i = parent
    }
  }

  mutating func pop() -> (Int, BPETrainer.Pair)? {
    guard let top = items.first else { return nil }
    let last = items.removeLast()
    if !items.isEmpty {
      items[0] = last
      var i = 0
      while true {
        let l = 2 * i + 1, r = l + 1
        var best = i
        if l < items.count && above(items[l], items[best]) { best = l }
        if r < items.count && above(items[r], items[best]) { best = r }
        if best == i { break }
        items.swapAt(i, best)
        i = best
      }
    }
    return (top.count, top.pair)
  }
}
