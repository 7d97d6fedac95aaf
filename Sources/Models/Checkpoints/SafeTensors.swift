import Foundation
import TensorEngine

/// A set of named tensors in Hugging Face's safetensors format, the file `transformers`,
/// PyTorch (`safetensors.torch`) and most model hubs exchange weights in.
///
/// The layout, from the format's specification:
///
///     8 bytes   N, the header's length, an unsigned 64-bit little-endian integer
///     N bytes   the header: UTF-8 JSON, padded with spaces (0x20) to a multiple of 8
///               {"__metadata__": {"key": "value", ...},
///                "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
///     the rest  the byte buffer: every tensor's elements, row-major, little-endian;
///               offsets count from the buffer's start (not the file's), `end` exclusive
///
/// The buffer must be covered exactly: no gaps, no overlaps, nothing after the last tensor.
/// llmlab writes and reads F32 only (its tensors are float32); another dtype is an error
/// that names the tensor.
public struct SafeTensorsFile {
  /// The tensors in file order (the writer's order; on reading, the order of their data).
  public var tensors: [(name: String, tensor: Tensor)]
  /// The free-form `__metadata__` map (string to string only, as the format requires).
  public var metadata: [String: String]

  public init(tensors: [(name: String, tensor: Tensor)] = [], metadata: [String: String] = [:]) {
    self.tensors = tensors
    self.metadata = metadata
  }

  public var names: [String] { tensors.map(\.name) }

  public subscript(name: String) -> Tensor? { tensors.first { $0.name == name }?.tensor }

  /// The safetensors reference implementation refuses headers above 100 MB; so do we,
  /// before allocating anything for a corrupt length.
  static let maximumHeaderLength = 100_000_000

  // MARK: Writing

  /// The file's bytes. Names must be unique, nonempty and not `__metadata__`.
  public func encoded() throws -> Data {
    var seen = Set<String>()
    for (name, _) in tensors {
      guard !name.isEmpty, name != "__metadata__" else { throw ModelError("safetensors: \"\(name)\" cannot name a tensor") }
      guard seen.insert(name).inserted else { throw ModelError("safetensors: two tensors are named \"\(name)\"") }
    }
    // The header is written by hand so that its key order is ours (metadata first, then the
    // tensors in data order, as the reference writer does) and its numbers are exact integers.
    var entries: [String] = []
    if !metadata.isEmpty {
      let pairs = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
      entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
    }
    var offset = 0
    for (name, tensor) in tensors {
      let end = offset + tensor.count * MemoryLayout<Float>.size
      let shape = tensor.shape.map(String.init).joined(separator: ",")
      entries.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
      offset = end
    }
    var header = Array("{\(entries.joined(separator: ","))}".utf8)
    while header.count % 8 != 0 { header.append(0x20) }

    var data = Data(capacity: 8 + header.count + offset)
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: header)
    for (_, tensor) in tensors {
      tensor.withElements { values in
        #if _endian(little)
        data.append(values)
        #else
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        #endif
      }
    }
    return data
  }

  /// Writes the file atomically (a temporary file in the same directory, then a rename).
  public func write(to path: String) throws {
    try AtomicFile.write(encoded(), to: path)
  }

  // MARK: Reading

  /// Reads a safetensors file; every error names the file and what is wrong in it.
  public init(contentsOf path: String) throws {
    guard FileManager.default.fileExists(atPath: path) else { throw ModelError("\(path): no such file") }
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
    } catch {
      throw ModelError("\(path): cannot read the file (\(error.localizedDescription))")
    }
    try self.init(decoding: data, file: path)
  }

  /// Parses and checks the whole file before returning: a file that fails any check
  /// yields an error and no tensors, never some of them.
  public init(decoding data: Data, file: String = "safetensors") throws {
    self = try data.withUnsafeBytes { try Self.decode($0, file: file) }
  }

  private static func decode(_ bytes: UnsafeRawBufferPointer, file: String) throws -> SafeTensorsFile {
    func fail(_ message: String) -> ModelError { ModelError("\(file): \(message)") }
    guard bytes.count >= 8 else {
      throw fail("the file is \(bytes.count) bytes, shorter than the 8-byte header length every safetensors file starts with (truncated?)")
    }
    let length = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
    guard length <= UInt64(bytes.count - 8) else {
      throw fail("the header length is \(length) bytes, past the end of the file (only \(bytes.count - 8) bytes follow it; truncated, or not a safetensors file)")
    }
    guard length <= UInt64(maximumHeaderLength) else {
      throw fail("the header length is \(length) bytes, above the format's limit of \(maximumHeaderLength)")
    }
    let headerEnd = 8 + Int(length)
    let header = try parseHeader(UnsafeRawBufferPointer(rebasing: bytes[8..<headerEnd]), fail: fail)
    let bufferSize = bytes.count - headerEnd

    var entries = try header.entries.sorted { $0.name < $1.name }.map { try check($0, bufferSize: bufferSize, fail: fail) }
    // The buffer must be covered exactly: sorted by offset, each tensor starts where the
    // previous one ended, and the last one ends at the end of the file.
    entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
    var position = 0
    var previous = ""
    for e in entries {
      if e.begin < position {
        throw fail("tensor \"\(e.name)\" (data_offsets [\(e.begin), \(e.end)]) overlaps tensor \"\(previous)\", which ends at \(position)")
      }
      if e.begin > position {
        throw fail("\(e.begin - position) bytes of data at offset \(position), before tensor \"\(e.name)\", belong to no tensor (the format allows no gaps)")
      }
      position = e.end
      previous = e.name
    }
    if position != bufferSize {
      throw fail("\(bufferSize - position) bytes of trailing garbage after the tensors' data (the tensors cover \(position) bytes of \(bufferSize))")
    }

    let tensors = try entries.map { e in
      let count = (e.end - e.begin) / 4
      let start = headerEnd + e.begin
      let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        for i in 0..<count {
          buffer[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self)))
        }
        initialized = count
      }
      return (name: e.name, tensor: try Tensor(shape: e.shape, values: values))
    }
    return SafeTensorsFile(tensors: tensors, metadata: header.metadata)
  }

  private struct Entry {
    var name: String
    var dtype: String
    var shape: [Int]
    var begin: Int
    var end: Int
  }

  /// The header's JSON, checked for the format's structure (not yet against the buffer).
  private static func parseHeader(
    _ header: UnsafeRawBufferPointer, fail: (String) -> ModelError
  ) throws -> (entries: [Entry], metadata: [String: String]) {
    let root: HeaderJSON
    do {
      root = try HeaderJSON.parse(header)
    } catch let e as HeaderJSON.SyntaxError {
      throw fail("the header is not valid JSON: \(e.message) at byte \(e.offset) of \(header.count) (truncated or corrupt?)")
    }
    guard case .object(let members) = root else { throw fail("the header is not a JSON object") }

    var metadata: [String: String] = [:]
    var entries: [Entry] = []
    for (name, value) in members {
      if name == "__metadata__" {
        guard case .object(let map) = value else { throw fail("\"__metadata__\" must be an object of strings") }
        for (key, v) in map {
          guard case .string(let s) = v else { throw fail("\"__metadata__\" entry \"\(key)\" is not a string (the format allows only strings)") }
          metadata[key] = s
        }
        continue
      }
      guard case .object(let fields) = value else { throw fail("tensor \"\(name)\": its entry is not an object") }
      func field(_ key: String) -> HeaderJSON? { fields.first { $0.key == key }?.value }
      guard case .string(let dtype) = field("dtype") else { throw fail("tensor \"\(name)\": no \"dtype\" string") }
      guard let shape = integers(field("shape")), shape.allSatisfy({ $0 >= 0 }) else {
        throw fail("tensor \"\(name)\": \"shape\" must be a list of nonnegative integers")
      }
      guard let offsets = integers(field("data_offsets")), offsets.count == 2, offsets[0] >= 0, offsets[1] >= 0 else {
        throw fail("tensor \"\(name)\": \"data_offsets\" must be two nonnegative integers [begin, end]")
      }
      entries.append(Entry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1]))
    }
    return (entries, metadata)
  }

  /// One tensor's dtype, size and range against the buffer.
  private static func check(_ e: Entry, bufferSize: Int, fail: (String) -> ModelError) throws -> Entry {
    let range = "data_offsets [\(e.begin), \(e.end)]"
    guard e.dtype == "F32" else {
      let known = knownDtypes.contains(e.dtype) ? "" : " (not a safetensors dtype)"
      throw fail("tensor \"\(e.name)\" has dtype \(e.dtype)\(known); llmlab reads only F32 tensors (convert the file to float32 first)")
    }
    var count = 1
    for d in e.shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: d)
      guard !overflow, product <= Int(Int32.max) else {
        throw fail("tensor \"\(e.name)\" has shape \(formatShape(e.shape)), too many elements")
      }
      count = product
    }
    guard e.begin <= e.end, e.end <= bufferSize else {
      throw fail("tensor \"\(e.name)\": \(range) are out of range (the data is \(bufferSize) bytes)")
    }
    guard e.end - e.begin == count * 4 else {
      throw fail("tensor \"\(e.name)\": \(range) hold \(e.end - e.begin) bytes, but F32 of shape \(formatShape(e.shape)) needs \(count * 4)")
    }
    return e
  }

  private static func integers(_ value: HeaderJSON?) -> [Int]? {
    guard case .array(let items) = value else { return nil }
    var out: [Int] = []
    for item in items {
      guard case .integer(let i) = item else { return nil }
      out.append(i)
    }
    return out
  }

  private static let knownDtypes: Set<String> = [
    "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2",
    "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64", "C64",
  ]
}

/// A JSON string literal: quotes, backslashes and control characters escaped, the rest as is.
func jsonString(_ s: String) -> String {
  var out = "\""
  for scalar in s.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    case _ where scalar.value < 0x20:
      out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
    default: out.unicodeScalars.append(scalar)
    }
  }
  return out + "\""
}
