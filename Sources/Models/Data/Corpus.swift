import Foundation

/// A named collection of documents (poems, lines, files) to train on.
public struct Corpus: Sendable {
  public var name: String
  public var documents: [String]

  public init(name: String, documents: [String]) {
    self.name = name
    self.documents = documents
  }

  public var characterCount: Int { documents.reduce(0) { $0 + $1.count } }

  /// The corpora bundled by name, all from Debian's `fortunes-zh` package (installed by
  /// Scripts/setup): `tang300` and `song100` are its Tang and Song poems; `chinese` is its
  /// book of sayings: 5,264 entries, 0.9 million characters, of classical verse, proverbs,
  /// quotations and notes on Debian in modern Chinese (with English words and commands).
  public static let bundledNames = ["tang300", "song100", "chinese"]

  /// Several corpora as one, documents in order; the name joins theirs with "+".
  public static func joined(_ parts: [Corpus]) -> Corpus {
    Corpus(name: parts.map(\.name).joined(separator: "+"), documents: parts.flatMap(\.documents))
  }

  public static func bundled(_ name: String) throws -> Corpus {
    guard bundledNames.contains(name) else {
      throw ModelError("no bundled corpus \"\(name)\"; bundled: \(bundledNames.joined(separator: ", ")) (or read your own files with text(...) / jsonl(...))")
    }
    let candidates = ["/usr/share/games/fortunes/\(name)", "/usr/share/games/fortunes/zh/\(name)"]
    guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
      throw ModelError("the \(name) corpus comes from Debian's fortunes-zh package, which is not installed: run Scripts/setup (or apt-get install fortunes-zh)")
    }
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw ModelError("cannot read \(path) as UTF-8 text")
    }
    let documents = name == "chinese" ? FortuneFile.sayings(in: text) : FortuneFile.poems(in: text).map(\.text)
    return Corpus(name: name, documents: documents)
  }
}

/// The `fortune` file format of fortunes-zh: entries separated by lines holding `%`; each
/// poem starts with its title (in green) and author (in yellow) as terminal color codes.
public enum FortuneFile {
  public struct Poem: Sendable, Equatable {
    public var title: String
    public var author: String
    /// The poem's lines joined with newlines, without title and author.
    public var text: String
  }

  /// Removes ANSI escape sequences (`ESC [ ... m`).
  public static func stripColorCodes(_ s: String) -> String {
    var out = ""
    var chars = s.makeIterator()
    while let c = chars.next() {
      if c == "\u{1B}" {
        // Skip "[" and parameters up to the final letter.
        while let d = chars.next() { if d.isLetter { break } }
        continue
      }
      out.append(c)
    }
    return out
  }

  /// The entries of a file of sayings (fortunes-zh's `chinese`): each entry's text, lines
  /// trimmed, without its attribution line ("-- 王贞白《白鹿洞二首·其一》").
  public static func sayings(in text: String) -> [String] {
    text.components(separatedBy: "\n%\n").compactMap { entry in
      let lines = stripColorCodes(entry).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
      let body = lines.filter { !$0.isEmpty && $0 != "%" && !$0.hasPrefix("--") }
      return body.isEmpty ? nil : body.joined(separator: "\n")
    }
  }

  public static func poems(in text: String) -> [Poem] {
    var poems: [Poem] = []
    for entry in text.components(separatedBy: "\n%\n") {
      var lines = entry.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
      guard lines.count >= 3 else { continue }
      let title = stripColorCodes(lines.removeFirst()).trimmingCharacters(in: .whitespaces)
      var author = stripColorCodes(lines.removeFirst()).trimmingCharacters(in: .whitespaces)
      for prefix in ["作者：", "作者:"] where author.hasPrefix(prefix) { author = String(author.dropFirst(prefix.count)) }
      let body = lines.map { stripColorCodes($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && $0 != "%" }
      guard !body.isEmpty else { continue }
      poems.append(Poem(title: title.trimmingCharacters(in: CharacterSet(charactersIn: "《》")), author: author, text: body.joined(separator: "\n")))
    }
    return poems
  }
}
