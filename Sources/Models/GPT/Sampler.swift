import Foundation
import TensorEngine

/// How to pick each next token.
public struct SamplingOptions: Sendable {
  public var maxTokens = 64
  /// 0 means greedy (always the most likely token).
  public var temperature: Float = 1
  /// Keep only the k most likely tokens (0: all).
  public var topK = 0
  /// Keep the smallest set of tokens whose probabilities add up to p (1: all).
  public var topP: Float = 1
  /// Divides the logit of every token already generated (CTRL's penalty; 1: none).
  public var repetitionPenalty: Float = 1
  /// Generation stops when the text ends with one of these (not included in the result).
  public var stop: [String] = []
  /// Stop at these token ids too (end of text, end of turn).
  public var stopTokens: Set<Int> = []
  public var seed: UInt64? = nil

  public init() {}
}

/// Autoregressive sampling with a KV cache: the prompt is run once, then each new token
/// costs one position's forward pass.
public struct Sampler {
  public let model: GPTModel
  public let tokenizer: Tokenizer

  public init(model: GPTModel, tokenizer: Tokenizer) {
    self.model = model
    self.tokenizer = tokenizer
  }

  public struct Result: Sendable {
    public var text: String
    public var tokens: [Int]
    public var stoppedBy: String
    /// The stop token that ended generation, if one did.
    public var stopToken: Int? = nil
  }

  /// Generates a continuation of `prompt`; `onText` receives the text as it is produced
  /// (whole characters only). `shouldStop` is polled between tokens (Ctrl-C).
  public func generate(
    prompt: String, options: SamplingOptions, onText: (String) -> Void = { _ in }, shouldStop: () -> Bool = { false }
  ) throws -> Result {
    var ids = tokenizer.encode(prompt)
    if ids.isEmpty, let eot = tokenizer.specialTokens[SpecialTokens.endOfText] { ids = [eot] }
    guard !ids.isEmpty else { throw ModelError("sample: empty prompt and no end-of-text token to start from") }
    let context = model.config.context
    if ids.count > context { ids = Array(ids.suffix(context)) }
    var rng = options.seed.map { RandomGenerator(seed: $0) } ?? Random.using { RandomGenerator(seed: $0.next()) }
    let cache = GPTModel.KVCache(layers: model.config.layers)
    var generated: [Int] = []
    var decoder = UTF8StreamDecoder()
    var text = ""
    var stoppedBy = "max tokens"
    var stopToken: Int? = nil
    // The prompt runs through the general forward pass, which fills the KV cache; GPT-2-shaped
    // models then continue token by token through the allocation-free decoder.
    let fast = GPTModel.Decoder(model: model)
    func logitsAfter(_ tokens: [Int]) throws -> [Float] {
      guard let fast, fast.length > 0 || cache.length > 0 else { return try lastLogits(model.forward(ids: tokens, cache: cache)) }
      if fast.length == 0 { try fast.start(after: cache) }
      for token in tokens { try fast.feed(token) }
      return fast.withLogits { Array($0) }
    }
    func filled() -> Int { Swift.max(fast?.length ?? 0, cache.length) }
    try GradMode.withoutGradients {
      var logits = try logitsAfter(ids)
      for _ in 0..<options.maxTokens {
        if shouldStop() { stoppedBy = "interrupted"; break }
        let next = pick(logits, history: ids + generated, options: options, rng: &rng)
        if options.stopTokens.contains(next) {
          stoppedBy = "stop token"
          stopToken = next
          break
        }
        generated.append(next)
        let piece = self.piece(next, decoder: &decoder)
        text += piece
        if let s = options.stop.first(where: { text.hasSuffix($0) }) {
          text.removeLast(s.count)
          stoppedBy = "stop \"\(s)\""
          break
        }
        onText(piece)
        if filled() >= context { stoppedBy = "context full"; break }
        logits = try logitsAfter([next])
      }
    }
    let tail = decoder.finish()
    text += tail
    if !tail.isEmpty { onText(tail) }
    return Result(text: text, tokens: generated, stoppedBy: stoppedBy, stopToken: stopToken)
  }

  /// The text a new token adds: its bytes once they make whole characters, or a special
  /// token's name.
  func piece(_ token: Int, decoder: inout UTF8StreamDecoder) -> String {
    if let special = tokenizer.specialTokens.first(where: { $0.value == token })?.key {
      return decoder.finish() + special
    }
    return decoder.push(tokenBytes(token))
  }

  func tokenBytes(_ id: Int) -> [UInt8] {
    if let bpe = tokenizer as? BPETokenizer { return bpe.bytes(of: id) }
    return Array(tokenizer.decode([id]).utf8)
  }

  func lastLogits(_ logits: Tensor) throws -> [Float] {
    try logits.selected(axis: 0, index: 0).selected(axis: 0, index: logits.shape[1] - 1).toArray()
  }

  /// Applies the repetition penalty, temperature, top-k and top-p, then draws.
  func pick(_ logits: [Float], history: [Int], options: SamplingOptions, rng: inout RandomGenerator) -> Int {
    var l = logits
    if options.repetitionPenalty != 1 {
      for id in Set(history) where id < l.count {
        l[id] = l[id] > 0 ? l[id] / options.repetitionPenalty : l[id] * options.repetitionPenalty
      }
    }
    if options.temperature <= 0 {
      return l.indices.max { l[$0] < l[$1] } ?? 0
    }
    // The whole vocabulary with no cut: one pass, no sort (sorting thousands of logits per
    // token used to take half of sampling's time).
    if Sampler.drawsFromWholeVocabulary(options, vocabulary: l.count) {
      return l.withUnsafeBufferPointer { Sampler.draw($0, temperature: options.temperature, rng: &rng) }
    }
    var order = options.topK > 0 ? Sampler.topIndices(l, options.topK) : l.indices.sorted { l[$0] > l[$1] }
    let maxLogit = l[order[0]]
    var probs = order.map { Double(Foundation.exp((l[$0] - maxLogit) / options.temperature)) }
    let total = probs.reduce(0, +)
    probs = probs.map { $0 / total }
    if options.topP < 1 {
      var cumulative = 0.0
      var keep = 0
      for p in probs {
        cumulative += p
        keep += 1
        if cumulative >= Double(options.topP) { break }
      }
      order = Array(order.prefix(keep))
      probs = Array(probs.prefix(keep))
    }
    let sum = probs.reduce(0, +)
    var u = Double(rng.nextUniform()) * sum
    for (i, p) in probs.enumerated() {
      u -= p
      if u <= 0 { return order[i] }
    }
    return order[order.count - 1]
  }

  /// Whether a token is drawn from the whole (tempered) vocabulary: a temperature, and no
  /// top-k or top-p cut.
  static func drawsFromWholeVocabulary(_ options: SamplingOptions, vocabulary: Int) -> Bool {
    options.temperature > 0 && (options.topK <= 0 || options.topK >= vocabulary) && options.topP >= 1
  }

  /// The indices of the k largest values, largest first, ties in index order: what a stable
  /// sort's first k would be, found by insertion into a k-long list in one pass.
  static func topIndices(_ values: [Float], _ k: Int) -> [Int] {
    var top: [Int] = []
    top.reserveCapacity(k + 1)
    for i in values.indices {
      let v = values[i]
      if top.count == k, let last = top.last, !(v > values[last]) { continue }
      var at = top.count
      while at > 0, v > values[top[at - 1]] { at -= 1 }
      top.insert(i, at: at)
      if top.count > k { top.removeLast() }
    }
    return top
  }
}

extension Sampler {
  /// A token drawn from softmax(logits / temperature) over the whole vocabulary, by one
  /// uniform number against the running sum in token order (what `torch.multinomial` does):
  /// no sort and no allocation, two passes over the logits.
  public static func draw(_ logits: UnsafeBufferPointer<Float>, temperature: Float, rng: inout RandomGenerator) -> Int {
    guard let first = logits.first else { return 0 }
    var maxLogit = first
    for x in logits where x > maxLogit { maxLogit = x }
    let scale = 1 / temperature
    var total = 0.0
    for x in logits { total += Double(Foundation.exp((x - maxLogit) * scale)) }
    var u = Double(rng.nextUniform()) * total
    for (i, x) in logits.enumerated() {
      u -= Double(Foundation.exp((x - maxLogit) * scale))
      if u <= 0 { return i }
    }
    // Rounding can leave u a hair above 0: the last token with any probability.
    return logits.lastIndex { $0 > -.infinity } ?? logits.count - 1
  }
}

extension GPTModel {
  func forward(ids: [Int], cache: KVCache) throws -> Tensor {
    try forward(Tensor(shape: [1, ids.count], values: ids.map(Float.init)), cache: cache)
  }
}
