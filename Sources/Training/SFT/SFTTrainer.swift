import Foundation
import Models
import TensorEngine

public struct SFTOptions: Sendable {
  public var steps = 200
  public var batch = 8
  public var learningRate: Float = 1e-3
  public var warmup = 10
  public var weightDecay: Float = 0
  public var clip: Float = 1
  public var seed: UInt64 = 0
  public init() {}
}

public struct SFTReport: Sendable {
  public var steps: Int
  public var trainLoss: Float
  public var seconds: Double
  public var curve: [(Int, Float)]
  public var stoppedEarly: String?
  public var trainedParameters: Int
}

/// Supervised fine-tuning: next-token cross-entropy on the trained (assistant) positions
/// only. Through LoRA when the model has adapters (only they are updated), else full.
public struct SFTTrainer {
  public let model: GPTModel
  public let data: SFTData
  public let options: SFTOptions

  public init(model: GPTModel, data: SFTData, options: SFTOptions) throws {
    guard data.context <= model.config.context else {
      throw ModelError("sft: rows of \(data.context) tokens do not fit the model's context of \(model.config.context)")
    }
    self.model = model
    self.data = data
    self.options = options
  }

  public func run(onStep: (Int, Float) -> Void, shouldStop: () -> Bool) throws -> SFTReport {
    let parameters = try PolicyWeights.trainable(model)
    let optimizer = try AdamW(parameters: parameters, learningRate: options.learningRate, beta1: 0.9, beta2: 0.95, weightDecay: options.weightDecay)
    let schedule = try LearningRateSchedule(peak: options.learningRate, warmupSteps: options.warmup, totalSteps: options.steps, decay: .cosine, floor: options.learningRate * 0.1)
    let start = Date()
    var curve: [(Int, Float)] = []
    var stopped: String? = nil
    var step = 0
    while step < options.steps {
      if shouldStop() { stopped = "interrupted at step \(step)"; break }
      let (x, y) = try data.batch(options.batch, step: step, seed: options.seed)
      Random.seed(options.seed &+ 0x5F7 &+ UInt64(step))
      optimizer.learningRate = schedule.rate(at: step)
      optimizer.zeroGrad()
      let logits = try model.forward(x, training: true)
      let loss = try Tensor.crossEntropy(logits: logits, targets: y)
      let outcome = try OptimizerUpdate.apply(loss, optimizer: optimizer, clip: options.clip, step: step)
      guard case .applied(let value, _) = outcome else {
        stopped = outcome.divergence
        break
      }
      step += 1
      curve.append((step, value))
      onStep(step, value)
    }
    let recent = curve.suffix(10).map(\.1)
    return SFTReport(
      steps: step, trainLoss: recent.isEmpty ? .nan : recent.reduce(0, +) / Float(recent.count), seconds: Date().timeIntervalSince(start),
      curve: curve, stoppedEarly: stopped, trainedParameters: parameters.reduce(0) { $0 + $1.count })
  }
}
