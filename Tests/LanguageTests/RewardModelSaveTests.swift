import Foundation
import Language
import Runtime
import Testing

/// `save RM to "dir"` and `load_reward_model("dir")` from a script: the loaded reward model
/// scores as the saved one, and a directory read the wrong way says what it holds.
extension LanguageTests {
  @Suite struct RewardModelSave {
    /// A fresh directory holding preference pairs written from the instruction fixture's poems.
    static func directoryWithPairs() throws -> String {
      let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llmlab-rm-save-\(UUID().uuidString)").path
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      let pairs = [
        ("写一首五言绝句，以「春」字开头。", "春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。", "春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多多多。"),
        ("写一首五言绝句，以「床」字开头。", "床前明月光，疑是地上霜。举头望明月，低头思故乡。", "白前明月光，疑是地上霜。举头望明月，低头思故乡。"),
      ]
      let lines = pairs.map { "{\"prompt\": \"\($0.0)\", \"chosen\": \"\($0.1)\", \"rejected\": \"\($0.2)\"}" }
      try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/pairs.jsonl", atomically: true, encoding: .utf8)
      return dir
    }

    /// A tiny model with a tokenizer (no pretraining: a reward model needs only the tokenizer).
    static func run(_ body: String, in dir: String) -> String {
      onMainSizedStack {
        transcript(of: """
          seed(0)
          let data = jsonl("_instructions.jsonl")
          let tok = char_tokenizer(data.corpus())
          let m = gpt { layers: 1, dim: 16, heads: 2, context: 64, vocab: tok.size, tokenizer: tok, seed: 1 }
          let dir = "\(dir)"

          """ + body, name: "rm_save.llm")
      }
    }

    @Test("a trained reward model saved and loaded gives the same scores; a model saved over it loads as a model")
    func roundTrip() throws {
      let dir = try Self.directoryWithPairs()
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let out = Self.run("""
        let rm = reward_model(m)
        train rm on jsonl(dir + "/pairs.jsonl") { steps: 3, batch: 2, lr: 0.01 }
        save rm to dir + "/rm"
        let back = load_reward_model(dir + "/rm")
        print(type(back))
        let p = "写一首五言绝句，以「春」字开头。"
        for a in ["春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。", "床前明月光", "白日依山尽，黄河入海流。"] {
          print(rm.score(p, a) == back.score(p, a), rm.score(p, a) != 0)
        }
        save m to dir + "/rm"
        print(type(load(dir + "/rm")))
        """, in: dir)
      #expect(out.contains("saved reward model rm to \(dir)/rm\n"), "\(out)")
      #expect(out.contains("loaded reward model: a copy of a 1 layer GPT with a scalar head at the last token from \(dir)/rm\n"), "\(out)")
      #expect(out.contains("reward model\n" + String(repeating: "true true\n", count: 3)), "\(out)")
      #expect(out.contains("model\nexit: 0\n"), "a model saved over the reward model's directory loads as a model: \(out)")
    }

    @Test("load on a reward model's directory, and load_reward_model on a model's, name the directory and what it holds")
    func mismatches() throws {
      let dir = try Self.directoryWithPairs()
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let asModel = Self.run("""
        save reward_model(m) to dir + "/rm"
        load(dir + "/rm")
        """, in: dir)
      #expect(asModel.contains("load: \(dir)/rm holds a reward model (a GPT body with a score head), not a model; read it with load_reward_model("), "\(asModel)")
      #expect(asModel.hasSuffix("exit: 1\n"))

      let asReward = Self.run("""
        save m to dir + "/m"
        load_reward_model(dir + "/m")
        """, in: dir)
      #expect(asReward.contains("load_reward_model: \(dir)/m holds a GPT model with no score head, not a reward model"), "\(asReward)")
      #expect(asReward.hasSuffix("exit: 1\n"))

      let nothing = Self.run("save 3 to dir", in: dir)
      #expect(nothing.contains("`save` needs a model or a reward model, got a number"), "\(nothing)")
    }
  }
}
