import Foundation

/// Loss curves: a block-character chart for the terminal and an SVG file.
public enum LossCurve {
  /// A chart `height` rows tall and up to `width` columns wide; each column is the mean of
  /// the points that fall in it.
  public static func terminal(_ points: [(Int, Float)], width: Int = 60, height: Int = 8, label: String = "loss") -> String {
    let values = points.map(\.1).filter(\.isFinite)
    guard values.count >= 2, let lo = values.min(), let hi = values.max() else { return "" }
    let columns = Swift.min(width, values.count)
    var means: [Float] = []
    for c in 0..<columns {
      let a = c * values.count / columns, b = Swift.max(a + 1, (c + 1) * values.count / columns)
      means.append(values[a..<b].reduce(0, +) / Float(b - a))
    }
    let span = Swift.max(hi - lo, 1e-6)
    let blocks = Array(" ▁▂▃▄▅▆▇█")
    var rows: [String] = []
    for r in stride(from: height - 1, through: 0, by: -1) {
      var line = ""
      for m in means {
        let level = (m - lo) / span * Float(height)  // 0 ... height
        let fill = level - Float(r)
        line.append(fill >= 1 ? "█" : (fill <= 0 ? " " : blocks[Swift.max(1, Int(fill * 8))]))
      }
      let axis = r == height - 1 ? String(format: "%7.3f ┤", hi) : (r == 0 ? String(format: "%7.3f ┤", lo) : "        │")
      rows.append(axis + line)
    }
    rows.append("        └" + String(repeating: "─", count: means.count))
    rows.append("         \(label): steps \(points.first!.0) … \(points.last!.0)")
    return rows.joined(separator: "\n")
  }

  /// An SVG line chart of one or more named series.
  public static func svg(_ series: [(name: String, points: [(Int, Float)])], title: String) -> String {
    let all = series.flatMap { $0.points }.filter { $0.1.isFinite }
    guard let minX = all.map(\.0).min(), let maxX = all.map(\.0).max(), let minY = all.map(\.1).min(), let maxY = all.map(\.1).max() else {
      return "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"
    }
    let (w, h, pad) = (640.0, 360.0, 48.0)
    func x(_ v: Int) -> Double { pad + Double(v - minX) / Double(Swift.max(maxX - minX, 1)) * (w - 2 * pad) }
    func y(_ v: Float) -> Double { h - pad - Double(v - minY) / Double(Swift.max(maxY - minY, 1e-6)) * (h - 2 * pad) }
    let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"sans-serif\" font-size=\"12\">\n"
    out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    out += "<text x=\"\(w / 2)\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">\(escape(title))</text>\n"
    out += "<line x1=\"\(pad)\" y1=\"\(h - pad)\" x2=\"\(w - pad)\" y2=\"\(h - pad)\" stroke=\"black\"/>\n"
    out += "<line x1=\"\(pad)\" y1=\"\(pad)\" x2=\"\(pad)\" y2=\"\(h - pad)\" stroke=\"black\"/>\n"
    for i in 0...4 {
      let v = minY + (maxY - minY) * Float(i) / 4
      out += "<text x=\"\(pad - 4)\" y=\"\(y(v) + 4)\" text-anchor=\"end\">\(String(format: "%.2f", v))</text>\n"
    }
    out += "<text x=\"\(pad)\" y=\"\(h - pad + 16)\">\(minX)</text><text x=\"\(w - pad)\" y=\"\(h - pad + 16)\" text-anchor=\"end\">\(maxX)</text>\n"
    out += "<text x=\"\(w / 2)\" y=\"\(h - 10)\" text-anchor=\"middle\">step</text>\n"
    for (i, s) in series.enumerated() {
      let pts = s.points.filter { $0.1.isFinite }.map { String(format: "%.1f,%.1f", x($0.0), y($0.1)) }.joined(separator: " ")
      let color = colors[i % colors.count]
      out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(pts)\"/>\n"
      out += "<text x=\"\(w - pad - 4)\" y=\"\(pad + 16 * Double(i))\" text-anchor=\"end\" fill=\"\(color)\">\(escape(s.name))</text>\n"
    }
    return out + "</svg>\n"
  }

  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
  }
}
