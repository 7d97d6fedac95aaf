import Foundation
import Testing
import TensorEngine
@testable import Models

/// The safetensors reader and writer against the format's specification: a file made by the
/// reference implementation, our own round trips, and every kind of damage.
@Suite("safetensors")
struct SafeTensorsTests {
  /// `safetensors.numpy.save({"weight": [[1,2,3],[4,5,6]], "bias": [0.5,-0.25], "scalar": 3.0},
  /// metadata={"format": "pt"})` from the reference library (safetensors 0.8), byte for byte.
  static let referenceFile = hexBytes(
    "d0000000000000007b225f5f6d657461646174615f5f223a7b22666f726d6174223a227074227d2c2262696173223a7b22"
      + "6474797065223a22463332222c227368617065223a5b325d2c22646174615f6f666673657473223a5b302c385d7d2c2273"
      + "63616c6172223a7b226474797065223a22463332222c227368617065223a5b5d2c22646174615f6f666673657473223a5b"
      + "382c31325d7d2c22776569676874223a7b226474797065223a22463332222c227368617065223a5b322c335d2c22646174"
      + "615f6f666673657473223a5b31322c33365d7d7d0000003f000080be000040400000803f0000004000004040000080400000"
      + "a0400000c040")

  @Test("reads a file written by the reference implementation")
  func readsReferenceFile() throws {
    let file = try SafeTensorsFile(decoding: Self.referenceFile, file: "reference.safetensors")
    #expect(file.names == ["bias", "scalar", "weight"])
    #expect(file.metadata == ["format": "pt"])
    #expect(file["weight"]?.shape == [2, 3])
    #expect(file["weight"]?.toArray() == [1, 2, 3, 4, 5, 6])
    #expect(file["bias"]?.toArray() == [0.5, -0.25])
    #expect(file["scalar"]?.shape == [])
    #expect(try file["scalar"]?.item() == 3)
  }

  @Test("writes the same bytes as the reference implementation")
  func writesReferenceBytes() throws {
    let file = SafeTensorsFile(
      tensors: [
        ("bias", Tensor([0.5, -0.25])), ("scalar", Tensor(scalar: 3)),
        ("weight", try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])),
      ],
      metadata: ["format": "pt"])
    #expect(try file.encoded() == Self.referenceFile)
  }

  @Test("a hand-written file: unpadded header, data out of name order, spaces and escapes")
  func readsHandWrittenFile() throws {
    // Tensor "z" comes first in the data, "a" second; the header has whitespace and a \u escape.
    let header = #"{ "z\u0021": {"dtype": "F32", "shape": [1, 2], "data_offsets": [0, 8]},"#
      + #" "a": {"data_offsets": [8, 12], "shape": [1], "dtype": "F32"}, "__metadata__": {"note": "hi"} }"#
    var values: [UInt8] = []
    for bits: UInt32 in [0x3F80_0000, 0xC020_0000, 0x7F80_0000] {  // 1, -2.5, +inf
      values += [UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24)]
    }
    let file = try SafeTensorsFile(decoding: Self.file(header: header, data: values), file: "hand.safetensors")
    #expect(file.names == ["z!", "a"])
    #expect(file["z!"]?.shape == [1, 2])
    #expect(file["z!"]?.toArray() == [1, -2.5])
    #expect(file["a"]?.toArray() == [.infinity])
    #expect(file.metadata == ["note": "hi"])
  }

  @Test("empty tensors and an empty file are valid")
  func emptyTensors() throws {
    let file = try SafeTensorsFile(decoding: Self.file(header: #"{"e":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]}}"#, data: []))
    #expect(file["e"]?.shape == [0, 3])
    let none = try SafeTensorsFile(decoding: SafeTensorsFile().encoded())
    #expect(none.tensors.isEmpty)
  }

  @Test("round trip is bit-exact, including NaN payloads, infinities, -0 and subnormals")
  func roundTripBitExact() throws {
    Random.seed(7)
    let special: [UInt32] = [0x7FC0_0001, 0xFFC1_2345, 0x7F80_0000, 0xFF80_0000, 0x8000_0000, 0x0000_0001, 0x807F_FFFF]
    let odd = try Tensor(shape: [7], values: special.map(Float.init(bitPattern:)))
    let tensors: [(name: String, tensor: Tensor)] = [
      ("transformer.wte.weight", try Tensor.randn([13, 8])),
      ("odd \"name\" with \\ and ünïcödé", odd),
      ("scalar", Tensor(scalar: -1.5)),
      ("transposed view", try Tensor.randn([3, 5]).transposed()),
    ]
    let data = try SafeTensorsFile(tensors: tensors, metadata: ["a": "b", "quote\"": "x\ny"]).encoded()
    #expect(data.count % 4 == 0)
    let headerLength = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
    #expect(headerLength % 8 == 0, "the header is padded to a multiple of 8")
    let back = try SafeTensorsFile(decoding: data)
    #expect(back.names == tensors.map(\.name))
    #expect(back.metadata == ["a": "b", "quote\"": "x\ny"])
    for (name, original) in tensors {
      let read = try #require(back[name])
      #expect(read.shape == original.shape)
      #expect(sameBits(read, original), "\(name)")
    }
  }

  @Test("writes atomically and reads back from disk")
  func fileRoundTrip() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/x.safetensors"
    try SafeTensorsFile(tensors: [("w", Tensor([1, 2, 3]))]).write(to: path)
    try SafeTensorsFile(tensors: [("w", Tensor([4, 5]))]).write(to: path)
    #expect(try SafeTensorsFile(contentsOf: path)["w"]?.toArray() == [4, 5])
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["x.safetensors"], "no temporary file left")
    #expect(throws: ModelError.self) { try SafeTensorsFile(contentsOf: directory + "/missing.safetensors") }
  }

  // MARK: Damage

  static var valid: Data {
    get throws {
      try SafeTensorsFile(tensors: [("a", Tensor([1, 2, 3])), ("b", try Tensor(shape: [2, 2], values: [4, 5, 6, 7]))]).encoded()
    }
  }

  /// Cut points: from the start, or (negative) from the end; -28 leaves exactly the header,
  /// since the tensors' data is 28 bytes.
  @Test("truncated anywhere: a clear error naming the file", arguments: [0, 3, 7, 8, 9, 20, 60, 119, -29, -28, -27, -10, -1])
  func truncated(_ cut: Int) throws {
    let data = try Self.valid
    let headerEnd = 8 + Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
    #expect(data.count - headerEnd == 28)
    let length = cut < 0 ? data.count + cut : cut
    let expected =
      length < 8 ? "shorter than the 8-byte header length" : length < headerEnd ? "past the end of the file" : "out of range"
    expectError(data.prefix(length), containing: ["cut.safetensors", expected])
  }

  @Test("bad header lengths")
  func badHeaderLength() throws {
    var data = try Self.valid
    for length: UInt64 in [.max, 1 << 40, 10_000, UInt64(data.count - 7)] {
      withUnsafeBytes(of: length.littleEndian) { data.replaceSubrange(0..<8, with: $0) }
      expectError(data, containing: ["past the end of the file"])
    }
    // Shorter than the real header: the JSON is cut.
    withUnsafeBytes(of: UInt64(40).littleEndian) { data.replaceSubrange(0..<8, with: $0) }
    expectError(data, containing: ["not valid JSON"])
    // A length beyond the format's limit, in a file long enough to hold it, is refused before
    // the header is parsed.
    var big = Data(count: 8 + 100_000_008)
    withUnsafeBytes(of: UInt64(100_000_008).littleEndian) { big.replaceSubrange(0..<8, with: $0) }
    expectError(big, containing: ["above the format's limit"])
  }

  @Test(
    "headers that are not the format's JSON",
    arguments: [
      ("", "not valid JSON"),
      ("[1, 2]", "not a JSON object"),
      ("{\"a\": ", "not valid JSON"),
      ("{\"a\" {}}", "expected ':'"),
      ("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},}", "not valid JSON"),
      ("{\"a\": 1, \"a\": 2}", "duplicate key \"a\""),
      ("{\"x\": \"\u{1}\"}", "control character"),
      ("{\"__metadata__\": {\"k\": 1}}", "is not a string"),
      ("{\"a\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", "no \"dtype\""),
      ("{\"a\": {\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]}}", "\"shape\" must be"),
      ("{\"a\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", "\"shape\" must be"),
      ("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}}", "\"data_offsets\" must be"),
      (String(repeating: "[", count: 500), "not valid JSON"),
    ])
  func badHeaders(_ header: String, _ expected: String) {
    expectError(Self.file(header: header, data: [0, 0, 0, 0]), containing: [expected])
  }

  @Test(
    "tensors that do not fit the data",
    arguments: [
      ("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 400]}}", "tensor \"a\": data_offsets [0, 400] are out of range"),
      ("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 0]}}", "out of range"),
      ("{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", "hold 8 bytes, but F32 of shape [3] needs 12"),
      (
        "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}",
        "tensor \"b\" (data_offsets [4, 12]) overlaps tensor \"a\""
      ),
      ("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", "4 bytes of data at offset 0"),
      ("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", "8 bytes of trailing garbage"),
      ("{\"w\": {\"dtype\": \"F16\", \"shape\": [8], \"data_offsets\": [0, 16]}}", "tensor \"w\" has dtype F16; llmlab reads only F32"),
      ("{\"w\": {\"dtype\": \"F99\", \"shape\": [4], \"data_offsets\": [0, 16]}}", "dtype F99 (not a safetensors dtype)"),
      ("{\"a\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296], \"data_offsets\": [0, 16]}}", "too many elements"),
    ])
  func badTensors(_ header: String, _ expected: String) {
    expectError(Self.file(header: header, data: [UInt8](repeating: 0, count: 16)), containing: [expected])
  }

  @Test("random damage never crashes: every outcome is a file or a ModelError")
  func fuzz() throws {
    let data = try Self.valid
    var generator = RandomGenerator(seed: 99)
    var rejected = 0
    for _ in 0..<3000 {
      var bytes = [UInt8](data)
      for _ in 0..<(1 + generator.nextInt(below: 3)) {
        bytes[generator.nextInt(below: bytes.count)] = UInt8(generator.nextInt(below: 256))
      }
      if generator.nextInt(below: 4) == 0 { bytes.removeLast(generator.nextInt(below: bytes.count)) }
      do {
        _ = try SafeTensorsFile(decoding: Data(bytes))
      } catch is ModelError {
        rejected += 1
      }
    }
    #expect(rejected > 500)
  }

  // MARK: Helpers

  static func file(header: String, data: [UInt8]) -> Data {
    var out = Data()
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(contentsOf: Array(header.utf8))
    out.append(contentsOf: data)
    return out
  }

  static func hexBytes(_ hex: String) -> Data {
    let chars = Array(hex.utf8)
    return Data(stride(from: 0, to: chars.count, by: 2).map { UInt8(String(decoding: chars[$0..<$0 + 2], as: UTF8.self), radix: 16)! })
  }

  func expectError(_ data: Data, containing parts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    do {
      let file = try SafeTensorsFile(decoding: data, file: "cut.safetensors")
      Issue.record("expected an error containing \(parts), read \(file.names)", sourceLocation: sourceLocation)
    } catch let error as ModelError {
      #expect(error.description.hasPrefix("cut.safetensors: "), sourceLocation: sourceLocation)
      for part in parts {
        #expect(error.description.contains(part), "\(error.description)", sourceLocation: sourceLocation)
      }
    } catch {
      Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
  }
}
