/// `a..b` turned into its numbers, for a list, a tensor or a subscript. Refused past
/// `maximumLength`, so that `list(0..1e12)` is an error instead of an allocation that cannot
/// succeed; `for` walks a range without holding its numbers, so it has no such limit.
enum Ranges {
  static let maximumLength = 1 << 26

  static func numbers(_ a: Int, _ b: Int) throws -> Range<Int> {
    let r = a..<Swift.max(a, b)
    guard r.count <= maximumLength else {
      throw RuntimeError("the range \(a)..\(b) holds \(r.count) numbers, too many to hold at once (the limit is 2^26)",
                         hint: "loop over it with `for`, or use a smaller range")
    }
    return r
  }
}
