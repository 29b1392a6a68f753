import CloneIndex
import Foundation

// MARK: - The retrieval datastore

/// The names of train functions, searchable by the name head's own encoder (issue 19's retrieval): one
/// L2-normalised vector per train function (the masked mean of the fine-tuned encoder's states over the function
/// as the dataset writes it, its name hidden) and that function's name subtokens. Searching it by cosine
/// (`FlatVectorIndex`, blocked `cblas_sgemm`) gives the names of the most similar train functions: candidates
/// that `NameRetrievalRanking` ranks together with the decoder's beams.
///
/// On disk (`retrieval.bin` in the head folder; `codeintel finetune name-retrieval` writes it):
/// - 8 bytes `CINAMEKN`, then the format version (UInt32, little-endian) and the header's length in bytes (UInt32);
/// - the header, JSON (`Header`): dimension, entry count, the sha256 of the encoder that made the vectors, where
///   the functions came from, and the distinct names (subtokens joined by spaces);
/// - `count` UInt32 (little-endian): each entry's index into the names;
/// - `count × dimension` Int8: each vector quantised as `round(127 · x / max|x|)` (its direction is all that
///   cosine reads); rows are normalised again after loading.
/// A file that is shorter or longer than its header says, names an index past the names, or was made by another
/// encoder is refused with one sentence.
public struct NameDatastore: Sendable {
  public static let fileName = "retrieval.bin"
  public static let formatVersion: UInt32 = 1
  static let magic: [UInt8] = Array("CINAMEKN".utf8)

  /// The JSON header.
  public struct Header: Codable, Sendable, Equatable {
    public var dimension: Int
    public var count: Int
    /// sha256 of the `encoder.safetensors` whose pooled states the vectors are.
    public var encoderSHA256: String
    /// Where the functions came from (free text: dataset, split, subsampling).
    public var source: String
    /// The distinct names, each as its lower-case subtokens joined by single spaces.
    public var names: [String]
    /// Which encoder made the vectors: nil or `head` (the name head's own encoder), or `model` (the pooled
    /// embedding of the pretrained model whose folder holds the head folder; its `encoder.safetensors` is the one
    /// `encoderSHA256` names).
    public var embedding: String? = nil
  }

  public let header: Header
  /// The distinct names as subtokens.
  public let names: [[String]]
  /// Entry → index into `names`.
  public let nameOfEntry: [UInt32]
  /// The vectors, dequantised and normalised, as a searchable index.
  public let index: FlatVectorIndex

  public var count: Int { header.count }
  public var dimension: Int { header.dimension }

  /// A datastore of `vectors` (row-major, `names.count × dimension`, normalised here) and each row's name. The
  /// vectors go through the same int8 quantisation as a written file, so a store in memory searches exactly as
  /// the file it writes.
  public init(
    vectors: [Float], dimension: Int, names entryNames: [[String]], encoderSHA256: String, source: String,
    embedding: String? = nil
  ) {
    precondition(dimension > 0 && vectors.count == entryNames.count * dimension, "one vector per name")
    var distinct: [String: UInt32] = [:]
    var table: [String] = []
    var of: [UInt32] = []
    of.reserveCapacity(entryNames.count)
    for n in entryNames {
      let key = MethodNameRecord.nameKey(n)
      if let i = distinct[key] {
        of.append(i)
      } else {
        distinct[key] = UInt32(table.count)
        of.append(UInt32(table.count))
        table.append(key)
      }
    }
    let quantised = Self.quantise(vectors, dimension: dimension)
    self.init(
      header: Header(
        dimension: dimension, count: entryNames.count, encoderSHA256: encoderSHA256, source: source, names: table,
        embedding: embedding),
      nameOfEntry: of, quantised: quantised)
  }

  private init(header: Header, nameOfEntry: [UInt32], quantised: [Int8]) {
    self.header = header
    self.names = header.names.map { $0.split(separator: " ").map(String.init) }
    self.nameOfEntry = nameOfEntry
    self.index = FlatVectorIndex(
      vectors: Self.dequantise(quantised, dimension: header.dimension), dimension: header.dimension)
    self.quantised = quantised
  }

  private let quantised: [Int8]

  /// Each row as Int8 `round(127 · x / max|x|)`: only a vector's direction matters (rows are normalised again on
  /// loading), so scaling by the row's largest component uses the whole Int8 range.
  static func quantise(_ vectors: [Float], dimension d: Int) -> [Int8] {
    var out = [Int8](repeating: 0, count: vectors.count)
    for r in 0..<(vectors.count / d) {
      var m: Float = 0
      for j in 0..<d { m = max(m, abs(vectors[r * d + j])) }
      guard m > 0, m.isFinite else { continue }
      let scale = 127 / m
      for j in 0..<d { out[r * d + j] = Int8(max(-127, min(127, (vectors[r * d + j] * scale).rounded()))) }
    }
    return out
  }

  /// Int8 rows back to unit Float rows (an all-zero row stays zero: it matches nothing).
  static func dequantise(_ q: [Int8], dimension d: Int) -> [Float] {
    var out = [Float](repeating: 0, count: q.count)
    for r in 0..<(q.count / d) {
      var ss: Float = 0
      for j in 0..<d {
        let x = Float(q[r * d + j])
        ss += x * x
      }
      let inv = ss > 0 ? 1 / ss.squareRoot() : 0
      for j in 0..<d { out[r * d + j] = Float(q[r * d + j]) * inv }
    }
    return out
  }

  // MARK: Search

  /// The `k` nearest entries of each query (row-major, normalised, `queryCount × dimension`), best first.
  public func neighbors(_ queries: [Float], queryCount: Int, k: Int) -> [[Neighbor]] {
    index.search(queries, queryCount: queryCount, k: k)
  }

  /// The name of an entry.
  public func name(ofEntry i: Int) -> [String] { names[Int(nameOfEntry[i])] }

  // MARK: Reading and writing

  /// The file's bytes.
  public func serialized() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let json = try encoder.encode(header)
    var data = Data(Self.magic)
    Self.append(Self.formatVersion, to: &data)
    Self.append(UInt32(json.count), to: &data)
    data.append(json)
    data.reserveCapacity(data.count + nameOfEntry.count * 4 + quantised.count)
    for i in nameOfEntry { Self.append(i, to: &data) }
    quantised.withUnsafeBytes { data.append(contentsOf: $0) }
    return data
  }

  public func write(to url: URL) throws { try serialized().write(to: url) }

  /// Reads a datastore file; anything that does not match its own header is a `NameDatastoreError` naming the file.
  public static func load(from url: URL) throws -> NameDatastore {
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw NameDatastoreError.unusable(url.path, "it cannot be read")
    }
    return try parse(data, path: url.path)
  }

  /// The datastore in `data` (`path` names it in errors).
  public static func parse(_ data: Data, path: String) throws -> NameDatastore {
    let bytes = [UInt8](data)
    guard bytes.count >= 16, Array(bytes[0..<8]) == magic else {
      throw NameDatastoreError.unusable(path, "it is not a name-retrieval datastore")
    }
    let version = readUInt32(bytes, at: 8)
    guard version == formatVersion else {
      throw NameDatastoreError.unusable(path, "it has format version \(version), this build reads \(formatVersion)")
    }
    let headerLength = Int(readUInt32(bytes, at: 12))
    guard 16 + headerLength <= bytes.count,
      let header = try? JSONDecoder().decode(Header.self, from: Data(bytes[16..<(16 + headerLength)])),
      header.dimension > 0, header.count >= 0
    else { throw NameDatastoreError.unusable(path, "its header is damaged") }
    let start = 16 + headerLength
    let expected = start + header.count * 4 + header.count * header.dimension
    guard bytes.count == expected else {
      throw NameDatastoreError.unusable(
        path, "it holds \(bytes.count) bytes where its header promises \(expected) (truncated or damaged)")
    }
    var of = [UInt32](repeating: 0, count: header.count)
    for i in 0..<header.count {
      of[i] = readUInt32(bytes, at: start + 4 * i)
      guard Int(of[i]) < header.names.count else {
        throw NameDatastoreError.unusable(path, "entry \(i) names a name past its table (damaged)")
      }
    }
    let vstart = start + header.count * 4
    let q = bytes[vstart..<expected].map { Int8(bitPattern: $0) }
    return NameDatastore(header: header, nameOfEntry: of, quantised: q)
  }

  static func append(_ x: UInt32, to data: inout Data) {
    withUnsafeBytes(of: x.littleEndian) { data.append(contentsOf: $0) }
  }

  static func readUInt32(_ b: [UInt8], at i: Int) -> UInt32 {
    UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
  }
}

/// A datastore file that cannot be used.
public enum NameDatastoreError: Error, CustomStringConvertible, LocalizedError, Equatable {
  case unusable(String, String)
  case otherEncoder(String)

  public var description: String {
    switch self {
    case .unusable(let path, let reason):
      return
        "\(path) is not a usable name-retrieval datastore: \(reason); rebuild it with `codeintel finetune name-retrieval`"
    case .otherEncoder(let path):
      return
        "\(path) was built with another encoder than this head's; rebuild it with `codeintel finetune name-retrieval`"
    }
  }
  public var errorDescription: String? { description }
}
