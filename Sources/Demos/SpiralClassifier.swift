import Foundation
import TensorEngine

/// The engine demo: a two-layer MLP learns to separate three interleaved spirals.
///
/// A linear classifier cannot do it (the classes wind around each other), so the falling
/// loss and the final accuracy show the hidden layer, autograd and AdamW working together.
public struct SpiralClassifier {
  public struct Report: Sendable {
    public var initialLoss: Float
    public var finalLoss: Float
    public var accuracy: Float
    /// Accuracy on points drawn separately from the training points (same spirals, new noise).
    public var heldOutAccuracy: Float
    public var seconds: Double
  }

  public var pointsPerClass = 100
  public var classes = 3
  public var hidden = 64
  public var steps = 500
  public var learningRate: Float = 0.01
  public var seed: UInt64 = 7

  public init() {}

  /// Points on `classes` spiral arms with a little noise, and their labels.
  func makeData() throws -> (x: Tensor, y: Tensor) {
    var xs: [Float] = [], ys: [Float] = []
    let noise = try Tensor.randn([pointsPerClass * classes], std: 0.2).toArray()
    for c in 0..<classes {
      for i in 0..<pointsPerClass {
        let r = Float(i) / Float(pointsPerClass)
        let theta = Float(c) * 4 + r * 4 + noise[c * pointsPerClass + i]
        xs += [r * sin(theta), r * cos(theta)]
        ys.append(Float(c))
      }
    }
    return (try Tensor(shape: [classes * pointsPerClass, 2], values: xs), Tensor(ys))
  }

  /// Trains, printing the loss as it falls, and returns what it measured.
  public func run(log: (String) -> Void) throws -> Report {
    Random.seed(seed)
    let start = Date()
    let (x, y) = try makeData()
    let (testX, testY) = try makeData()
    // He initialization for the ReLU layer, small weights for the output layer.
    let w1 = try (Tensor.randn([2, hidden]) * Foundation.sqrt(2 / 2)).requiringGrad(name: "w1")
    let b1 = Tensor.zeros([hidden]).requiringGrad(name: "b1")
    let w2 = try (Tensor.randn([hidden, classes]) * 0.01).requiringGrad(name: "w2")
    let b2 = Tensor.zeros([classes]).requiringGrad(name: "b2")
    let optimizer = try AdamW(parameters: [w1, b1, w2, b2], learningRate: learningRate, weightDecay: 1e-4)

    func forward() throws -> Tensor { try (x.matmul(w1) + b1).relu().matmul(w2) + b2 }

    log("spiral classification: \(classes) classes × \(pointsPerClass) points, MLP 2 → \(hidden) → \(classes), AdamW lr \(learningRate)")
    var initialLoss: Float = .nan
    var loss: Float = .nan
    for step in 0...steps {
      let logits = try forward()
      let l = try Tensor.crossEntropy(logits: logits, targets: y)
      loss = try l.item()
      if step == 0 { initialLoss = loss }
      if step % 50 == 0 || step == steps {
        log(String(format: "step %4d  loss %.4f", step, loss))
      }
      if step == steps { break }
      optimizer.zeroGrad()
      try l.backward()
      try optimizer.step()
    }
    func accuracy(_ inputs: Tensor, _ labels: Tensor) throws -> Float {
      let logits = try GradMode.withoutGradients { try (inputs.matmul(w1) + b1).relu().matmul(w2) + b2 }
      let correct = try (logits.argmax(axis: 1) .== labels).summed().item()
      return correct / Float(labels.count)
    }
    let trainAccuracy = try accuracy(x, y)
    let heldOut = try accuracy(testX, testY)
    log(String(format: "final loss %.4f (from %.4f); accuracy %.1f%% on the training points, %.1f%% on held-out points",
               loss, initialLoss, trainAccuracy * 100, heldOut * 100))
    return Report(
      initialLoss: initialLoss, finalLoss: loss, accuracy: trainAccuracy, heldOutAccuracy: heldOut,
      seconds: Date().timeIntervalSince(start))
  }
}
