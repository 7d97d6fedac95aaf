import Foundation
import TensorEngine

/// Tokenized text cut into training windows: documents are encoded, joined with the
/// end-of-text token (packing), split into training and validation documents by a seeded
/// shuffle, and served as batches of `[batch, context]` inputs with the next tokens as
/// targets.
public final class TokenDataset: @unchecked Sendable {
  public let name: String
  public let tokenizer: Tokenizer
  public let context: Int
  public let train: [Int32]
  public let validation: [Int32]
  public let trainDocuments: Int
  public let validationDocuments: Int
  private var generator: RandomGenerator

  public init(corpus: Corpus, tokenizer: Tokenizer, context: Int, split: Double = 0.9, seed: UInt64 = 0) throws {
    guard context >= 1 else { throw ModelError("dataset: context must be at least 1") }
    guard split > 0 && split <= 1 else { throw ModelError("dataset: split must be in (0, 1], the share of documents used for training") }
    guard !corpus.documents.isEmpty else { throw ModelError("dataset: the corpus \(corpus.name) has no documents") }
    self.name = corpus.name
    self.tokenizer = tokenizer
    self.context = context
    var order = Array(corpus.documents.indices)
    var rng = RandomGenerator(seed: seed)
    rng.shuffle(&order)
    let n = corpus.documents.count
    let trainCount = split >= 1 || n == 1 ? n : Swift.max(1, Swift.min(n - 1, Int((Double(n) * split).rounded())))
    let eot = tokenizer.specialTokens[SpecialTokens.endOfText]
    func pack(_ docs: ArraySlice<Int>) -> [Int32] {
      var ids: [Int32] = []
      for d in docs {
        ids += tokenizer.encode(corpus.documents[d]).map(Int32.init)
        if let eot { ids.append(Int32(eot)) }
      }
      return ids
    }
    var trainIds = pack(order[0..<trainCount])
    var validationIds = split < 1 ? pack(order[trainCount...]) : []
    if corpus.documents.count == 1 && split < 1 {
      // One long document: split its tokens instead.
      let all = trainIds
      let cut = Int(Double(all.count) * split)
      trainIds = Array(all[..<cut])
      validationIds = Array(all[cut...])
    }
    guard trainIds.count > context else {
      throw ModelError("dataset: \(trainIds.count) training tokens are too few for a context of \(context)")
    }
    self.train = trainIds
    self.validation = validationIds
    self.trainDocuments = trainCount
    self.validationDocuments = corpus.documents.count - trainCount
    self.generator = RandomGenerator(seed: seed &+ 1)
  }

  /// A random batch of windows from one split: inputs and targets (inputs shifted by one).
  public func batch(_ size: Int, validation useValidation: Bool = false) throws -> (inputs: Tensor, targets: Tensor) {
    try batch(size, validation: useValidation, using: &generator)
  }

  /// The batch for a given training step: the same step and seed always give the same
  /// windows, so a run resumed at step s sees exactly the batches an uninterrupted run would.
  public func batch(_ size: Int, step: Int, seed: UInt64) throws -> (inputs: Tensor, targets: Tensor) {
    var rng = RandomGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(step))
    return try batch(size, validation: false, using: &rng)
  }

  func batch(_ size: Int, validation useValidation: Bool, using generator: inout RandomGenerator) throws -> (inputs: Tensor, targets: Tensor) {
    let source = useValidation ? validation : train
    guard source.count > context else {
      throw ModelError("dataset: the \(useValidation ? "validation" : "training") split has \(source.count) tokens, too few for a context of \(context)")
    }
    var x = [Float](repeating: 0, count: size * context)
    var y = x
    for b in 0..<size {
      let start = generator.nextInt(below: source.count - context)
      for t in 0..<context {
        x[b * context + t] = Float(source[start + t])
        y[b * context + t] = Float(source[start + t + 1])
      }
    }
    return (try Tensor(shape: [size, context], values: x), try Tensor(shape: [size, context], values: y))
  }

  /// Consecutive, non-overlapping validation windows (the same ones every time), for a
  /// loss that can be compared between evaluations.
  public func validationWindows(limit: Int) throws -> [(inputs: Tensor, targets: Tensor)] {
    var windows: [(Tensor, Tensor)] = []
    var start = 0
    let source = validation.isEmpty ? train : validation
    while start + context < source.count && windows.count < limit {
      let x = source[start..<(start + context)].map(Float.init)
      let y = source[(start + 1)...(start + context)].map(Float.init)
      windows.append((try Tensor(shape: [1, context], values: x), try Tensor(shape: [1, context], values: y)))
      start += context
    }
    return windows
  }

  /// Cross-entropy (nats per token) of predicting the validation tokens from the training
  /// tokens' frequencies alone: what a model knows without looking at any context.
  public var unigramValidationLoss: Double {
    let vocab = tokenizer.vocabularySize
    var counts = [Double](repeating: 1, count: vocab)  // add-one smoothing
    for id in train where Int(id) < vocab { counts[Int(id)] += 1 }
    let total = counts.reduce(0, +)
    let source = validation.isEmpty ? train : validation
    var nll = 0.0
    for id in source where Int(id) < vocab { nll -= Foundation.log(counts[Int(id)] / total) }
    return nll / Double(Swift.max(source.count, 1))
  }

  /// Characters per token in the validation split, to turn nats per token into bits per character.
  public var validationCharactersPerToken: Double {
    let source = validation.isEmpty ? train : validation
    // Special tokens (the end of text between documents) are not characters of the text.
    let specials = Set(tokenizer.specialTokens.values)
    let window = source.prefix(20_000).map(Int.init)
    let text = tokenizer.decode(window.filter { !specials.contains($0) })
    return Double(text.count) / Double(Swift.max(1, window.count))
  }
}
