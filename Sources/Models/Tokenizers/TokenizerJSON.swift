import Foundation

/// Reading and writing Hugging Face's `tokenizer.json`, so that the `tokenizers` library
/// loads a tokenizer trained here and produces the same ids.
///
/// Byte-level BPE is written as GPT-2's: a `ByteLevel` pre-tokenizer (GPT-2's pattern, no
/// prefix space), a `BPE` model whose vocabulary spells tokens in the byte-level alphabet
/// (`Ġ` for a space), its merges in order, and a `ByteLevel` decoder. Special tokens are
/// `added_tokens`. A character tokenizer is written as a `WordLevel` model over a
/// `Split` pre-tokenizer that isolates every character (grapheme cluster).
public enum TokenizerJSON {
  public static func encode(_ tokenizer: Tokenizer) throws -> Data {
    var added: [[String: Any]] = []
    for (name, id) in tokenizer.specialTokens.sorted(by: { $0.value < $1.value }) {
      added.append(["id": id, "content": name, "single_word": false, "lstrip": false, "rstrip": false,
                    "normalized": false, "special": true])
    }
    var root: [String: Any] = [
      "version": "1.0", "truncation": NSNull(), "padding": NSNull(), "added_tokens": added,
      "normalizer": NSNull(), "post_processor": NSNull(),
    ]
    switch tokenizer {
    case let bpe as BPETokenizer:
      var vocab: [String: Int] = [:]
      for id in 0..<bpe.tokenBytes.count { vocab[ByteLevel.encode(bpe.tokenBytes[id])] = id }
      let merges = bpe.merges.map { ByteLevel.encode(bpe.tokenBytes[$0.left]) + " " + ByteLevel.encode(bpe.tokenBytes[$0.right]) }
      root["pre_tokenizer"] = ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true]
      root["decoder"] = ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true]
      root["model"] = [
        "type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": NSNull(),
        "end_of_word_suffix": NSNull(), "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
        "vocab": vocab, "merges": merges,
      ] as [String: Any]
    case let chars as CharacterTokenizer:
      var vocab: [String: Int] = [:]
      for (i, c) in chars.characters.enumerated() { vocab[String(c)] = i }
      for (name, id) in chars.specialTokens { vocab[name] = id }
      // `\X` is one extended grapheme cluster, as a Swift Character is. (`tokenizers`'
      // Oniguruma rejects the `(?s)` flag, so `(?s).` would not load.)
      root["pre_tokenizer"] = ["type": "Split", "pattern": ["Regex": "\\X"], "behavior": "Isolated", "invert": false]
      root["decoder"] = ["type": "Fuse"]
      root["model"] = ["type": "WordLevel", "vocab": vocab, "unk_token": CharacterTokenizer.unknown] as [String: Any]
    default:
      throw TokenizerError("cannot save a \(tokenizer.kind) tokenizer")
    }
    return try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys, .withoutEscapingSlashes])
  }

  /// Reads a `tokenizer.json` written by llmlab or by `tokenizers` (byte-level BPE or
  /// character level). Errors name the field that is missing or wrong.
  public static func decode(_ data: Data, file: String = "tokenizer.json") throws -> Tokenizer {
    guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
      throw TokenizerError("\(file): not a JSON object (is the file truncated?)")
    }
    guard let model = root["model"] as? [String: Any], let type = model["type"] as? String else {
      throw TokenizerError("\(file): no \"model\" with a \"type\"")
    }
    guard let vocab = model["vocab"] as? [String: Int] else {
      throw TokenizerError("\(file): the model has no \"vocab\" object")
    }
    let added = (root["added_tokens"] as? [[String: Any]] ?? []).compactMap { t -> (String, Int)? in
      guard let c = t["content"] as? String, let id = t["id"] as? Int else { return nil }
      return (c, id)
    }.sorted { $0.1 < $1.1 }
    switch type {
    case "BPE":
      let mergeTexts: [(String, String)]
      if let strings = model["merges"] as? [String] {
        mergeTexts = try strings.enumerated().map { i, m in
          let parts = m.split(separator: " ", maxSplits: 1).map(String.init)
          guard parts.count == 2 else { throw TokenizerError("\(file): merge \(i) \"\(m)\" is not two tokens") }
          return (parts[0], parts[1])
        }
      } else if let pairs = model["merges"] as? [[String]] {
        mergeTexts = try pairs.enumerated().map { i, p in
          guard p.count == 2 else { throw TokenizerError("\(file): merge \(i) is not a pair") }
          return (p[0], p[1])
        }
      } else {
        throw TokenizerError("\(file): the BPE model has no \"merges\" list")
      }
      // Our ids: bytes first, then merges in order. Check the file's vocabulary agrees.
      var idOfBytes: [[UInt8]: Int] = [:]
      for b in 0..<256 { idOfBytes[[UInt8(b)]] = b }
      var merges: [(left: Int, right: Int)] = []
      for (i, (l, r)) in mergeTexts.enumerated() {
        guard let lb = ByteLevel.decode(l), let rb = ByteLevel.decode(r), let li = idOfBytes[lb], let ri = idOfBytes[rb] else {
          throw TokenizerError("\(file): merge \(i) (\"\(l) \(r)\") uses a token no earlier merge made")
        }
        merges.append((li, ri))
        if idOfBytes[lb + rb] == nil { idOfBytes[lb + rb] = 256 + i }
      }
      for (text, id) in vocab {
        guard let bytes = ByteLevel.decode(text), let ours = idOfBytes[bytes] else {
          throw TokenizerError("\(file): vocabulary token \"\(text)\" is not a byte-level token made by the merges")
        }
        guard ours == id else {
          throw TokenizerError("\(file): token \"\(text)\" has id \(id); llmlab numbers bytes 0-255 then merges in order and needs \(ours)")
        }
      }
      let tokenizer = try BPETokenizer(merges: merges, specials: added.map(\.0))
      for (name, id) in added where tokenizer.specialTokens[name] != id {
        throw TokenizerError("\(file): special token \(name) has id \(id), expected \(tokenizer.specialTokens[name]!) (right after the merges)")
      }
      return tokenizer
    case "WordLevel":
      let specialNames = Set(added.map(\.0) + [CharacterTokenizer.unknown])
      let ordinary = vocab.filter { !specialNames.contains($0.key) }.sorted { $0.value < $1.value }
      guard ordinary.enumerated().allSatisfy({ $0.offset == $0.element.value && $0.element.key.count == 1 }) else {
        throw TokenizerError("\(file): a character vocabulary must number single characters 0, 1, 2, ...")
      }
      return CharacterTokenizer(characters: ordinary.map { Character($0.key) }, specials: added.map(\.0).filter { $0 != CharacterTokenizer.unknown })
    default:
      throw TokenizerError("\(file): model type \"\(type)\" is not supported (byte-level BPE or WordLevel characters)")
    }
  }
}
