import Foundation
import Runtime
import Testing

/// `write_jsonl(records, path)` as a script uses it: what `jsonl`, `poem_tasks` and
/// `ranked_pairs` make is written and read back equal.
extension DataBuiltinsTests {
  /// A script function: whether two records values hold equal records in the same order.
  static let same = """
    fn same(a, b) {
      if a.shape != b.shape or a.size != b.size { return false }
      for i in 0..a.size {
        if a.record(i) != b.record(i) { return false }
      }
      return true
    }

    """

  @Test func writeJSONLRoundTripsEveryShape() throws {
    let dir = try dataDirectory([
      "text.jsonl": textBytes(#"""
        {"text": "床前明月光，\n疑是地上霜。"}
        {"text": "a \"quoted\" \\ backslash\ttab"}
        """#),
      "chat.jsonl": textBytes(#"{"messages": [{"role": "system", "content": "诗人"}, {"role": "user", "content": "写\"春\"\n"}, {"role": "assistant", "content": "春眠不觉晓\\"}]}"# + "\n"),
      "sft.jsonl": textBytes(#"{"instruction": "续写", "output": "黄河入海流"}"# + "\n"),
    ])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let (output, error) = run(Self.same + """
      let tasks = poem_tasks(corpus("tang300"))
      write_jsonl(tasks.train, "out/new/sft.jsonl")
      print(same(tasks.train, jsonl("out/new/sft.jsonl")))
      write_jsonl(tasks.pairs, "out/pairs.jsonl")
      print(same(tasks.pairs, jsonl("out/pairs.jsonl")))
      for name in ["text", "chat", "sft"] {
        let r = jsonl(name + ".jsonl")
        write_jsonl(r, "copy/" + name + ".jsonl")
        print(name, same(r, jsonl("copy/" + name + ".jsonl")))
      }
      let result = write_jsonl(jsonl("sft.jsonl"), "sft.jsonl")
      print(result)
      """, in: dir)
    #expect(error == nil, "\(error ?? "")")
    let lines = output.split(separator: "\n").map(String.init)
    #expect(lines.filter { $0 == "true" }.count == 2, "\(output)")
    #expect(lines.contains { $0.hasPrefix("wrote ") && $0.hasSuffix(" instruction records to out/new/sft.jsonl") })
    #expect(lines.contains { $0.hasPrefix("wrote ") && $0.hasSuffix(" preference records to out/pairs.jsonl") })
    #expect(Array(lines.suffix(8)) == [
      "wrote 2 text records to copy/text.jsonl", "text true", "wrote 1 chat record to copy/chat.jsonl", "chat true",
      "wrote 1 instruction record to copy/sft.jsonl", "sft true", "wrote 1 instruction record to sft.jsonl", "none",
    ])
    // The input the file left out is written as "", which reads back the same.
    #expect(try String(contentsOfFile: dir + "/sft.jsonl", encoding: .utf8) == #"{"instruction": "续写", "input": "", "output": "黄河入海流"}"# + "\n")
  }

  @Test func writeJSONLRoundTripsRankedPairs() throws {
    let dir = try dataDirectory(["few.jsonl": textBytes("""
      {"instruction": "写一首五言绝句，以「春」字开头。", "output": "春眠不觉晓，处处闻啼鸟。"}
      {"instruction": "写一首五言绝句，以「床」字开头。", "output": "床前明月光，疑是地上霜。"}
      {"instruction": "写一首五言绝句，以「白」字开头。", "output": "白日依山尽，黄河入海流。"}
      """)])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let (output, error) = run(Self.same + """
      seed(0)
      let few = jsonl("few.jsonl")
      let tok = char_tokenizer(few.corpus())
      let m = gpt { layers: 1, dim: 16, heads: 2, context: 64, vocab: tok.size }
      pretrain m on dataset(few.corpus(), tokenizer: tok, context: 16, split: 0.5) { steps: 1, batch: 2 }
      # Every call scores higher than the one before, so each prompt gives a pair.
      let calls = 0
      fn judge(prompt, answer) {
        calls += 1
        return calls
      }
      let pairs = ranked_pairs(m, few, judge, samples: 2, tokens: 8)
      write_jsonl(pairs, "pairs.jsonl")
      print(pairs.shape, same(pairs, jsonl("pairs.jsonl")))
      """, in: dir)
    #expect(error == nil, "\(error ?? "")")
    #expect(output.hasSuffix("wrote 3 preference records to pairs.jsonl\npreference true"), "\(output)")
  }

  @Test func writeJSONLErrorsNameThePath() throws {
    let dir = try dataDirectory(["t.jsonl": textBytes(#"{"text": "a"}"#)])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect(run(#"write_jsonl(3, "x.jsonl")"#, in: dir).error
      == "write_jsonl: `records` must be records (from jsonl, poem_tasks or ranked_pairs), got a number")
    #expect(run(#"write_jsonl(corpus("tang300"), "x.jsonl")"#, in: dir).error?.hasPrefix("write_jsonl: `records` must be records") == true)
    #expect(run(#"write_jsonl(jsonl("t.jsonl"), "t.jsonl/x.jsonl")"#, in: dir).error
      == "write_jsonl: \(dir)/t.jsonl: exists and is not a directory")
    #expect(run(#"write_jsonl(jsonl("t.jsonl"), "")"#, in: dir).error == "write_jsonl: the path is empty")
    #expect(!FileManager.default.fileExists(atPath: dir + "/x.jsonl"))
  }
}
