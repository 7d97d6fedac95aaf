import Testing
import TensorEngine
@testable import Models

@Suite("LoRA adapters", .serialized)
struct LoRATests {
  static func model(llama: Bool) throws -> GPTModel {
    var c = GPTConfig()
    c.layers = 2; c.dim = 16; c.heads = 2; c.context = 8; c.vocabulary = 20
    if llama { c.positions = .rotary; c.normalization = .rms; c.mlp = .swiglu; c.bias = false }
    Random.seed(5)
    return try GPTModel(config: c)
  }

  static let ids = try! Tensor(shape: [2, 6], values: [1, 5, 7, 2, 9, 3, 4, 4, 0, 19, 11, 2])

  static func logits(_ m: GPTModel) throws -> [Float] {
    try GradMode.withoutGradients { try m.forward(ids).toArray() }
  }

  /// Gives every adapter a nonzero B, as training would.
  static func perturb(_ m: GPTModel) throws {
    for adapter in m.adapters.values {
      let noise = try Tensor.randn(adapter.b.shape).toArray()
      for (i, v) in noise.enumerated() { adapter.b.storage.base[i] = 0.1 * v }
    }
  }

  @Test("a fresh adapter changes nothing (B starts at zero)", arguments: [false, true])
  func freshIsIdentity(llama: Bool) throws {
    let m = try Self.model(llama: llama)
    let base = try Self.logits(m)
    try m.addLoRA(rank: 2, alpha: 4, targets: ["attn", "mlp"])
    #expect(try Self.logits(m) == base)
  }

  @Test("merged model = base + adapter: the same logits; unmerge restores the base", arguments: [false, true])
  func mergeEquivalence(llama: Bool) throws {
    let m = try Self.model(llama: llama)
    let base = try Self.logits(m)
    let adapted = try m.addLoRA(rank: 2, alpha: 4, targets: ["attn", "mlp"])
    #expect(adapted.count == (llama ? 2 * 7 : 2 * 4))
    try Self.perturb(m)
    let withAdapters = try Self.logits(m)
    #expect(zip(withAdapters, base).contains { abs($0 - $1) > 1e-3 }, "the perturbed adapter must change the output")
    try m.mergeAdapters()
    let merged = try Self.logits(m)
    for (a, b) in zip(merged, withAdapters) { #expect(abs(a - b) < 1e-4) }
    try m.unmergeAdapters()
    m.removeAdapters()
    for (a, b) in zip(try Self.logits(m), base) { #expect(abs(a - b) < 1e-4) }
  }

  @Test("training through LoRA updates only the adapters")
  func onlyAdaptersTrain() throws {
    let m = try Self.model(llama: false)
    try m.addLoRA(rank: 2, alpha: 4, targets: ["c_attn"])
    #expect(m.adapters.count == 2)
    let before = m.parameters.map { $0.tensor.toArray() }
    let optimizer = try AdamW(parameters: m.adapterParameters, learningRate: 1e-2, weightDecay: 0)
    for _ in 0..<3 {
      optimizer.zeroGrad()
      let loss = try m.loss(ids: Self.ids, targets: Self.ids)
      try loss.backward()
      try optimizer.step()
    }
    #expect(m.parameters.allSatisfy { $0.tensor.grad == nil })
    #expect(zip(m.parameters, before).allSatisfy { $0.0.tensor.toArray() == $0.1 })
    #expect(m.adapters.values.contains { $0.b.toArray().contains { $0 != 0 } })
  }

  @Test("adapters save in PEFT's layout")
  func peftFiles() throws {
    let m = try Self.model(llama: true)
    try m.addLoRA(rank: 2, alpha: 8, targets: ["q_proj", "v_proj"])
    let dir = FileManagerTemp.directory("lora")
    try m.saveAdapters(to: dir)
    let file = try SafeTensorsFile(contentsOf: dir + "/adapter_model.safetensors")
    #expect(file.names.contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"))
    #expect(file["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"]?.shape == [2, 16])
    #expect(file["base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight"]?.shape == [16, 2])
  }
}

import Foundation
enum FileManagerTemp {
  static func directory(_ name: String) -> String {
    let path = NSTemporaryDirectory() + "llmlab-\(name)-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }
}
