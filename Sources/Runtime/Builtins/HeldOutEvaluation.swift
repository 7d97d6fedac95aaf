import Foundation
import Models
import TensorEngine
import Training

/// The held-out evaluation every alignment stage runs before and after training, with a
/// memory: the main job evaluates the fine-tuned model four times (after SFT, and before
/// PPO, DPO and GRPO), on the same prompts with the same seeds. A model's weights, the
/// prompts, the seed and the sample count decide the answers, so an evaluation of the same
/// weights is looked up instead of sampled again.
extension Interpreter {
  /// The sampling seed of a stage's evaluations: the stage's `seed` option picks it, so that
  /// another run seed draws other answers, and every stage of one run draws the same ones.
  static func evaluationSeed(stageSeed: UInt64) -> UInt64 { 1234 &+ stageSeed &* 7919 }

  func heldOutEvaluation(model: GPTModel, tokenizer: Tokenizer, prompts: [String], seed: UInt64) throws -> ChatEvaluation {
    let key = "\(Self.fingerprint(model))|\(tokenizer.vocabularySize)|\(seed)|\(ChatEvaluation.samplesPerPrompt)|" + prompts.joined(separator: "\u{1}")
    if let known = evaluationCache.first(where: { $0.key == key }) { return known.value }
    let evaluation = try modelCall {
      try ChatEvaluation.run(model: model, tokenizer: tokenizer, prompts: prompts, seed: Self.evaluationSeed(stageSeed: seed))
    }
    evaluationCache.append((key, evaluation))
    if evaluationCache.count > 8 { evaluationCache.removeFirst() }
    return evaluation
  }

  /// FNV-1a over every parameter's name, shape and bits: equal for equal weights.
  static func fingerprint(_ model: GPTModel) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    func mix(_ x: UInt64) { h = (h ^ x) &* 0x100_0000_01b3 }
    for (name, tensor) in model.parameters {
      for b in name.utf8 { mix(UInt64(b)) }
      for d in tensor.shape { mix(UInt64(d)) }
      for v in tensor.toArray() { mix(UInt64(v.bitPattern)) }
    }
    return String(h, radix: 16)
  }
}
