import Foundation
import Testing
@testable import Models

/// encode ∘ decode is the identity for any UTF-8 text, and decoding any ids never splits a
/// character.
@Suite("Tokenizer round trips")
struct TokenizerRoundTripTests {
  static let corpus = [
    "床前明月光，疑是地上霜。\n举头望明月，低头思故乡。",
    "春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。",
    "Hello, world! It's 2026; we're testing 1234 tokens.",
    "emoji 🙂👍🏽 and accents: café, naïve, Ångström",
  ]

  static func trained(_ vocab: Int) throws -> BPETokenizer {
    try BPETrainer(vocabularySize: vocab).train(corpus).0
  }

  /// Random text over a mix of scripts, including characters never seen in training,
  /// combining marks, emoji with modifiers, whitespace runs and special-token look-alikes.
  static func randomText(_ rng: inout SystemRandomNumberGenerator, seed: Int) -> String {
    let pools: [[UInt32]] = [
      Array(0x20...0x7E), Array(0x4E00...0x4E80), Array(0x3000...0x3010), [0x0A, 0x09, 0x20, 0x20],
      Array(0x1F600...0x1F610), [0x0301, 0x0308], Array(0x00C0...0x00FF), Array(0x0400...0x0420), [0x1F3FD, 0x200D],
    ]
    var g = SeededGenerator(seed: UInt64(seed))
    var s = ""
    for _ in 0..<Int.random(in: 0...80, using: &g) {
      let pool = pools[Int.random(in: 0..<pools.count, using: &g)]
      if let scalar = Unicode.Scalar(pool[Int.random(in: 0..<pool.count, using: &g)]) { s.unicodeScalars.append(scalar) }
    }
    if seed % 7 == 0 { s += "<|endoftext|>" + s }
    return s
  }

  @Test("byte-level BPE: decode(encode(text)) == text for random Unicode", arguments: [300, 600])
  func bpeRoundTrip(vocab: Int) throws {
    let tok = try Self.trained(vocab)
    var rng = SystemRandomNumberGenerator()
    for seed in 0..<300 {
      let text = Self.randomText(&rng, seed: seed)
      #expect(tok.decode(tok.encode(text)) == text, "seed \(seed)")
    }
    for text in Self.corpus { #expect(tok.decode(tok.encode(text)) == text) }
  }

  @Test("merges make the training text shorter in tokens than in bytes")
  func mergesCompress() throws {
    let tok = try Self.trained(600)
    let text = Self.corpus[0]
    #expect(tok.encode(text).count < text.utf8.count * 3 / 4)
  }

  @Test("decoding arbitrary ids never yields broken UTF-8")
  func arbitraryIds() throws {
    let tok = try Self.trained(400)
    var g = SeededGenerator(seed: 5)
    for _ in 0..<500 {
      let ids = (0..<Int.random(in: 0...20, using: &g)).map { _ in Int.random(in: -2...(tok.vocabularySize + 2), using: &g) }
      let text = tok.decode(ids)
      // A Swift String is always valid Unicode; check it survives a UTF-8 round trip unchanged.
      #expect(String(decoding: Array(text.utf8), as: UTF8.self) == text)
    }
    // A lone lead byte of a 3-byte character becomes U+FFFD, never a partial character.
    let lead = try #require((0..<256).first { tok.bytes(of: $0) == [0xE5] })
    #expect(tok.decode([lead]) == "\u{FFFD}")
  }

  @Test("the streaming decoder holds back an unfinished character")
  func streaming() {
    var d = UTF8StreamDecoder()
    let bytes = Array("明月".utf8)
    #expect(d.push(Array(bytes[0..<2])) == "")
    #expect(d.push(Array(bytes[2..<4])) == "明")
    #expect(d.push(Array(bytes[4...])) == "月")
    #expect(d.finish() == "")
    #expect(d.push([0xE6]) == "")
    #expect(d.finish() == "\u{FFFD}")
  }

  @Test("special tokens encode to one id each and decode back")
  func specials() throws {
    let tok = try Self.trained(300)
    let text = "<|user|>写一首诗<|end|><|assistant|>春风<|end|>"
    let ids = tok.encode(text)
    #expect(ids.contains(tok.specialTokens["<|user|>"]!))
    #expect(ids.filter { $0 == tok.specialTokens["<|end|>"]! }.count == 2)
    #expect(tok.decode(ids) == text)
  }

  @Test("tokenizer.json round trip keeps the ids (BPE and character)")
  func jsonRoundTrip() throws {
    let bpe = try Self.trained(500)
    let back = try TokenizerJSON.decode(try TokenizerJSON.encode(bpe))
    let chars = CharacterTokenizer(training: Self.corpus)
    let charsBack = try TokenizerJSON.decode(try TokenizerJSON.encode(chars))
    var rng = SystemRandomNumberGenerator()
    for seed in 0..<100 {
      let text = Self.randomText(&rng, seed: seed)
      #expect(back.encode(text) == bpe.encode(text))
      #expect(charsBack.encode(text) == chars.encode(text))
    }
  }

  @Test("a truncated or foreign tokenizer.json is an error naming the file")
  func badJSON() throws {
    let data = try TokenizerJSON.encode(try Self.trained(300))
    #expect(throws: TokenizerError.self) { try TokenizerJSON.decode(data.prefix(data.count / 2), file: "t.json") }
    let other = Data(#"{"model": {"type": "Unigram", "vocab": {}}}"#.utf8)
    do {
      _ = try TokenizerJSON.decode(other, file: "t.json")
      Issue.record("expected an error")
    } catch let e as TokenizerError {
      #expect(e.description.contains("t.json"))
    }
  }

  @Test("min_count drops rare characters to <|unk|>, except those of `keep`")
  func characterMinCount() {
    let tok = CharacterTokenizer(training: ["aab", "aac"], minCount: 2, keep: ["c"])
    #expect(tok.characters == ["a", "c"])
    let unk = tok.specialTokens[CharacterTokenizer.unknown]!
    #expect(tok.encode("abc") == [0, unk, 1])
    #expect(CharacterTokenizer(training: ["aab"]).characters == ["a", "b"])
  }

  @Test("training is deterministic")
  func deterministic() throws {
    let a = try Self.trained(500), b = try Self.trained(500)
    #expect(a.merges.map { [$0.left, $0.right] } == b.merges.map { [$0.left, $0.right] })
  }
}

/// SplitMix64, for reproducible random test data.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
