import Foundation
import TensorEngine

/// Where a training step's time goes (`llmlab bench --workload NAME --profile`): the
/// engine's profiler categories as shares of the step's wall time, and the matrix products'
/// achieved GFLOP/s against raw `cblas_sgemm` run on exactly the same shapes.
public struct StepProfile: Sendable {
  public var steps: Int
  public var stepSeconds: Double
  public var report: Profiler.Report
  /// Seconds per step that raw `cblas_sgemm` takes for the matmul category's calls.
  public var rawGEMMSeconds: Double

  /// Profiles `steps` calls of `step`, then times the same matrix products on raw BLAS.
  public static func measure(steps: Int, _ step: () throws -> Void) rethrows -> StepProfile {
    Profiler.start()
    let start = Timing.now()
    for _ in 0..<steps { try step() }
    let wall = Timing.now() - start
    let report = Profiler.stop()
    return StepProfile(
      steps: steps, stepSeconds: wall / Double(steps), report: report,
      rawGEMMSeconds: rawSeconds(report.gemmCalls, steps: steps))
  }

  /// One step's worth of the recorded products on preallocated buffers, median of 5.
  static func rawSeconds(_ calls: [Profiler.GEMMShape: Int], steps: Int) -> Double {
    let work = calls.map { shape, count in
      (OpsBenchmark.RawSgemm(m: shape.m, n: shape.n, k: shape.k, transA: shape.transA, transB: shape.transB), count)
    }
    // OpenBLAS with its own threads: the reference a plain BLAS user would get.
    return EngineThreads.withBLASThreads {
      Timing.median(warmup: 1, repeats: 5) {
        for (gemm, count) in work {
          // Counts are over all profiled steps; run one step's share (at least once).
          for _ in 0..<Swift.max(1, count / steps) { gemm.run() }
        }
      }
    }
  }

  func perStep(_ seconds: Double) -> Double { seconds / Double(steps) }

  var matmulSeconds: Double { perStep(report.seconds(.matmul)) }
  var matmulFlops: Double { perStep(report.flops(.matmul)) }
  var otherSeconds: Double { Swift.max(0, stepSeconds - perStep(report.totalSeconds)) }
  /// Engine GFLOP/s of the matmul category (sgemm plus the engine's own work around it).
  var matmulGFLOPS: Double { matmulSeconds > 0 ? matmulFlops / matmulSeconds / 1e9 : 0 }
  var rawGFLOPS: Double { rawGEMMSeconds > 0 ? matmulFlops / rawGEMMSeconds / 1e9 : 0 }
  var attentionGFLOPS: Double {
    let s = perStep(report.seconds(.attention))
    return s > 0 ? perStep(report.flops(.attention)) / s / 1e9 : 0
  }

  /// (name, seconds per step) for every category, "other" last.
  var rows: [(String, Double)] {
    Profiler.Category.allCases.map { ($0.name, perStep(report.seconds($0))) } + [("other", otherSeconds)]
  }

  /// The profile as a JSON object (the `profile` key of the workload's JSON line).
  public var json: MeasurementValue {
    var fields: [(String, MeasurementValue)] = [
      ("steps", .integer(steps)), ("step_ms", .number(stepSeconds * 1000, digits: 2)),
    ]
    for (name, s) in rows {
      fields.append(("\(name)_ms", .number(s * 1000, digits: 2)))
      fields.append(("\(name)_pct", .number(100 * s / stepSeconds, digits: 1)))
    }
    fields += [
      ("matmul_gflops", .number(matmulGFLOPS, digits: 1)),
      ("sgemm_gflops", .number(rawGFLOPS, digits: 1)),
      ("gemm_efficiency", .number(matmulSeconds > 0 ? rawGEMMSeconds / matmulSeconds : 0, digits: 3)),
      ("attention_gflops", .number(attentionGFLOPS, digits: 1)),
    ]
    return .object(fields)
  }

  /// A small readable table.
  public var table: String {
    var lines = ["profile: \(steps) steps, \(String(format: "%.2f", stepSeconds * 1000)) ms/step"]
    lines.append("  category        ms/step   share")
    for (name, s) in rows {
      lines.append(
        "  " + name.padding(toLength: 12, withPad: " ", startingAt: 0)
          + String(format: "%10.2f  %5.1f%%", s * 1000, 100 * s / stepSeconds))
    }
    lines.append(
      String(
        format: "  matrix products: %.1f GFLOP/s; raw cblas_sgemm on the same shapes: %.1f GFLOP/s (efficiency %.0f%%)",
        matmulGFLOPS, rawGFLOPS, matmulSeconds > 0 ? 100 * rawGEMMSeconds / matmulSeconds : 0))
    lines.append(String(format: "  attention: %.1f GFLOP/s (its own products, softmax included)", attentionGFLOPS))
    return lines.joined(separator: "\n")
  }
}
