import Foundation
import Tensor

// MARK: - Checkpoints

/// A MoCo training checkpoint: everything a resumed run needs to continue exactly as if never stopped.
///
/// Layout (little-endian): the 8-byte magic `CIMOCOCK`, a UInt32 format version, a UInt32 header length, a
/// JSON header (the full `PretrainConfig`, the step, the queue pointer, the optimizer step counters and the
/// list of tensors), then the tensors' Float32 values back to back: query and key encoders and heads, AdamW
/// first and second moments of the query encoder and head, and the negative-key queue; with a masked-token head
/// also its weights and AdamW moments (`mlm.head`, `adam.mlm.m`, `adam.mlm.v`; a pure MoCo checkpoint has the
/// same bytes as before that head existed).
///
/// Random state needs no bytes of its own: dropout masks are seeded from (seed, step) and batches from
/// (seed, step, item, view), so the step number is the generators' state and the data cursor.
public enum Checkpoint {
  public static let magic: [UInt8] = Array("CIMOCOCK".utf8)
  /// Bump when the layout changes; older files are refused with a hint.
  public static let formatVersion = 1

  /// The JSON header.
  public struct Header: Codable, Sendable, Equatable {
    public var config: PretrainConfig
    public var step: Int
    public var queuePointer: Int
    public var encoderAdamStep: Int
    public var headAdamStep: Int
    public var vocab: Int
    public var tensors: [TensorInfo]
    /// Seconds of training before this checkpoint (all sessions together).
    public var trainingSeconds: Double
    /// The masked-token head's AdamW step (absent without that head).
    public var mlmAdamStep: Int?
  }

  /// One stored tensor: its name and float count.
  public struct TensorInfo: Codable, Sendable, Equatable {
    public var name: String
    public var count: Int
  }

  static func tensors(of moco: MoCo) -> [(String, UnsafeMutablePointer<Float>, Int)] {
    let qe = moco.queryEncoder.parameters
    let qh = moco.queryHead.parameters
    var items = [
      ("query.encoder", qe.data, qe.count),
      ("query.head", qh.data, qh.count),
      ("key.encoder", moco.keyEncoder.parameters.data, moco.keyEncoder.parameters.count),
      ("key.head", moco.keyHead.parameters.data, moco.keyHead.parameters.count),
      ("adam.encoder.m", moco.encoderOptimizer.m, qe.count),
      ("adam.encoder.v", moco.encoderOptimizer.v, qe.count),
      ("adam.head.m", moco.headOptimizer.m, qh.count),
      ("adam.head.v", moco.headOptimizer.v, qh.count),
      ("queue", moco.queue, max(moco.config.queueSize, 1) * moco.config.projectionDim),
    ]
    if let head = moco.mlmHead, let adam = moco.mlmOptimizer {
      let h = head.parameters
      items += [("mlm.head", h.data, h.count), ("adam.mlm.m", adam.m, h.count), ("adam.mlm.v", adam.v, h.count)]
    }
    return items
  }

  // MARK: Writing

  /// Writes `moco`'s full state to `path` atomically (a temporary file renamed over the old checkpoint).
  public static func write(_ moco: MoCo, vocab: Int, trainingSeconds: Double, to path: String) throws {
    let items = tensors(of: moco)
    let header = Header(
      config: moco.config, step: moco.step, queuePointer: moco.queuePointer,
      encoderAdamStep: moco.encoderOptimizer.step, headAdamStep: moco.headOptimizer.step, vocab: vocab,
      tensors: items.map { TensorInfo(name: $0.0, count: $0.2) }, trainingSeconds: trainingSeconds,
      mlmAdamStep: moco.mlmOptimizer?.step)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let json = try encoder.encode(header)
    var data = Data(magic)
    withUnsafeBytes(of: UInt32(formatVersion).littleEndian) { data.append(contentsOf: $0) }
    withUnsafeBytes(of: UInt32(json.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(json)
    for (_, pointer, count) in items {
      data.append(UnsafeBufferPointer(start: pointer, count: count))
    }
    let tmp = path + ".tmp"
    guard FileManager.default.createFile(atPath: tmp, contents: data) else {
      throw PretrainError.io(path: tmp, reason: "cannot write the checkpoint")
    }
    if FileManager.default.fileExists(atPath: path) { try? FileManager.default.removeItem(atPath: path) }
    do {
      try FileManager.default.moveItem(atPath: tmp, toPath: path)
    } catch {
      throw PretrainError.io(path: path, reason: "cannot move the new checkpoint into place: \(error)")
    }
  }

  // MARK: Reading

  /// Reads and checks the magic, version and header; returns the header and the offset of the first tensor.
  public static func readHeader(path: String) throws -> (Header, Data, Int) {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw PretrainError.io(path: path, reason: "cannot read the checkpoint")
    }
    guard data.count >= 16, Array(data.prefix(8)) == magic else {
      throw PretrainError.checkpointFormat(path: path, reason: "the file does not start with the CIMOCOCK magic")
    }
    let version = Int(readUInt32(data, at: 8))
    guard version == formatVersion else {
      throw PretrainError.checkpointVersion(path: path, found: version, expected: formatVersion)
    }
    let length = Int(readUInt32(data, at: 12))
    guard data.count >= 16 + length else {
      throw PretrainError.checkpointFormat(path: path, reason: "the header is cut short")
    }
    let header: Header
    do {
      header = try JSONDecoder().decode(Header.self, from: data.subdata(in: 16..<(16 + length)))
    } catch {
      throw PretrainError.checkpointFormat(path: path, reason: "the header does not decode: \(error)")
    }
    let total = header.tensors.reduce(0) { $0 + $1.count } * 4
    guard data.count == 16 + length + total else {
      throw PretrainError.checkpointFormat(
        path: path, reason: "the file is \(data.count) bytes, expected \(16 + length + total)")
    }
    return (header, data, 16 + length)
  }

  /// Restores `moco` (built from the checkpoint's own config) from the file at `path`.
  public static func restore(_ moco: MoCo, from path: String) throws -> Header {
    let (header, data, start) = try readHeader(path: path)
    guard header.config.shapeSignature == moco.config.shapeSignature else {
      throw PretrainError.checkpointMismatch(
        path: path,
        reason: "checkpoint \(header.config.shapeSignature), run \(moco.config.shapeSignature)")
    }
    let items = tensors(of: moco)
    guard items.map(\.0) == header.tensors.map(\.name), zip(items, header.tensors).allSatisfy({ $0.2 == $1.count })
    else {
      throw PretrainError.checkpointMismatch(path: path, reason: "its tensors do not match this model's")
    }
    var offset = start
    data.withUnsafeBytes { raw in
      for (_, pointer, count) in items {
        let src = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + count * 4)])
        UnsafeMutableRawPointer(pointer).copyMemory(from: src.baseAddress!, byteCount: count * 4)
        offset += count * 4
      }
    }
    moco.step = header.step
    moco.queuePointer = header.queuePointer
    moco.encoderOptimizer.restore(step: header.encoderAdamStep)
    moco.headOptimizer.restore(step: header.headAdamStep)
    if let step = header.mlmAdamStep { moco.mlmOptimizer?.restore(step: step) }
    return header
  }

  static func readUInt32(_ data: Data, at offset: Int) -> UInt32 {
    var v: UInt32 = 0
    for i in 0..<4 { v |= UInt32(data[data.startIndex + offset + i]) << (8 * i) }
    return v
  }
}
