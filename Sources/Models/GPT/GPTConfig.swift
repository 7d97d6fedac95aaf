/// The shape of a GPT-style decoder. Keys match the language's `model gpt { ... }` options.
public struct GPTConfig: Codable, Sendable, Equatable {
  public enum Positions: String, Codable, Sendable, CaseIterable { case learned, rotary }
  public enum Normalization: String, Codable, Sendable, CaseIterable { case layer, rms }
  public enum MLP: String, Codable, Sendable, CaseIterable { case gelu, swiglu }

  public var layers = 4
  public var dim = 128
  public var heads = 4
  public var context = 64
  public var vocabulary = 256
  public var positions = Positions.learned
  public var normalization = Normalization.layer
  public var mlp = MLP.gelu
  public var tiedEmbeddings = true
  public var dropout: Float = 0
  /// Biases on the linear layers (GPT-2 has them; LLaMA has none).
  public var bias = true
  /// Width of the MLP's hidden layer (default 4·dim for GELU, LLaMA's ⌈8·dim/3⌉ rounded up to 32 for SwiGLU).
  public var hidden: Int? = nil
  public var ropeTheta: Float = 10_000
  public var normEpsilon: Float = 1e-5

  public init() {}

  public var headDim: Int { dim / heads }
  public var mlpHidden: Int {
    if let hidden { return hidden }
    if mlp == .gelu { return 4 * dim }
    let h = (8 * dim + 2) / 3
    return (h + 31) / 32 * 32
  }

  /// GPT-2's layout (learned positions, LayerNorm, GELU) or LLaMA's (rotary, RMSNorm, SwiGLU):
  /// these two save in the Hugging Face naming that `transformers` loads.
  public var isGPT2Shaped: Bool { positions == .learned && normalization == .layer && mlp == .gelu }
  public var isLLaMAShaped: Bool { positions == .rotary && normalization == .rms && mlp == .swiglu }

  public func validate() throws {
    func fail(_ m: String) -> ModelError { ModelError("model: \(m)") }
    guard layers >= 1, layers <= 64 else { throw fail("layers must be 1 ... 64 (got \(layers))") }
    guard dim >= 1, dim <= 8192 else { throw fail("dim must be 1 ... 8192 (got \(dim))") }
    guard heads >= 1, dim % heads == 0 else { throw fail("dim (\(dim)) must be a multiple of heads (\(heads))") }
    guard positions == .learned || headDim % 2 == 0 else { throw fail("rotary positions need an even head size (dim / heads = \(headDim))") }
    guard context >= 1, context <= 65_536 else { throw fail("context must be 1 ... 65536 (got \(context))") }
    guard vocabulary >= 2, vocabulary <= 1_000_000 else { throw fail("vocab must be 2 ... 1000000 (got \(vocabulary))") }
    guard dropout >= 0, dropout < 1 else { throw fail("dropout must be in [0, 1) (got \(dropout))") }
    guard mlpHidden >= 1 else { throw fail("hidden must be positive") }
  }
}
