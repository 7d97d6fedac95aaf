import Foundation

/// Byte-level byte-pair encoding, as GPT-2 defines it: text is split into pieces by the
/// GPT-2 pattern, each piece is taken as UTF-8 bytes, and learned merges join adjacent
/// symbols, most frequent pair first. Any text encodes (there is no unknown token) and
/// decoding gives the exact text back.
public final class BPETokenizer: Tokenizer, @unchecked Sendable {
  /// Token id → the bytes it stands for. Ids 0 ..< 256 are the single bytes.
  public let tokenBytes: [[UInt8]]
  /// The merges in the order they were learned: (left id, right id) → merged id.
  public let merges: [(left: Int, right: Int)]
  public let specialTokens: [String: Int]
  private let mergeRank: [Pair: Int]
  private let mergedId: [Pair: Int]
  private let specialById: [Int: String]
  /// Pieces already encoded (Chinese text repeats a lot).
  private var cache: [String: [Int]] = [:]
  private let cacheLock = NSLock()

  struct Pair: Hashable { let a: Int, b: Int }

  public var kind: String { "byte-level BPE" }
  public var vocabularySize: Int { tokenBytes.count + specialTokens.count }

  /// - Parameters:
  ///   - merges: in learned order; merge i creates token 256 + i.
  ///   - specials: names in id order, placed after the byte and merge tokens.
  public init(merges: [(left: Int, right: Int)], specials: [String]) throws {
    var bytes = (0..<256).map { [UInt8($0)] }
    var rank: [Pair: Int] = [:]
    var ids: [Pair: Int] = [:]
    for (i, m) in merges.enumerated() {
      guard m.left < bytes.count, m.right < bytes.count else {
        throw TokenizerError("merge \(i) refers to a token that does not exist yet")
      }
      rank[Pair(a: m.left, b: m.right)] = i
      ids[Pair(a: m.left, b: m.right)] = bytes.count
      bytes.append(bytes[m.left] + bytes[m.right])
    }
    self.tokenBytes = bytes
    self.merges = merges
    self.mergeRank = rank
    self.mergedId = ids
    var specialTokens: [String: Int] = [:]
    for (i, s) in specials.enumerated() { specialTokens[s] = bytes.count + i }
    self.specialTokens = specialTokens
    self.specialById = Dictionary(uniqueKeysWithValues: specialTokens.map { ($1, $0) })
  }

  public func encode(_ text: String) -> [Int] {
    var ids: [Int] = []
    for part in splitOnSpecialTokens(text, specialTokens) {
      if let special = part.special {
        ids.append(special)
        continue
      }
      for piece in ByteLevel.pretokenize(part.text) { ids += encodePiece(piece) }
    }
    return ids
  }

  /// Applies the merges to one piece: repeatedly join the adjacent pair learned earliest.
  func encodePiece(_ piece: String) -> [Int] {
    cacheLock.lock()
    if let hit = cache[piece] {
      cacheLock.unlock()
      return hit
    }
    cacheLock.unlock()
    var symbols = Array(piece.utf8).map(Int.init)
    while symbols.count > 1 {
      var best: (rank: Int, at: Int)? = nil
      for i in 0..<(symbols.count - 1) {
        if let r = mergeRank[Pair(a: symbols[i], b: symbols[i + 1])], best == nil || r < best!.rank { best = (r, i) }
      }
      guard let (_, at) = best else { break }
      let pair = Pair(a: symbols[at], b: symbols[at + 1])
      symbols = mergingPair(symbols, pair.a, pair.b, into: mergedId[pair]!)
    }
    cacheLock.lock()
    if cache.count < 100_000 { cache[piece] = symbols }
    cacheLock.unlock()
    return symbols
  }

  public func decode(_ ids: [Int]) -> String {
    var decoder = UTF8StreamDecoder()
    var out = ""
    for id in ids {
      if let special = specialById[id] {
        out += decoder.finish() + special
      } else if id >= 0 && id < tokenBytes.count {
        out += decoder.push(tokenBytes[id])
      } else {
        out += decoder.finish() + "\u{FFFD}"
      }
    }
    return out + decoder.finish()
  }

  /// The bytes of a token (empty for a special token).
  public func bytes(of id: Int) -> [UInt8] { id >= 0 && id < tokenBytes.count ? tokenBytes[id] : [] }

  public func tokenText(_ id: Int) -> String {
    if let special = specialById[id] { return special }
    guard id >= 0 && id < tokenBytes.count else { return "<invalid \(id)>" }
    let b = tokenBytes[id]
    if let s = String(validating: b, as: UTF8.self) { return s }
    // Part of a character: show the bytes, and whatever whole characters there are.
    return b.map { String(format: "<0x%02X>", $0) }.joined()
  }
}

/// `symbols` with every occurrence of the adjacent pair (a, b) replaced by `merged`, left to
/// right: the one step of BPE that training and encoding share.
func mergingPair(_ symbols: [Int], _ a: Int, _ b: Int, into merged: Int) -> [Int] {
  var out: [Int] = []
  out.reserveCapacity(symbols.count)
  var i = 0
  while i < symbols.count {
    if i + 1 < symbols.count && symbols[i] == a && symbols[i + 1] == b {
      out.append(merged)
      i += 2
    } else {
      out.append(symbols[i])
      i += 1
    }
  }
  return out
}
