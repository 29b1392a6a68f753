import Foundation
import JSON

// MARK: - Safetensors

/// Reading and writing the safetensors format (an 8-byte little-endian header length, a JSON header
/// mapping names to dtype, shape and byte offsets plus a `__metadata__` string map, then the raw bytes),
/// so codeintel's weights open in PyTorch and NumPy.
public enum Safetensors {
  /// The element types this module reads and writes (BF16 is read only).
  public enum DType: String, Sendable { case f32 = "F32", f16 = "F16", bf16 = "BF16" }

  /// One tensor to write: its name, shape and `shape.reduce(1, *)` floats.
  public struct Item {
    public let name: String
    public let shape: [Int]
    public let data: UnsafePointer<Float>
    public init(name: String, shape: [Int], data: UnsafePointer<Float>) {
      self.name = name
      self.shape = shape
      self.data = data
    }
  }

  /// A file read into memory: tensors converted to Float, in file order, and the metadata.
  public struct File: Sendable {
    public var metadata: [String: String]
    public var names: [String]
    public var shapes: [String: [Int]]
    public var values: [String: [Float]]
    public var dtypes: [String: DType]
  }

  // MARK: - Writing

  /// The bytes of a safetensors file holding `items` as `dtype`, with `metadata` in the header.
  public static func encode(_ items: [Item], metadata: [String: String], dtype: DType = .f32) throws -> [UInt8] {
    guard dtype != .bf16 else { throw TensorError.io(path: "<memory>", reason: "writing BF16 is not supported") }
    let width = dtype == .f32 ? 4 : 2
    var header = "{\"__metadata__\":{"
    header += metadata.sorted { $0.key < $1.key }.map { "\(quote($0.key)):\(quote($0.value))" }.joined(separator: ",")
    header += "}"
    var offset = 0
    for item in items {
      let n = item.shape.reduce(1, *) * width
      header +=
        ",\(quote(item.name)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":["
        + item.shape.map(String.init).joined(separator: ",") + "],\"data_offsets\":[\(offset),\(offset + n)]}"
      offset += n
    }
    header += "}"
    var headerBytes = Array(header.utf8)
    while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
    var out = [UInt8]()
    out.reserveCapacity(8 + headerBytes.count + offset)
    var len = UInt64(headerBytes.count).littleEndian
    withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
    out.append(contentsOf: headerBytes)
    for item in items {
      let n = item.shape.reduce(1, *)
      if dtype == .f32 {
        out.append(contentsOf: UnsafeRawBufferPointer(start: item.data, count: n * 4))
      } else {
        for i in 0..<n {
          let bits = Float16(item.data[i]).bitPattern.littleEndian
          out.append(UInt8(bits & 0xFF))
          out.append(UInt8(bits >> 8))
        }
      }
    }
    return out
  }

  /// Writes `items` to `path` (atomically: a temporary file renamed into place).
  public static func write(_ items: [Item], metadata: [String: String], dtype: DType = .f32, to path: String) throws {
    let bytes = try encode(items, metadata: metadata, dtype: dtype)
    do {
      try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw TensorError.io(path: path, reason: error.localizedDescription)
    }
  }

  // MARK: - Reading

  /// Reads and converts every tensor in the file at `path` to Float.
  public static func read(path: String) throws -> File {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw TensorError.io(path: path, reason: "the file does not exist or cannot be read")
    }
    return try decode([UInt8](data), path: path)
  }

  /// Parses safetensors bytes; `path` only names the source in errors.
  public static func decode(_ bytes: [UInt8], path: String = "<memory>") throws -> File {
    guard bytes.count >= 8 else { throw TensorError.malformed(path: path, reason: "shorter than 8 bytes") }
    var n: UInt64 = 0
    for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
    guard n <= UInt64(bytes.count - 8) else {
      throw TensorError.malformed(path: path, reason: "header length \(n) runs past the end of the file")
    }
    let headerEnd = 8 + Int(n)
    let json: Any
    do {
      json = try JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd]))
    } catch {
      throw TensorError.malformed(path: path, reason: "the header is not JSON")
    }
    guard let header = json as? [String: Any] else {
      throw TensorError.malformed(path: path, reason: "the header is not a JSON object")
    }
    var file = File(metadata: [:], names: [], shapes: [:], values: [:], dtypes: [:])
    if let meta = header["__metadata__"] as? [String: Any] {
      for (k, v) in meta { file.metadata[k] = v as? String ?? "\(v)" }
    }
    var ordered: [(String, Int)] = []
    let dataCount = bytes.count - headerEnd
    for (name, value) in header where name != "__metadata__" {
      guard let info = value as? [String: Any], let dtypeName = info["dtype"] as? String,
        let shape = (info["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
        let offsets = (info["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
        offsets.count == 2
      else { throw TensorError.malformed(path: path, reason: "entry \(name) lacks dtype, shape or data_offsets") }
      guard let dtype = DType(rawValue: dtypeName) else {
        throw TensorError.malformed(path: path, reason: "tensor \(name) has dtype \(dtypeName); only F32, F16, BF16")
      }
      let count = shape.reduce(1, *)
      let width = dtype == .f32 ? 4 : 2
      guard offsets[0] >= 0, offsets[1] <= dataCount, offsets[1] - offsets[0] == count * width else {
        throw TensorError.malformed(path: path, reason: "tensor \(name)'s byte range does not match its shape")
      }
      var values = [Float](repeating: 0, count: count)
      bytes.withUnsafeBufferPointer { buf in
        let base = UnsafeRawPointer(buf.baseAddress!) + headerEnd + offsets[0]
        switch dtype {
        case .f32:
          for i in 0..<count {
            values[i] = Float(
              bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
          }
        case .f16:
          for i in 0..<count {
            values[i] = Float(
              Float16(bitPattern: UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
          }
        case .bf16:
          for i in 0..<count {
            let bits = UInt32(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16
            values[i] = Float(bitPattern: bits)
          }
        }
      }
      file.shapes[name] = shape
      file.values[name] = values
      file.dtypes[name] = dtype
      ordered.append((name, offsets[0]))
    }
    file.names = ordered.sorted { $0.1 < $1.1 }.map(\.0)
    return file
  }

  // MARK: - JSON strings

  /// `s` as a JSON string literal (quotes, backslashes and control characters escaped).
  static func quote(_ s: String) -> String { JSONValue.quoted(s, escapingLineSeparators: false) }
}

// MARK: - Checkpoints of a parameter store

extension ParameterStore {
  /// The weights format version written into `__metadata__` and checked on load.
  public static let formatVersion = "1"

  /// Writes every parameter to a safetensors file. `metadata` (e.g. `config`: the model config as JSON)
  /// is stored alongside `format` and `format_version`.
  public func save(to path: String, metadata: [String: String] = [:], dtype: Safetensors.DType = .f32) throws {
    var meta = metadata
    meta["format"] = "codeintel"
    meta["format_version"] = ParameterStore.formatVersion
    let items = layout.entries.map { Safetensors.Item(name: $0.name, shape: $0.shape, data: data + $0.offset) }
    try Safetensors.write(items, metadata: meta, dtype: dtype, to: path)
  }

  /// Loads parameters from a safetensors file written by `save`; every name and shape must match this
  /// store's layout and the format version must be this build's. Returns the file's metadata.
  @discardableResult
  public func load(from path: String) throws -> [String: String] {
    let file = try Safetensors.read(path: path)
    try load(file, path: path)
    return file.metadata
  }

  /// Loads parameters from an already-read file (see `load(from:)`).
  public func load(_ file: Safetensors.File, path: String) throws {
    let version = file.metadata["format_version"] ?? "none"
    guard version == ParameterStore.formatVersion else {
      throw TensorError.version(path: path, found: version, expected: ParameterStore.formatVersion)
    }
    let expected = Set(layout.entries.map(\.name))
    let found = Set(file.names)
    if let missing = expected.subtracting(found).sorted().first {
      throw TensorError.mismatch(
        path: path,
        reason: "it has no tensor named \(missing)"
          + " (\(expected.subtracting(found).count) missing)")
    }
    if let extra = found.subtracting(expected).sorted().first {
      throw TensorError.mismatch(path: path, reason: "it has a tensor named \(extra) that this model lacks")
    }
    for e in layout.entries {
      guard let shape = file.shapes[e.name], shape == e.shape, let values = file.values[e.name] else {
        throw TensorError.mismatch(
          path: path,
          reason: "tensor \(e.name) has shape \(file.shapes[e.name] ?? []) "
            + "but the model expects \(e.shape)")
      }
      for (i, x) in values.enumerated() { data[e.offset + i] = x }
    }
  }
}
