import Models
import TensorEngine

/// One training row of `context` positions: input ids and the label at each position (the
/// next token where trained, -100 where masked). Padding positions have input -1.
public struct SFTRow: Sendable {
  public var inputs: [Int]
  public var labels: [Int]
}

/// Fine-tuning examples packed into fixed-length rows. Several short conversations share a
/// row (packing), each starting fresh after the previous one's end; a conversation longer
/// than the context is cut.
public struct SFTData: Sendable {
  public let rows: [SFTRow]
  public let context: Int
  public let report: MaskReport
  public let padId: Int

  public init(examples: [SFTExample], context: Int, tokenizer: Tokenizer, pack: Bool = true) throws {
    guard !examples.isEmpty else { throw ModelError("sft: no examples") }
    guard let end = tokenizer.specialTokens[SpecialTokens.endOfTurn] else {
      throw ModelError("sft: the tokenizer has no \(SpecialTokens.endOfTurn) token")
    }
    let pad = tokenizer.specialTokens[SpecialTokens.endOfText] ?? end
    self.context = context
    self.padId = pad
    var rows: [SFTRow] = []
    var inputs: [Int] = [], labels: [Int] = []
    var truncated = 0
    func flush() {
      guard !inputs.isEmpty else { return }
      let n = inputs.count
      rows.append(SFTRow(inputs: inputs + Array(repeating: -1, count: context - n), labels: labels + Array(repeating: -100, count: context - n)))
      inputs = []; labels = []
    }
    for ex in examples {
      // Position t predicts token t+1: the label of t is ids[t+1] when that token is trained.
      var ids = ex.ids, trained = ex.trained
      if ids.count > context + 1 {
        truncated += 1
        ids = Array(ids.prefix(context + 1)); trained = Array(trained.prefix(context + 1))
      }
      let exInputs = Array(ids.dropLast())
      let exLabels = (0..<exInputs.count).map { trained[$0 + 1] ? ids[$0 + 1] : -100 }
      if !pack || inputs.count + exInputs.count > context { flush() }
      inputs += exInputs
      labels += exLabels
    }
    flush()
    self.rows = rows
    self.report = try MaskCheck.check(rows, examples: examples.count, truncated: truncated, endOfTurn: end)
  }

  /// A batch of rows as tensors: inputs (padding replaced by the pad token) and labels.
  public func batch(_ size: Int, step: Int, seed: UInt64) throws -> (inputs: Tensor, labels: Tensor) {
    var rng = RandomGenerator(seed: seed &* 0x2545_F491_4F6C_DD1D &+ UInt64(step))
    var x: [Float] = [], y: [Float] = []
    for _ in 0..<size {
      let row = rows[rng.nextInt(below: rows.count)]
      x += row.inputs.map { Float($0 < 0 ? padId : $0) }
      y += row.labels.map(Float.init)
    }
    return (try Tensor(shape: [size, context], values: x), try Tensor(shape: [size, context], values: y))
  }
}
