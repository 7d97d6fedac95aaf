import Foundation

/// GPT-2's byte-level alphabet: each of the 256 byte values is shown as one printable
/// Unicode character (printable ASCII and Latin-1 stand for themselves; the rest are shifted
/// to U+0100 and up). This is how `tokenizer.json` writes byte-level tokens: a space is `Ġ`.
enum ByteLevel {
  static let byteToCharacter: [Character] = {
    var printable = Array(33...126) + Array(161...172) + Array(174...255)
    var chars = [Character](repeating: " ", count: 256)
    for b in printable { chars[b] = Character(Unicode.Scalar(UInt32(b))!) }
    var next = 256
    for b in 0..<256 where !printable.contains(b) {
      chars[b] = Character(Unicode.Scalar(UInt32(next))!)
      next += 1
      printable.append(b)
    }
    return chars
  }()

  static let characterToByte: [Character: UInt8] = {
    var map: [Character: UInt8] = [:]
    for (b, c) in byteToCharacter.enumerated() { map[c] = UInt8(b) }
    return map
  }()

  static func encode(_ bytes: [UInt8]) -> String { String(bytes.map { byteToCharacter[Int($0)] }) }

  static func decode(_ text: String) -> [UInt8]? {
    var out: [UInt8] = []
    for c in text {
      guard let b = characterToByte[c] else { return nil }
      out.append(b)
    }
    return out
  }

  /// GPT-2's pre-tokenizer: contractions, runs of letters or digits with an optional leading
  /// space, runs of other symbols, and whitespace. Merges never cross these pieces.
  static let pattern = try! NSRegularExpression(
    pattern: #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#)

  static func pretokenize(_ text: String) -> [String] {
    let ns = text as NSString
    return pattern.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range) }
  }
}

/// Turns a stream of bytes into text without ever splitting a character: bytes of an
/// unfinished UTF-8 sequence wait for the rest (streaming); at the end, or when a sequence
/// is invalid, they become U+FFFD.
public struct UTF8StreamDecoder: Sendable {
  private var pending: [UInt8] = []

  public init() {}

  /// Appends bytes and returns the text that is now complete.
  public mutating func push(_ bytes: [UInt8]) -> String {
    pending += bytes
    var out = ""
    var i = 0
    while i < pending.count {
      let b = pending[i]
      let length: Int
      switch b {
      case 0..<0x80: length = 1
      case 0xC2..<0xE0: length = 2
      case 0xE0..<0xF0: length = 3
      case 0xF0..<0xF5: length = 4
      default: length = 0
      }
      if length == 0 {
        out.append("\u{FFFD}")
        i += 1
        continue
      }
      if i + length > pending.count {
        // Possibly complete later; but invalid continuation bytes already seen are not.
        if pending[(i + 1)...].allSatisfy({ $0 & 0xC0 == 0x80 }) { break }
        out.append("\u{FFFD}")
        i += 1
        continue
      }
      let slice = Array(pending[i..<(i + length)])
      if let s = String(validating: slice, as: UTF8.self) {
        out += s
        i += length
      } else {
        out.append("\u{FFFD}")
        i += 1
      }
    }
    pending.removeFirst(i)
    return out
  }

  /// Ends the stream: any held-back bytes become U+FFFD.
  public mutating func finish() -> String {
    defer { pending = [] }
    return pending.isEmpty ? "" : "\u{FFFD}"
  }
}
