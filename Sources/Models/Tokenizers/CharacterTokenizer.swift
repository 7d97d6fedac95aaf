/// One token per character (natural for Chinese, where a character is a word-like unit).
/// Characters not seen in training map to `<|unk|>`.
public final class CharacterTokenizer: Tokenizer, @unchecked Sendable {
  public let characters: [Character]
  public let specialTokens: [String: Int]
  private let index: [Character: Int]
  private let specialById: [Int: String]
  public static let unknown = "<|unk|>"

  public var kind: String { "character" }
  public var vocabularySize: Int { characters.count + specialTokens.count }

  /// The vocabulary: every distinct character of `texts`, in order of first appearance
  /// sorted by code point (so it does not depend on corpus order), then the special tokens.
  ///
  /// With `minCount` above 1, characters seen fewer times than that map to `<|unk|>` (a rare
  /// character costs a row of the embedding and a column of the output layer, and is barely
  /// learned), except those of `keep`, which all stay.
  public convenience init(training texts: [String], minCount: Int = 1, keep: [String] = [], specials: [String] = SpecialTokens.all) {
    var counts: [Character: Int] = [:]
    for t in texts { for c in t { counts[c, default: 0] += 1 } }
    var seen = Set(counts.filter { $0.value >= minCount }.keys)
    for t in keep { for c in t { seen.insert(c) } }
    self.init(characters: seen.sorted { String($0).unicodeScalars.first!.value < String($1).unicodeScalars.first!.value || (String($0).unicodeScalars.first!.value == String($1).unicodeScalars.first!.value && String($0) < String($1)) }, specials: specials)
  }

  public init(characters: [Character], specials: [String] = SpecialTokens.all) {
    self.characters = characters
    var index: [Character: Int] = [:]
    for (i, c) in characters.enumerated() { index[c] = i }
    self.index = index
    var specialTokens: [String: Int] = [:]
    for (i, s) in (specials + [CharacterTokenizer.unknown]).enumerated() where specialTokens[s] == nil {
      specialTokens[s] = characters.count + i
    }
    self.specialTokens = specialTokens
    self.specialById = Dictionary(uniqueKeysWithValues: specialTokens.map { ($1, $0) })
  }

  public func encode(_ text: String) -> [Int] {
    var ids: [Int] = []
    let unk = specialTokens[CharacterTokenizer.unknown]!
    for part in splitOnSpecialTokens(text, specialTokens) {
      if let s = part.special { ids.append(s); continue }
      for c in part.text { ids.append(index[c] ?? unk) }
    }
    return ids
  }

  public func decode(_ ids: [Int]) -> String {
    var out = ""
    for id in ids {
      if id >= 0 && id < characters.count { out.append(characters[id]) } else { out += specialById[id] ?? "\u{FFFD}" }
    }
    return out
  }

  public func tokenText(_ id: Int) -> String {
    if id >= 0 && id < characters.count { return String(characters[id]) }
    return specialById[id] ?? "<invalid \(id)>"
  }
}
