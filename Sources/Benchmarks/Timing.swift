import Foundation

/// Wall-clock timing for benchmarks: a few warm-up runs, then the median of `repeats`.
/// The median resists the noise of a shared machine better than the mean.
public enum Timing {
  public static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }

  /// Median seconds per call of `body`.
  public static func median(warmup: Int = 2, repeats: Int = 7, _ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<warmup { try body() }
    var times: [Double] = []
    for _ in 0..<repeats {
      let t0 = now()
      try body()
      times.append(now() - t0)
    }
    times.sort()
    return times[times.count / 2]
  }
}

extension Timing {
  public static func medianOf(_ times: [Double]) -> Double {
    let sorted = times.sorted()
    return sorted[sorted.count / 2]
  }

  /// Median seconds of `a` and of `b`, run alternately (a, b, a, b, ...) after a warm-up
  /// of each, so that both see the same machine load.
  public static func alternating(warmup: Int = 2, repeats: Int = 7, _ a: () throws -> Void, _ b: () throws -> Void) rethrows -> (Double, Double) {
    for _ in 0..<warmup { try a(); try b() }
    var ta: [Double] = [], tb: [Double] = []
    for _ in 0..<repeats {
      var t0 = now()
      try a()
      ta.append(now() - t0)
      t0 = now()
      try b()
      tb.append(now() - t0)
    }
    return (medianOf(ta), medianOf(tb))
  }
}

/// One printed measurement: an ordered list of keys and values, shown as a JSON line.
public struct Measurement: Sendable {
  public var fields: [(String, MeasurementValue)]

  public init(_ fields: [(String, MeasurementValue)]) { self.fields = fields }

  public var jsonLine: String {
    "{" + fields.map { "\"\($0.0)\": \($0.1.json)" }.joined(separator: ", ") + "}"
  }

  public subscript(key: String) -> MeasurementValue? { fields.first { $0.0 == key }?.1 }
}

public enum MeasurementValue: Sendable {
  case text(String)
  case number(Double, digits: Int)
  case integer(Int)
  /// A nested JSON object (keys in order).
  case object([(String, MeasurementValue)])

  var json: String {
    switch self {
    case .object(let fields): return "{" + fields.map { "\"\($0.0)\": \($0.1.json)" }.joined(separator: ", ") + "}"
    case .text(let s): return "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    case .number(let x, let digits): return x.isFinite ? String(format: "%.\(digits)f", x) : "null"
    case .integer(let n): return String(n)
    }
  }

  public var plain: String {
    switch self {
    case .text(let s): return s
    case .number(let x, let digits): return String(format: "%.\(digits)f", x)
    case .integer(let n): return String(n)
    case .object(let fields): return fields.map { "\($0.0)=\($0.1.plain)" }.joined(separator: " ")
    }
  }
}
