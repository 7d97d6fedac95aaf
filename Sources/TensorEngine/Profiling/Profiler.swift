import Foundation

/// Where the engine's time goes, by category, for `llmlab bench --profile`.
///
/// Off by default, and then each operation pays one load of a static flag. When on, an
/// operation's entry point opens a region of its category; regions nested inside another
/// count toward the outermost one (an attention's own matrix products are attention time,
/// a matmul's backward is matmul time), so the categories never overlap and their sum is at
/// most the wall time. Time outside every region (building the graph, walking it, Swift's
/// own work) is what a caller reports as "other".
///
/// Operations are issued from one thread (the engine's parallel loops run inside an
/// operation), so the accounting needs no lock; profile only a single-threaded caller.
public enum Profiler {
  public enum Category: Int, CaseIterable, Sendable {
    case matmul, attention, elementwise, optimizer

    public var name: String {
      switch self {
      case .matmul: return "matmul"
      case .attention: return "attention"
      case .elementwise: return "elementwise"
      case .optimizer: return "optimizer"
      }
    }
  }

  /// The shape of one `cblas_sgemm` call, for timing raw BLAS on the same work.
  public struct GEMMShape: Hashable, Sendable {
    public var transA: Bool, transB: Bool
    public var m: Int, n: Int, k: Int
    public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
  }

  /// What has been accumulated since `start()`.
  public struct Report: Sendable {
    /// Seconds per category.
    public var seconds: [Double] = Array(repeating: 0, count: Category.allCases.count)
    /// Floating-point operations of the matrix products per category (2·m·n·k each).
    public var flops: [Double] = Array(repeating: 0, count: Category.allCases.count)
    /// How many times each matrix-product shape ran inside matmul regions.
    public var gemmCalls: [GEMMShape: Int] = [:]

    public func seconds(_ c: Category) -> Double { seconds[c.rawValue] }
    public func flops(_ c: Category) -> Double { flops[c.rawValue] }
    public var totalSeconds: Double { seconds.reduce(0, +) }
  }

  nonisolated(unsafe) static var isEnabled = false
  nonisolated(unsafe) private static var depth = 0
  nonisolated(unsafe) private static var current = Category.elementwise
  nonisolated(unsafe) private static var regionStart = 0.0
  nonisolated(unsafe) private static var report = Report()

  /// Clears the accumulators and starts recording.
  public static func start() {
    report = Report()
    depth = 0
    isEnabled = true
  }

  /// Stops recording and returns what was accumulated.
  @discardableResult
  public static func stop() -> Report {
    isEnabled = false
    depth = 0
    return report
  }

  public static var isRecording: Bool { isEnabled }

  /// Runs `body` as a region of `category` (or as part of the enclosing region).
  @inline(__always)
  static func measure<R>(_ category: Category, _ body: () throws -> R) rethrows -> R {
    if !isEnabled { return try body() }
    enter(category)
    defer { leave() }
    return try body()
  }

  /// Runs a backward node's closure as a region of its operation's category.
  @inline(__always)
  static func measure<R>(operation op: String, _ body: () throws -> R) rethrows -> R {
    guard isEnabled, let category = category(ofOperation: op) else { return try body() }
    enter(category)
    defer { leave() }
    return try body()
  }

  /// Opens a region without a closure, for a whole function body:
  /// `let region = Profiler.begin(.elementwise); defer { Profiler.end(region) }`.
  @inline(__always)
  static func begin(_ category: Category) -> Bool {
    if !isEnabled { return false }
    enter(category)
    return true
  }

  @inline(__always)
  static func end(_ began: Bool) { if began { leave() } }

  @inline(never)
  static func enter(_ category: Category) {
    if depth == 0 {
      current = category
      regionStart = now()
    }
    depth += 1
  }

  @inline(never)
  static func leave() {
    guard depth > 0 else { return }  // stopped inside a region
    depth -= 1
    if depth == 0 { report.seconds[current.rawValue] += now() - regionStart }
  }

  /// Counts one matrix product toward the enclosing region's category.
  @inline(__always)
  static func countGEMM(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, calls: Int = 1) {
    if !isEnabled { return }
    record(GEMMShape(transA: transA, transB: transB, m: m, n: n, k: k), calls: calls)
  }

  @inline(never)
  private static func record(_ shape: GEMMShape, calls: Int) {
    let category = depth > 0 ? current : .matmul
    report.flops[category.rawValue] += shape.flops * Double(calls)
    if category == .matmul { report.gemmCalls[shape, default: 0] += calls }
  }

  /// Counts matrix-product work done outside `GEMM` (attention's own kernel).
  @inline(__always)
  static func countFlops(_ flops: Double) {
    if !isEnabled || depth == 0 { return }
    report.flops[current.rawValue] += flops
  }

  /// The category of a backward node, by the name of the operation that recorded it; nil
  /// for a node that opens its own regions (a linear layer's backward is part element-wise,
  /// part matrix products).
  static func category(ofOperation op: String) -> Category? {
    switch op {
    case "matmul": return .matmul
    case "linear": return nil
    case "attention": return .attention
    default: return .elementwise
    }
  }

  static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }
}
