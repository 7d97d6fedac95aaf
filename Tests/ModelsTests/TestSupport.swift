import Foundation
import TensorEngine

/// A fresh directory under the system's temporary directory.
func temporaryDirectory() throws -> String {
  let path = FileManager.default.temporaryDirectory.appendingPathComponent("llmlab-test-\(UUID().uuidString)").path
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

/// Same shape and the same bits in every element (NaN payloads and -0 included).
func sameBits(_ a: Tensor, _ b: Tensor) -> Bool {
  a.shape == b.shape && a.toArray().map(\.bitPattern) == b.toArray().map(\.bitPattern)
}
