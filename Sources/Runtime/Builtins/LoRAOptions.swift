import Models

/// LoRA from the language: one reader for the `{ rank, alpha, dropout, targets }` record that
/// `m.lora(...)`, and the `lora:` option of `sft`, `dpo` and `ppo` all take.
extension Interpreter {
  static let loraKeys = ["rank", "alpha", "dropout", "targets"]

  /// Attaches fresh adapters to the model as the record describes (rank 8, alpha 2·rank,
  /// dropout 0, targets ["attn"] unless given) and says what it did.
  func attachLoRA(_ value: Value, to modelObject: ModelObject, op: String) throws {
    guard case .record(let r) = value else {
      throw RuntimeError("\(op): lora must be a record, e.g. lora: { rank: 8, alpha: 16, targets: [\"attn\", \"mlp\"] }")
    }
    if let unknown = r.keys.first(where: { !Self.loraKeys.contains($0) }) {
      throw RuntimeError("\(op): lora has no option `\(unknown)`", hint: Suggestions.hint(for: unknown, in: Self.loraKeys) ?? "lora takes rank, alpha, dropout, targets")
    }
    func number(_ key: String, _ d: Double) throws -> Double {
      guard let v = r[key] else { return d }
      guard case .number(let x) = v else { throw RuntimeError("\(op): lora \(key) must be a number, got \(Display.describeType(v))") }
      return x
    }
    let rank = try number("rank", 8)
    guard rank >= 1, rank == rank.rounded() else { throw RuntimeError("\(op): lora rank must be a whole number ≥ 1, got \(Display.number(rank))") }
    let alpha = try number("alpha", 2 * rank)
    let dropout = try number("dropout", 0)
    guard (0..<1).contains(dropout) else { throw RuntimeError("\(op): lora dropout must be in [0, 1), got \(Display.number(dropout))") }
    var targets = ["attn"]
    if let v = r["targets"] {
      guard case .list(let items) = v else { throw RuntimeError("\(op): lora targets must be a list such as [\"attn\", \"mlp\"]") }
      targets = try items.map { item in
        guard case .string(let s) = item else { throw RuntimeError("\(op): lora targets must be strings, got \(Display.describeType(item))") }
        return s
      }
    }
    let model = modelObject.model
    if !model.adapters.isEmpty {
      throw RuntimeError(
        "\(op): the model has LoRA adapters already (\(model.adapters.count)); train them as they are (leave out lora:), or fold them in with m.merge() and m.remove_adapters() first")
    }
    let adapted = try modelCall { try model.addLoRA(rank: Int(rank), alpha: Float(alpha), dropout: Float(dropout), targets: targets) }
    let trainable = model.adapterParameters.reduce(0) { $0 + $1.count }
    output("LoRA: rank \(Int(rank)), alpha \(Display.number(alpha)) on \(Display.plural(adapted.count, "projection")); \(Display.count(trainable)) trainable values (\(String(format: "%.2f", 100 * Double(trainable) / Double(model.parameterCount)))% of \(Display.count(model.parameterCount))), base frozen")
  }

  /// After training: `merge: true` folds the trained adapters into the weights.
  func mergeLoRAIfAsked(_ options: Record, _ modelObject: ModelObject) throws {
    guard case .bool(true)? = options["merge"], !modelObject.model.adapters.isEmpty else { return }
    try modelCall { try modelObject.model.mergeAdapters() }
    output("merged the adapters into the weights")
  }
}
