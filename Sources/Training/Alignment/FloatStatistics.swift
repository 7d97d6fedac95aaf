/// Small statistics of per-step numbers for the RL trainers' metrics.
extension Array where Element == Float {
  /// Mean of the first or last `n` (NaN when empty).
  func meanOf(first n: Int) -> Float { Array(prefix(n)).average }
  func meanOf(last n: Int) -> Float { Array(suffix(n)).average }
  var average: Float { isEmpty ? .nan : Float(reduce(0.0) { $0 + Double($1) } / Double(count)) }
  /// Population standard deviation (NaN when empty).
  var populationStd: Float {
    guard !isEmpty else { return .nan }
    let m = Double(average)
    return Float((reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(count)).squareRoot())
  }
  /// Sample standard deviation, dividing by n − 1 (0 for fewer than two numbers).
  var sampleStd: Float {
    guard count >= 2 else { return 0 }
    let m = Double(average)
    return Float((reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(count - 1)).squareRoot())
  }
}
