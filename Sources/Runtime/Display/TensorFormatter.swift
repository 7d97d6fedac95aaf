import Foundation
import TensorEngine

/// Prints tensors the way NumPy does: a header with shape and dtype, then nested brackets
/// with aligned columns and one precision for the whole tensor. Large tensors show their
/// first and last three entries along each axis, with `...` between.
public struct TensorFormatter {
  /// Above this many elements, axes longer than 2·`edgeItems` are summarized.
  public var threshold = 1000
  public var edgeItems = 3
  public var precision = 4
  /// Characters per line before a row wraps its values (NumPy's 75).
  public var lineWidth = 75

  public init() {}

  public func format(_ t: Tensor) -> String {
    var header = "tensor \(formatShape(t.shape)) \(t.dtype)"
    if let op = t.gradientFunctionName { header += "  grad_fn=\(op)" } else if t.requiresGrad { header += "  requires_grad" }
    if t.count == 0 { return header + "\n[]" }
    let values = t.toArray()
    let summarize = t.count > threshold
    let style = NumberStyle(values: visibleValues(values, shape: t.shape, summarize: summarize), precision: precision)
    if t.rank == 0 { return header + "  " + style.format(values[0]) }
    var out = ""
    render(values, shape: t.shape, strides: Shape.contiguousStrides(t.shape), offset: 0, depth: 0, summarize: summarize, style: style, into: &out)
    return header + "\n" + out
  }

  /// The values that will be printed (to pick one width and precision for them).
  func visibleValues(_ values: [Float], shape: [Int], summarize: Bool) -> [Float] {
    guard summarize else { return values }
    var picked: [Float] = []
    let strides = Shape.contiguousStrides(shape)
    func walk(_ depth: Int, _ offset: Int) {
      if depth == shape.count { picked.append(values[offset]); return }
      for i in indices(shape[depth], summarize: true) { walk(depth + 1, offset + i * strides[depth]) }
    }
    walk(0, 0)
    return picked
  }

  func indices(_ n: Int, summarize: Bool) -> [Int] {
    if summarize && n > 2 * edgeItems { return Array(0..<edgeItems) + Array((n - edgeItems)..<n) }
    return Array(0..<n)
  }

  func render(_ values: [Float], shape: [Int], strides: [Int], offset: Int, depth: Int, summarize: Bool, style: NumberStyle, into out: inout String) {
    let n = shape[depth]
    let shown = indices(n, summarize: summarize)
    let indent = String(repeating: " ", count: depth + 1)
    out += "["
    if depth == shape.count - 1 {
      var line = ""
      var column = depth + 1
      for (k, i) in shown.enumerated() {
        if k > 0 && shown[k - 1] + 1 != i {
          line += ", ..."
          column += 5
        }
        let text = style.format(values[offset + i * strides[depth]])
        if k > 0 {
          if column + text.count + 2 > lineWidth {
            line += ",\n" + indent
            column = depth + 1
          } else {
            line += ", "
            column += 2
          }
        }
        line += text
        column += text.count
      }
      out += line + "]"
      return
    }
    for (k, i) in shown.enumerated() {
      if k > 0 {
        out += "," + String(repeating: "\n", count: shape.count - depth - 1) + indent
        if shown[k - 1] + 1 != i { out += "...,\n" + String(repeating: "\n", count: Swift.max(0, shape.count - depth - 2)) + indent }
      }
      render(values, shape: shape, strides: strides, offset: offset + i * strides[depth], depth: depth + 1, summarize: summarize, style: style, into: &out)
    }
    out += "]"
  }
}

/// One number format for a whole tensor: integers as `3.`, small or huge magnitudes in
/// scientific notation, otherwise fixed with `precision` decimals; all padded to one width.
struct NumberStyle {
  enum Mode { case integer, fixed, scientific }
  var mode: Mode
  var precision: Int
  var width: Int

  init(values: [Float], precision: Int) {
    let finite = values.filter(\.isFinite)
    let magnitudes = finite.map { Swift.abs($0) }.filter { $0 > 0 }
    let maxAbs = magnitudes.max() ?? 0
    let minAbs = magnitudes.min() ?? 0
    if finite.allSatisfy({ $0 == $0.rounded() }) && maxAbs < 1e8 {
      mode = .integer
    } else if maxAbs >= 1e8 || (minAbs > 0 && minAbs < 1e-4) || (maxAbs > 0 && maxAbs / Swift.max(minAbs, 1e-30) > 1e4 && minAbs < 1e-3) {
      mode = .scientific
    } else {
      mode = .fixed
    }
    self.precision = precision
    self.width = 0
    var trimmed = self
    trimmed.width = 0
    width = values.map { trimmed.format($0).count }.max() ?? 1
  }

  func format(_ x: Float) -> String {
    let text: String
    if x.isNaN {
      text = "nan"
    } else if x.isInfinite {
      text = x > 0 ? "inf" : "-inf"
    } else {
      switch mode {
      case .integer: text = String(format: "%.0f.", Double(x))
      case .fixed: text = String(format: "%.\(precision)f", Double(x))
      case .scientific: text = String(format: "%.\(precision)e", Double(x))
      }
    }
    return text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
  }
}
