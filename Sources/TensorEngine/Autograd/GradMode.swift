/// Whether operations record the graph that `backward()` walks.
///
/// Evaluation and sampling run without it: no backward closures are kept and no activations
/// are saved. The flag is task-local, so one task's `withoutGradients` never affects another.
public enum GradMode {
  @TaskLocal static var enabled = true

  public static var isEnabled: Bool { enabled }

  /// Runs `body` with gradient recording off.
  public static func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try $enabled.withValue(false, operation: body)
  }

  /// Runs `body` with gradient recording on (inside a `withoutGradients` block).
  public static func withGradients<R>(_ body: () throws -> R) rethrows -> R {
    try $enabled.withValue(true, operation: body)
  }
}
