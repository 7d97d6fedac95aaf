import Foundation

/// How a plain text file is cut into documents.
public enum TextDocuments: String, Sendable, CaseIterable {
  /// Documents are separated by blank lines (lines holding only spaces or tabs).
  case paragraphs
  /// The whole file is one document.
  case file
}

/// Plain text files and directories of them as corpora: `text("poems.txt")`, `text("books/")`.
///
/// Text is read as UTF-8 (a byte order mark is dropped; a UTF-16 file or a byte that is not
/// UTF-8 is an error naming the file and line); line endings (`\r\n`, `\r`) become `\n`.
/// Documents lose their leading and trailing blank lines, nothing else.
public enum TextFiles {
  /// A corpus from a file or a directory. A file is cut at blank lines unless `documents`
  /// says otherwise; a directory gives one document per file. `displayPath` is the path as
  /// the user wrote it, for names and messages (the default is `path`).
  public static func corpus(at path: String, displayPath: String? = nil, documents: TextDocuments? = nil) throws -> Corpus {
    let shown = displayPath ?? path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw ModelError("\(shown): no such file or directory")
    }
    return isDirectory.boolValue
      ? try directoryCorpus(at: path, displayPath: shown, documents: documents ?? .file)
      : try fileCorpus(at: path, displayPath: shown, documents: documents ?? .paragraphs)
  }

  /// A corpus from one text file: its paragraphs, or the whole file as one document.
  public static func fileCorpus(at path: String, displayPath: String? = nil, documents: TextDocuments = .paragraphs) throws -> Corpus {
    let shown = displayPath ?? path
    let docs = try self.documents(in: readText(at: path, displayPath: shown), as: documents)
    guard !docs.isEmpty else { throw ModelError("\(shown): the file is empty (no text to train on)") }
    return Corpus(name: corpusName(shown), documents: docs)
  }

  /// A corpus from every `.txt` file under a directory, its subdirectories included, in the
  /// order of their paths (compared folder by folder, then by name). Hidden files and
  /// folders (names starting with ".") are left out; so are files with no text.
  public static func directoryCorpus(at path: String, displayPath: String? = nil, documents: TextDocuments = .file) throws -> Corpus {
    let shown = displayPath ?? path
    let files = try textFiles(under: path, displayPath: shown)
    guard !files.isEmpty else { throw ModelError("\(shown): no .txt files in the directory") }
    var docs: [String] = []
    for relative in files {
      let text = try readText(at: path + "/" + relative, displayPath: joined(shown, relative))
      docs += self.documents(in: text, as: documents)
    }
    guard !docs.isEmpty else { throw ModelError("\(shown): every .txt file in the directory is empty (no text to train on)") }
    return Corpus(name: corpusName(shown), documents: docs)
  }

  /// The `.txt` files under a directory, as paths relative to it, in corpus order.
  public static func textFiles(under path: String, displayPath: String? = nil) throws -> [String] {
    let shown = displayPath ?? path
    var found: [[String]] = []
    var visited = Set<String>()
    func walk(_ directory: String, _ components: [String]) throws {
      // A symbolic link back up the tree would loop forever: each real folder is read once.
      let real = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
      guard visited.insert(real).inserted else { return }
      let names: [String]
      do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
        throw ModelError("\(joined(shown, components.joined(separator: "/"))): cannot list the directory")
      }
      for name in names where !name.hasPrefix(".") {
        let full = directory + "/" + name
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) else { continue }  // a broken link
        if isDirectory.boolValue {
          try walk(full, components + [name])
        } else if name.lowercased().hasSuffix(".txt") {
          found.append(components + [name])
        }
      }
    }
    try walk(path, [])
    return found.sorted { a, b in
      for (x, y) in zip(a, b) where x != y { return x < y }
      return a.count < b.count
    }.map { $0.joined(separator: "/") }
  }

  /// Cuts text into documents. Line endings are already `\n`.
  public static func documents(in text: String, as mode: TextDocuments) -> [String] {
    let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
    func isBlank(_ line: Substring) -> Bool { line.allSatisfy { $0 == " " || $0 == "\t" } }
    switch mode {
    case .file:
      guard let first = lines.firstIndex(where: { !isBlank($0) }), let last = lines.lastIndex(where: { !isBlank($0) }) else { return [] }
      return [lines[first...last].joined(separator: "\n")]
    case .paragraphs:
      var docs: [String] = []
      var current: [Substring] = []
      for line in lines {
        if isBlank(line) {
          if !current.isEmpty { docs.append(current.joined(separator: "\n")) }
          current.removeAll()
        } else {
          current.append(line)
        }
      }
      if !current.isEmpty { docs.append(current.joined(separator: "\n")) }
      return docs
    }
  }

  /// A file's text: UTF-8, without a byte order mark.
  public static func readText(at path: String, displayPath: String? = nil) throws -> String {
    let shown = displayPath ?? path
    let data = try readData(at: path, displayPath: shown, kind: "a text file")
    return try TextDecoding.utf8(data, name: shown)
  }

  /// A file's bytes; a missing file or a directory is an error naming it.
  static func readData(at path: String, displayPath shown: String, kind: String) throws -> Data {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ModelError("\(shown): no such file") }
    guard !isDirectory.boolValue else { throw ModelError("\(shown): is a directory, not \(kind)") }
    guard let data = FileManager.default.contents(atPath: path) else { throw ModelError("\(shown): cannot read the file (permissions?)") }
    return data
  }

  /// "poems" for "data/poems.txt", "books" for "books/" (and "chat" for "chat.jsonl").
  static func corpusName(_ path: String, dropping suffix: String = ".txt") -> String {
    let last = (path as NSString).lastPathComponent
    let name = last.lowercased().hasSuffix(suffix) ? String(last.dropLast(suffix.count)) : last
    return name.isEmpty ? path : name
  }

  static func joined(_ directory: String, _ relative: String) -> String {
    if relative.isEmpty { return directory }
    return directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
  }
}

/// Bytes to text, with errors that say where the text stops being UTF-8.
enum TextDecoding {
  static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

  /// The text of UTF-8 bytes without a leading byte order mark; `name` is the file for errors.
  static func utf8(_ data: Data, name: String) throws -> String {
    var bytes = [UInt8](data)
    try rejectUTF16(bytes, name: name)
    if bytes.starts(with: byteOrderMark) { bytes.removeFirst(3) }
    if let text = String(validating: bytes, as: UTF8.self) { return text }
    throw ModelError("\(name):" + (invalidUTF8Description(bytes) ?? " not UTF-8 text"))
  }

  /// UTF-16 text (with its byte order mark) is common from Windows editors: say so plainly.
  static func rejectUTF16(_ bytes: [UInt8], name: String) throws {
    if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
      throw ModelError("\(name): the file is UTF-16 text; save it as UTF-8")
    }
  }

  /// "3: not UTF-8 text (byte 0xFF at column 7)": the line and column of the first byte
  /// that is not UTF-8, or nil when all are.
  static func invalidUTF8Description(_ bytes: [UInt8]) -> String? {
    guard let offset = firstInvalidUTF8(bytes) else { return nil }
    let before = bytes[..<offset]
    let line = before.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
    let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
    let column = String(decoding: bytes[lineStart..<offset], as: UTF8.self).count + 1
    return "\(line): not UTF-8 text (byte 0x\(String(format: "%02X", bytes[offset])) at column \(column))"
  }

  /// The offset of the first byte that does not belong to a valid UTF-8 sequence.
  static func firstInvalidUTF8<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8 {
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var offset = 0
    while true {
      switch parser.parseScalar(from: &iterator) {
      case .valid(let scalar): offset += scalar.count
      case .emptyInput: return nil
      case .error: return offset
      }
    }
  }
}
