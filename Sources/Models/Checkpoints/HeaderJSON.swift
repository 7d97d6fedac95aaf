/// A strict JSON parser for safetensors headers.
///
/// Foundation's parser keeps the last of two equal keys and turns every number into a
/// double; the format forbids duplicate keys and needs exact integer offsets, so the header
/// is parsed here: objects keep their keys in order and reject duplicates, numbers without
/// a fraction or exponent stay integers. Errors give the byte offset in the header.
/// JSONL files (`JSONLReader`) parse each line with it too, as "the line".
enum HeaderJSON {
  case object([(key: String, value: HeaderJSON)])
  case array([HeaderJSON])
  case string(String)
  case integer(Int)
  case number(Double)
  case bool(Bool)
  case null

  struct SyntaxError: Error {
    var offset: Int
    var message: String
  }

  /// Parses one value followed only by whitespace (the header's padding). `subject` names
  /// the text in messages such as "the header ends early".
  static func parse<C: Collection>(_ bytes: C, subject: String = "the header") throws -> HeaderJSON where C.Element == UInt8 {
    var parser = Parser(bytes: Array(bytes), subject: subject)
    let value = try parser.value(depth: 0)
    parser.skipWhitespace()
    guard parser.position == parser.bytes.count else { throw parser.error("unexpected text after the JSON value") }
    return value
  }

  private struct Parser {
    let bytes: [UInt8]
    let subject: String
    var position = 0
    /// Deep enough for any header; stops a hostile file from exhausting the stack.
    static let maximumDepth = 64

    func error(_ message: String) -> SyntaxError { SyntaxError(offset: position, message: message) }

    mutating func skipWhitespace() {
      while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    mutating func expect(_ c: UInt8) throws {
      skipWhitespace()
      guard position < bytes.count, bytes[position] == c else {
        throw error(position < bytes.count ? "expected '\(Character(Unicode.Scalar(c)))'" : "\(subject) ends early")
      }
      position += 1
    }

    mutating func value(depth: Int) throws -> HeaderJSON {
      guard depth < Self.maximumDepth else { throw error("nested too deeply") }
      skipWhitespace()
      guard position < bytes.count else { throw error("\(subject) ends early") }
      switch bytes[position] {
      case UInt8(ascii: "{"): return try object(depth: depth)
      case UInt8(ascii: "["): return try array(depth: depth)
      case UInt8(ascii: "\""): return .string(try string())
      case UInt8(ascii: "t"): try literal("true"); return .bool(true)
      case UInt8(ascii: "f"): try literal("false"); return .bool(false)
      case UInt8(ascii: "n"): try literal("null"); return .null
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
      default: throw error("unexpected character")
      }
    }

    mutating func literal(_ word: String) throws {
      let w = Array(word.utf8)
      guard position + w.count <= bytes.count, Array(bytes[position..<position + w.count]) == w else { throw error("unexpected character") }
      position += w.count
    }

    mutating func object(depth: Int) throws -> HeaderJSON {
      position += 1
      var members: [(key: String, value: HeaderJSON)] = []
      var keys = Set<String>()
      skipWhitespace()
      if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object([]) }
      while true {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
          throw error(position < bytes.count ? "expected a key in quotes" : "\(subject) ends early")
        }
        let keyOffset = position
        let key = try string()
        guard keys.insert(key).inserted else { throw SyntaxError(offset: keyOffset, message: "duplicate key \"\(key)\"") }
        try expect(UInt8(ascii: ":"))
        members.append((key, try value(depth: depth + 1)))
        skipWhitespace()
        guard position < bytes.count else { throw error("\(subject) ends early") }
        if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
        if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
        throw error("expected ',' or '}'")
      }
    }

    mutating func array(depth: Int) throws -> HeaderJSON {
      position += 1
      var items: [HeaderJSON] = []
      skipWhitespace()
      if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array([]) }
      while true {
        items.append(try value(depth: depth + 1))
        skipWhitespace()
        guard position < bytes.count else { throw error("\(subject) ends early") }
        if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
        if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
        throw error("expected ',' or ']'")
      }
    }

    mutating func string() throws -> String {
      position += 1
      var scalars = String.UnicodeScalarView()
      var run: [UInt8] = []  // unescaped UTF-8 bytes, decoded when an escape or the end comes
      func flush() throws {
        guard let s = String(validating: run, as: UTF8.self) else { throw error("a string is not valid UTF-8") }
        scalars.append(contentsOf: s.unicodeScalars)
        run.removeAll(keepingCapacity: true)
      }
      while true {
        guard position < bytes.count else { throw error("\(subject) ends inside a string") }
        let c = bytes[position]
        position += 1
        switch c {
        case UInt8(ascii: "\""):
          try flush()
          return String(scalars)
        case UInt8(ascii: "\\"):
          try flush()
          guard position < bytes.count else { throw error("\(subject) ends inside a string") }
          let e = bytes[position]
          position += 1
          switch e {
          case UInt8(ascii: "\""): scalars.append("\"")
          case UInt8(ascii: "\\"): scalars.append("\\")
          case UInt8(ascii: "/"): scalars.append("/")
          case UInt8(ascii: "b"): scalars.append("\u{8}")
          case UInt8(ascii: "f"): scalars.append("\u{C}")
          case UInt8(ascii: "n"): scalars.append("\n")
          case UInt8(ascii: "r"): scalars.append("\r")
          case UInt8(ascii: "t"): scalars.append("\t")
          case UInt8(ascii: "u"):
            var code = try hex4()
            if (0xD800..<0xDC00).contains(code) {
              // A surrogate pair spells one scalar above U+FFFF.
              try literal("\\u")
              let low = try hex4()
              guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in a \\u escape") }
              code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
            scalars.append(scalar)
          default: throw error("invalid escape in a string")
          }
        case 0..<0x20: throw error("control character in a string")
        default: run.append(c)
        }
      }
    }

    mutating func hex4() throws -> UInt32 {
      guard position + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16) else {
        throw error("invalid \\u escape")
      }
      position += 4
      return v
    }

    /// number = -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
    mutating func number() throws -> HeaderJSON {
      let start = position
      func digits() -> Int {
        let s = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
        return position - s
      }
      if bytes[position] == UInt8(ascii: "-") { position += 1 }
      let intStart = position
      guard digits() > 0 else { throw error("invalid number") }
      if bytes[intStart] == UInt8(ascii: "0") && position - intStart > 1 { throw SyntaxError(offset: start, message: "invalid number (leading zero)") }
      var integral = true
      if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
        position += 1
        integral = false
        guard digits() > 0 else { throw error("invalid number") }
      }
      if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
        position += 1
        integral = false
        if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard digits() > 0 else { throw error("invalid number") }
      }
      let text = String(decoding: bytes[start..<position], as: UTF8.self)
      if integral, let i = Int(text) { return .integer(i) }
      guard let d = Double(text) else { throw SyntaxError(offset: start, message: "invalid number") }
      return .number(d)
    }
  }
}
