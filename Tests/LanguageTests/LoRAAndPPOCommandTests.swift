import Foundation
import Language
import Runtime
import Testing

/// LoRA and PPO's step-by-step mode as a user reaches them: from scripts, through the
/// interpreter, with what they print.
extension LanguageTests {
  @Suite struct LoRAAndPPOCommands {
    static let setup = """
      seed(0)
      let data = jsonl("_instructions.jsonl")
      let tok = char_tokenizer(data.corpus())
      let m = gpt { layers: 1, dim: 16, heads: 2, context: 64, vocab: tok.size }
      pretrain m on dataset(data.corpus(), tokenizer: tok, context: 24) { steps: 2, batch: 2 }

      """

    /// Runs `body` after the setup with `readLine` answering from `answers` (nil: no terminal).
    static func run(_ body: String, answers: [String]? = nil) -> String {
      onMainSizedStack {
        let log = Transcript()
        let interpreter = Interpreter(output: { log.text += $0 + "\n" })
        interpreter.baseDirectory = Fixtures.directory.path
        if var queue = answers {
          interpreter.readLine = { prompt in
            log.text += prompt + "\n"
            return queue.isEmpty ? nil : queue.removeFirst()
          }
        }
        let runner = ScriptRunner(interpreter: interpreter, useColor: false, errorOutput: { log.text += $0 })
        let outcome = runner.run(SourceFile(name: "lora.llm", text: setup + body))
        return log.text + "exit: \(outcome.rawValue)\n"
      }
    }

    @Test("m.lora attaches adapters, sft trains them, save_adapters writes PEFT files, merge keeps the function")
    func loraLifecycle() throws {
      let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llmlab-lora-\(UUID().uuidString)").path
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let out = Self.run("""
        m.lora(rank: 2, targets: ["attn", "mlp"])
        print(len(m.adapters))
        let x = tensor([[1, 2, 3]])
        sft m on data { steps: 3, batch: 2, lr: 0.01 }
        let before = m.forward(x)
        m.save_adapters("\(dir)")
        m.merge()
        print((m.forward(x) - before).abs().max().item() < 1e-4)
        m.unmerge()
        print((m.forward(x) - before).abs().max().item() < 1e-4)
        m.copy()
        """)
      #expect(out.contains("LoRA: rank 2, alpha 4 on 4 projections"), "\(out)")
      #expect(out.contains("\n4\n"), "one adapter on each of the 4 linear weights of one block: \(out)")
      #expect(out.contains("merged 4 adapters into the weights"))
      #expect(out.components(separatedBy: "true\n").count == 3, "merged and unmerged model compute the same logits: \(out)")
      #expect(out.contains("trained LoRA adapters that are not merged"), "a copy would lose the adapters: \(out)")
      #expect(out.hasSuffix("exit: 1\n"))
      #expect(FileManager.default.fileExists(atPath: dir + "/adapter_model.safetensors"))
      let config = try String(contentsOfFile: dir + "/adapter_config.json", encoding: .utf8)
      #expect(config.contains("\"peft_type\" : \"LORA\"") && config.contains("\"r\" : 2"), "\(config)")
    }

    @Test("LoRA mistakes are clear errors: no adapters, adapters twice, training merged adapters, a bad record")
    func loraErrors() {
      #expect(Self.run("m.merge()").contains("the model has no LoRA adapters"))
      #expect(Self.run("m.lora(rank: 2)\nsft m on data { steps: 1, lora: { rank: 4 } }").contains("has LoRA adapters already"))
      #expect(Self.run("m.lora(rank: 2)\nm.merge()\nsft m on data { steps: 1 }").contains("merged into its weights"))
      #expect(Self.run("sft m on data { steps: 1, lora: { rnk: 4 } }").contains("lora has no option `rnk`"))
      #expect(Self.run("sft m on data { steps: 1, lora: 4 }").contains("lora must be a record"))
    }

    @Test("ranked_pairs pairs the best of the model's answers against the worst, by the judge")
    func rankedPairs() {
      let out = Self.run("""
        fn longer(prompt, answer) {
          return len(answer)
        }
        let ranked = ranked_pairs(m, data, longer, samples: 3, tokens: 8)
        print(ranked.shape, ranked.size <= 4)
        let r = ranked.record(0)
        print(len(r.chosen) > len(r.rejected))
        let rm = reward_model(m)
        train rm on [ranked, ranked] { steps: 2, batch: 2 }
        """)
      #expect(out.contains("ranked 3 answers to each of 4 prompts"), "\(out)")
      #expect(out.contains("preference true\ntrue\n"), "\(out)")
      #expect(out.hasSuffix("exit: 0\n"), "\(out)")
    }

    @Test("stages() and last_stage() read what the stages measured; check() records and prints outcomes")
    func stagesAndChecks() {
      let out = Self.run("""
        sft m on data { steps: 2, batch: 2, eval: data }
        let s = last_stage("sft")
        print(s.stage, s.target, len(stages()))
        check(s.metrics.format_rate >= 0, "a rate is a number")
        check(s.metrics.steps == 3, "two steps are not three")
        last_stage("dpo")
        """)
      #expect(out.contains("sft m 2\n"), "pretrain and sft: \(out)")
      #expect(out.contains("✓ a rate is a number\n✗ two steps are not three\n"), "\(out)")
      #expect(out.contains("no dpo stage has run in this session (so far: pretrain, sft)"), "\(out)")
    }

    @Test("ppo step_by_step shows the batch token by token and waits; q stops the run there")
    func ppoStepByStep() {
      let script = """
        fn longer(prompt, answer) {
          return len(answer) / 10
        }
        ppo m with longer on data { steps: 3, batch: 2, tokens: 6, step_by_step: true }
        """
      let waited = Self.run(script, answers: ["", "q"])
      #expect(waited.contains("── step 1 of 3: 2 answers"), "\(waited)")
      #expect(waited.contains("advantage"), "\(waited)")
      #expect(waited.contains("k1"), "\(waited)")
      #expect(waited.components(separatedBy: "Enter: next step").count == 3, "waited after steps 1 and 2: \(waited)")
      #expect(!waited.contains("── step 3 of 3"), "q after step 2 stops before step 3: \(waited)")
      #expect(waited.hasSuffix("exit: 0\n"))
      let piped = Self.run(script)
      #expect(piped.contains("without waiting"), "\(piped)")
      #expect(piped.contains("── step 3 of 3"), "\(piped)")
    }
  }
}
