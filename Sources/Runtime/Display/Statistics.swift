import Foundation
import TensorEngine

/// The summary `show` prints under a tensor: shape, dtype, mean, std, min, max, the count
/// of non-finite values, and a one-line histogram of the finite ones.
public struct TensorStatistics {
  public var count: Int
  public var nonFinite: Int
  public var mean: Double
  public var std: Double
  public var min: Double
  public var max: Double
  /// Counts per bin over [min, max].
  public var histogram: [Int]

  public init(_ t: Tensor, bins: Int = 24) {
    let values = t.toArray()
    count = values.count
    let finite = values.filter(\.isFinite).map(Double.init)
    nonFinite = values.count - finite.count
    mean = finite.isEmpty ? .nan : finite.reduce(0, +) / Double(finite.count)
    let m = mean
    std = finite.isEmpty ? .nan : (finite.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(finite.count)).squareRoot()
    min = finite.min() ?? .nan
    max = finite.max() ?? .nan
    histogram = [Int](repeating: 0, count: bins)
    if !finite.isEmpty {
      let span = max - min
      for x in finite {
        let b = span > 0 ? Swift.min(bins - 1, Int((x - min) / span * Double(bins))) : bins / 2
        histogram[b] += 1
      }
    }
  }

  /// ▁▂▃▄▅▆▇█ scaled to the fullest bin; a space for an empty bin.
  public var sparkline: String {
    let blocks = Array("▁▂▃▄▅▆▇█")
    let peak = histogram.max() ?? 0
    guard peak > 0 else { return "" }
    return String(histogram.map { $0 == 0 ? " " : blocks[Swift.min(7, ($0 * 8 - 1) / peak)] })
  }

  public var lines: [String] {
    func n(_ x: Double) -> String { Display.number((x * 1e4).rounded() / 1e4) }
    var out = ["mean \(n(mean))  std \(n(std))  min \(n(min))  max \(n(max))  non-finite \(nonFinite)"]
    if count > 1 && min < max { out.append("histogram [\(n(min)), \(n(max))]  \(sparkline)") }
    return out
  }
}
