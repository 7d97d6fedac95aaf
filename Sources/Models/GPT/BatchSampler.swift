import TensorEngine

extension Sampler {
  /// One answer per prompt, all decoded together: the prompts given may repeat (several
  /// answers to one prompt, as GRPO's groups), and each answer draws from its own seed.
  ///
  /// Each distinct prompt runs once through the general forward pass; its KV cache then
  /// starts every row that answers it, and the rows advance together through one
  /// `GPTModel.Decoder`, so each token reads the weights once for the whole batch. A row
  /// that stops (a stop token or string, its token limit, a full context) is carried along
  /// without advancing. Models the decoder cannot run are sampled one prompt at a time.
  ///
  /// At most `rows` answers decode at once, and fewer when their KV caches (each row holds
  /// one of the whole context) would pass `Sampler.batchCacheBytes`. Returns nil when
  /// `shouldStop` (polled between tokens) asks to stop.
  public func generate(
    prompts: [String], seeds: [UInt64], options: SamplingOptions, rows: Int = 64, shouldStop: () -> Bool = { false }
  ) throws -> [Result]? {
    guard prompts.count == seeds.count else { throw ModelError("sample: \(prompts.count) prompts but \(seeds.count) seeds") }
    let size = Sampler.rowsPerBatch(model.config, requested: rows)
    var results: [Result] = []
    var interrupted = false
    for start in stride(from: 0, to: prompts.count, by: size) where !interrupted {
      let end = Swift.min(start + size, prompts.count)
      results += try generateTogether(Array(prompts[start..<end]), Array(seeds[start..<end]), options, shouldStop, &interrupted)
    }
    return interrupted ? nil : results
  }

  private func generateTogether(
    _ prompts: [String], _ seeds: [UInt64], _ options: SamplingOptions, _ shouldStop: () -> Bool, _ interrupted: inout Bool
  ) throws -> [Result] {
    guard !prompts.isEmpty else { return [] }
    guard let decoder = GPTModel.Decoder(model: model, rows: prompts.count) else {
      var results: [Result] = []
      for (prompt, seed) in zip(prompts, seeds) {
        if shouldStop() {
          interrupted = true
          return []
        }
        var o = options
        o.seed = seed
        results.append(try generate(prompt: prompt, options: o, shouldStop: shouldStop))
      }
      return results
    }
    let context = model.config.context
    var rows = try prompts.map { Row(prompt: try promptTokens($0, context: context)) }
    for i in rows.indices { rows[i].rng = RandomGenerator(seed: seeds[i]) }

    // Each distinct prompt once: its cache and logits start each of its rows.
    var firstLogits: [[Float]] = Array(repeating: [], count: rows.count)
    for (prompt, members) in Dictionary(grouping: rows.indices, by: { rows[$0].prompt }) {
      let cache = GPTModel.KVCache(layers: model.config.layers)
      let logits = try GradMode.withoutGradients { try lastLogits(model.forward(ids: prompt, cache: cache)) }
      for r in members {
        try decoder.start(after: cache, row: r)
        firstLogits[r] = logits
      }
    }
    var next = Array(repeating: -1, count: rows.count)
    for step in 0..<options.maxTokens {
      if shouldStop() {
        interrupted = true
        break
      }
      for r in rows.indices where !rows[r].done {
        let token =
          step == 0
          ? firstLogits[r].withUnsafeBufferPointer { choose($0, row: &rows[r], options: options) }
          : decoder.withLogits(row: r) { choose($0, row: &rows[r], options: options) }
        next[r] = advance(&rows[r], token: token, options: options, filled: decoder.lengths[r], context: context) ? token : -1
      }
      if rows.allSatisfy(\.done) { break }
      try decoder.feed(next)
    }
    if interrupted { return [] }
    return rows.map { row in
      var row = row
      row.text += row.decoder.finish()
      return Result(text: row.text, tokens: row.generated, stoppedBy: row.stoppedBy, stopToken: row.stopToken)
    }
  }

  /// The memory the rows' KV caches of one batch may take together: 64 rows of the main
  /// job's model take 16 MB, while a row of GPT-2 small (12 layers, dim 768, context 1024)
  /// takes 75 MB, so that model decodes 3 rows at a time.
  public static let batchCacheBytes = 256 << 20

  /// How many rows of `config`'s model decode together: `requested`, fewer when their KV
  /// caches would pass `batchCacheBytes`, and at least one.
  public static func rowsPerBatch(_ config: GPTConfig, requested: Int) -> Int {
    let rowBytes = 2 * config.layers * config.context * config.dim * MemoryLayout<Float>.size
    return Swift.max(1, Swift.min(requested, batchCacheBytes / Swift.max(rowBytes, 1)))
  }

  /// One answer's state while the batch decodes.
  struct Row {
    var prompt: [Int]
    var rng = RandomGenerator(seed: 0)
    var generated: [Int] = []
    var decoder = UTF8StreamDecoder()
    var text = ""
    var stoppedBy = "max tokens"
    var stopToken: Int? = nil
    var done = false
  }

  /// The prompt's tokens as `generate(prompt:)` feeds them: the end-of-text token for an
  /// empty one, the last `context` tokens of a long one.
  func promptTokens(_ prompt: String, context: Int) throws -> [Int] {
    var ids = tokenizer.encode(prompt)
    if ids.isEmpty, let eot = tokenizer.specialTokens[SpecialTokens.endOfText] { ids = [eot] }
    guard !ids.isEmpty else { throw ModelError("sample: empty prompt and no end-of-text token to start from") }
    return ids.count > context ? Array(ids.suffix(context)) : ids
  }

  /// The next token from `logits`, drawn in one pass over them when no cut applies.
  func choose(_ logits: UnsafeBufferPointer<Float>, row: inout Row, options: SamplingOptions) -> Int {
    if options.repetitionPenalty == 1, Sampler.drawsFromWholeVocabulary(options, vocabulary: logits.count) {
      return Sampler.draw(logits, temperature: options.temperature, rng: &row.rng)
    }
    return pick(Array(logits), history: row.prompt + row.generated, options: options, rng: &row.rng)
  }

  /// Takes `token` into the row; false when the row has stopped (then it is not fed).
  func advance(_ row: inout Row, token: Int, options: SamplingOptions, filled: Int, context: Int) -> Bool {
    if options.stopTokens.contains(token) {
      row.stoppedBy = "stop token"
      row.stopToken = token
      row.done = true
      return false
    }
    row.generated.append(token)
    row.text += piece(token, decoder: &row.decoder)
    if let s = options.stop.first(where: { row.text.hasSuffix($0) }) {
      row.text.removeLast(s.count)
      row.stoppedBy = "stop \"\(s)\""
      row.done = true
      return false
    }
    // A full context is named before the token limit, as `generate(prompt:)` names it.
    if filled >= context {
      row.stoppedBy = "context full"
      row.done = true
      return false
    }
    if row.generated.count >= options.maxTokens {
      row.done = true
      return false
    }
    return true
  }
}
