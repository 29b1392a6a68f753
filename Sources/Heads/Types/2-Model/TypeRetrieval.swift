import CloneIndex
import CodeIntel
import Foundation

/// Retrieval over train type sites (Type4Py-style kNN; docs/TYPES.md, "Retrieval"): a datastore of
/// (site vector, label) pairs from the train split, searched by cosine similarity. The site vector is the one
/// the head scores its candidates from, `u = ReLU(W1 x + b1)` (`TypeHead`), so the datastore belongs to one
/// head: it records a fingerprint of the head folder's weights and is refused with another head.
///
/// A query site's `k` nearest train sites vote for their labels with weights `exp((s − s_max) / τ)`,
/// normalised over the `k` (`votes`); a label is offered only where it is a type in scope at the site (`inScope`,
/// the rule the head's composed candidates obey), and the votes of labels out of scope are dropped, not
/// re-spread, so they lower the confidence. The head's probabilities and the votes are mixed as
/// `(1 − λ) · head + λ · votes` (`mix`); `k`, `τ` and `λ` are fitted on the valid splits and stored with the
/// datastore.
///
/// File `type-retrieval.bin` in the head folder: the magic `CITYKNN1`, a little-endian UInt32 header length,
/// the JSON `Header`, then `count` Float32 row scales, `count` UInt32 label ids and `count × dimension` Int8
/// components (each row L2-normalised, then divided by its scale = max |component| / 127 and rounded).
public struct TypeRetrieval: Sendable {
  public static let fileName = "type-retrieval.bin"
  public static let formatName = "codeintel-type-retrieval"
  public static let formatVersion = 1
  static let magic = Array("CITYKNN1".utf8)

  /// The JSON header of the file.
  public struct Header: Codable, Sendable, Equatable {
    public var format: String = formatName
    public var version: Int = formatVersion
    public var dimension: Int
    public var count: Int
    /// Distinct labels (normalised types); a row's label id indexes this list.
    public var labels: [String]
    /// Neighbours that vote, their temperature, and the retrieval's share λ in the mix with the head.
    public var k: Int
    public var temperature: Double
    public var weight: Double
    /// FNV-1a 64 of the head folder's `encoder.safetensors` then `typehead.safetensors` (hex): the weights the
    /// vectors were computed with.
    public var modelFingerprint: String
    /// Where the rows came from: the train split's SHA-256, its files and packages, the sites kept per package
    /// at most, the seed of the subsample.
    public var trainSHA256: String
    public var trainFiles: Int
    public var trainPackages: Int
    public var sitesPerPackage: Int
    public var seed: UInt64
    /// What the fit on the valid splits chose and measured (free text lines; empty when not fitted).
    public var fit: [String]
    /// How the votes meet the head (`Rule`); nil in files that predate the choice: `interpolate`.
    public var rule: String?

    public init(
      dimension: Int, count: Int, labels: [String], k: Int, temperature: Double, weight: Double,
      modelFingerprint: String, trainSHA256: String = "", trainFiles: Int = 0, trainPackages: Int = 0,
      sitesPerPackage: Int = 0, seed: UInt64 = 0, fit: [String] = []
    ) {
      self.dimension = dimension
      self.count = count
      self.labels = labels
      self.k = k
      self.temperature = temperature
      self.weight = weight
      self.modelFingerprint = modelFingerprint
      self.trainSHA256 = trainSHA256
      self.trainFiles = trainFiles
      self.trainPackages = trainPackages
      self.sitesPerPackage = sitesPerPackage
      self.seed = seed
      self.fit = fit
    }
  }

  public var header: Header
  /// Row label ids (into `header.labels`).
  public let labelIDs: [Int32]
  /// Rows kept as the file stores them (int8 + a scale) and turned into floats one block at a time while
  /// searching, so a datastore costs its file's size in memory rather than four times it (an editor holds one
  /// per open workspace).
  public var rowCount: Int { header.count }
  /// Rows turned into floats per search block (bounds the scratch buffer: 4,096 × dimension floats).
  public var searchBlockRows = 4096

  /// How the votes meet the head's probabilities.
  public enum Rule: String, Sendable, CaseIterable {
    /// `(1 − λ) · p_head(t) + λ · vote(t)` (`mix`).
    case interpolate
    /// `p_head(t) + λ · p_head(other) · vote(t)`: the votes share out only the probability the head gave
    /// "other" (a type it cannot name), so the head's own ranking of what it can name stays (`fillOther`).
    case other
  }

  public var rule: Rule { header.rule.flatMap(Rule.init(rawValue:)) ?? .interpolate }
  public var k: Int { header.k }
  public var temperature: Double { header.temperature }
  public var weight: Double { header.weight }

  /// A datastore of `vectors` (row-major, any norm; rows are L2-normalised here, a zero row stays zero) and
  /// their labels. The rows are quantised to int8 as the file stores them, so a datastore built in memory
  /// answers exactly as the same one read back.
  public init(header: Header, vectors: [Float], labels: [String]) {
    precondition(vectors.count == labels.count * header.dimension, "one label per row")
    var names: [String] = []
    var ids: [String: Int32] = [:]
    var rowLabels: [Int32] = []
    for l in labels {
      if let i = ids[l] {
        rowLabels.append(i)
      } else {
        ids[l] = Int32(names.count)
        rowLabels.append(Int32(names.count))
        names.append(l)
      }
    }
    var h = header
    h.labels = names
    h.count = labels.count
    let (scales, q) = Self.quantise(vectors, dimension: header.dimension)
    self.init(header: h, labelIDs: rowLabels, scales: scales, quantised: q)
  }

  init(header: Header, labelIDs: [Int32], scales: [Float], quantised: [Int8]) {
    self.header = header
    self.labelIDs = labelIDs
    let d = header.dimension
    var factors = [Float](repeating: 0, count: header.count)
    for r in 0..<header.count {
      var norm: Float = 0
      for j in 0..<d {
        let v = Float(quantised[r * d + j]) * scales[r]
        norm += v * v
      }
      if norm > 0 { factors[r] = 1 / norm.squareRoot() }
    }
    rowFactors = factors
    storedScales = scales
    storedRows = quantised
  }

  private let storedScales: [Float]
  private let storedRows: [Int8]
  /// Per row, 1 / the L2 norm of its dequantised components (0 for a zero row).
  private let rowFactors: [Float]

  /// Rows `range` as L2-normalised floats, row-major: each component is `(q · scale) · factor`, the same
  /// operations in the same order whichever block a row is read in.
  public func rowVectors(_ range: Range<Int>) -> [Float] {
    let d = header.dimension
    var out = [Float](repeating: 0, count: range.count * d)
    for (i, r) in range.enumerated() where rowFactors[r] > 0 {
      let scale = storedScales[r]
      let f = rowFactors[r]
      for j in 0..<d { out[i * d + j] = (Float(storedRows[r * d + j]) * scale) * f }
    }
    return out
  }

  /// Per row: L2-normalise, then scale = max |x| / 127 and round to int8 (a zero row gets scale 0).
  static func quantise(_ vectors: [Float], dimension d: Int) -> (scales: [Float], rows: [Int8]) {
    let n = vectors.count / d
    var scales = [Float](repeating: 0, count: n)
    var rows = [Int8](repeating: 0, count: vectors.count)
    for r in 0..<n {
      var norm: Float = 0
      for j in 0..<d { norm += vectors[r * d + j] * vectors[r * d + j] }
      guard norm > 0 else { continue }
      let inv = 1 / norm.squareRoot()
      var m: Float = 0
      for j in 0..<d { m = max(m, abs(vectors[r * d + j] * inv)) }
      guard m > 0 else { continue }
      let scale = m / 127
      scales[r] = scale
      for j in 0..<d { rows[r * d + j] = Int8((vectors[r * d + j] * inv / scale).rounded()) }
    }
    return (scales, rows)
  }

  // MARK: - Searching and voting

  /// The `k` nearest rows of each query (row-major `count × dimension`, any norm: normalised here; a zero
  /// query gets no neighbours), best first.
  public func neighbours(_ queries: [Float], count: Int, k: Int) -> [[Neighbor]] {
    let d = header.dimension
    var q = queries
    var zero = [Bool](repeating: false, count: count)
    for r in 0..<count {
      var norm: Float = 0
      for j in 0..<d { norm += q[r * d + j] * q[r * d + j] }
      if norm == 0 {
        zero[r] = true
        continue
      }
      let s = 1 / norm.squareRoot()
      for j in 0..<d { q[r * d + j] *= s }
    }
    guard rowCount > 0, count > 0, k > 0 else { return Array(repeating: [], count: count) }
    // Block by block: each block's k best (ids offset to the whole datastore), then the k best of those,
    // ties by smaller id as `FlatVectorIndex` orders them.
    var found = [[Neighbor]](repeating: [], count: count)
    let block = max(1, searchBlockRows)
    var start = 0
    while start < rowCount {
      let end = min(rowCount, start + block)
      let part = FlatVectorIndex(vectors: rowVectors(start..<end), dimension: d)
      for (qi, hits) in part.search(q, queryCount: count, k: k).enumerated() {
        found[qi] += hits.map { Neighbor(id: $0.id + start, score: $0.score) }
      }
      start = end
    }
    return found.enumerated().map { qi, hits in
      if zero[qi] { return [] }
      let best = hits.sorted { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
      return Array(best.prefix(k))
    }
  }

  /// The label of a row.
  public func label(_ row: Int) -> String { header.labels[Int(labelIDs[row])] }

  /// The votes of the first `k` neighbours (best first): weight `exp((s − s_max) / τ)` each, normalised to sum
  /// 1 over the `k`, summed per label; labels for which `allowed` is false are dropped after normalising (their
  /// share is lost, not re-spread). Best first, ties by text.
  public func votes(
    _ neighbours: [Neighbor], k: Int? = nil, temperature: Double? = nil, allowed: (String) -> Bool = { _ in true }
  ) -> [(type: String, weight: Float)] {
    let used = neighbours.prefix(k ?? header.k)
    guard let top = used.first?.score else { return [] }
    let tau = Float(temperature ?? header.temperature)
    var total: Float = 0
    var byLabel: [Int32: Float] = [:]
    for n in used {
      let w = exp((n.score - top) / tau)
      total += w
      byLabel[labelIDs[n.id], default: 0] += w
    }
    var out: [(type: String, weight: Float)] = []
    for (id, w) in byLabel {
      let type = header.labels[Int(id)]
      if allowed(type) { out.append((type, w / total)) }
    }
    return out.sorted { $0.weight != $1.weight ? $0.weight > $1.weight : $0.type < $1.type }
  }

  /// The head's ranking mixed with the retrieval's votes: `(1 − λ) · p_head(t) + λ · vote(t)` for every type of
  /// either list, best first, ties by text, at most `top`. `headProbability(t)` is the head's probability of a
  /// voted type `t` (also when it is outside `head`, which holds the head's best few); with `head` holding at
  /// least `top` types, the result equals mixing the whole softmax.
  public static func mix(
    head: [(type: String, probability: Float)], votes: [(type: String, weight: Float)],
    headProbability: (String) -> Float, weight lambda: Float, top: Int
  ) -> [(type: String, probability: Float)] {
    var score: [String: Float] = [:]
    for h in head { score[h.type] = (1 - lambda) * h.probability }
    for v in votes {
      let base = score[v.type] ?? (1 - lambda) * headProbability(v.type)
      score[v.type] = base + lambda * v.weight
    }
    var out: [(type: String, probability: Float)] = []
    for (type, p) in score where p > 0 { out.append((type, p)) }
    out.sort { a, b in a.probability != b.probability ? a.probability > b.probability : a.type < b.type }
    return Array(out.prefix(top))
  }

  /// The head's ranking with its "other" probability shared out by the votes: `p_head(t) + λ · other · vote(t)`
  /// for every type of either list, best first, ties by text, at most `top` (`headProbability` as in `mix`).
  public static func fillOther(
    head: [(type: String, probability: Float)], votes: [(type: String, weight: Float)],
    headProbability: (String) -> Float, other: Float, weight lambda: Float, top: Int
  ) -> [(type: String, probability: Float)] {
    var score: [String: Float] = [:]
    for h in head { score[h.type] = h.probability }
    for v in votes {
      let base = score[v.type] ?? headProbability(v.type)
      score[v.type] = base + lambda * other * v.weight
    }
    var out: [(type: String, probability: Float)] = []
    for (type, p) in score where p > 0 { out.append((type, p)) }
    out.sort { a, b in a.probability != b.probability ? a.probability > b.probability : a.type < b.type }
    return Array(out.prefix(top))
  }

  // MARK: - The in-scope rule

  /// Words that are types everywhere: primitives, literal keywords, and the type operators' keywords.
  public static let keywords: Set<String> = [
    "string", "number", "boolean", "void", "undefined", "null", "unknown", "never", "object", "symbol", "bigint",
    "true", "false", "this", "keyof", "typeof", "readonly", "unique", "infer", "extends",
  ]

  /// Whether every name in `type` is a type in scope, by the rule the head's composed candidates follow: a name
  /// the file declares or imports (`names`), a type parameter around the site (`typeParameters`), a global lib
  /// type (`TypeNames.globalTypes`), a keyword or primitive, or a number (literal types). String literals are
  /// skipped; a qualified name (`ts.Node`) needs its first part in `names`; a type containing `any` is never in
  /// scope (the head never proposes one). `TypeNames.problem` judges the shown suggestions again afterwards.
  public static func inScope(_ type: String, names: Set<String>, typeParameters: Set<String>) -> Bool {
    var words: [String] = []
    var word = ""
    var quote: Character?
    var afterDot = false
    var dotted: [Bool] = []
    func flush() {
      if !word.isEmpty {
        words.append(word)
        dotted.append(afterDot)
        afterDot = false
      }
      word = ""
    }
    for ch in type {
      if let q = quote {
        if ch == q { quote = nil }
        continue
      }
      if ch == "'" || ch == "\"" || ch == "`" {
        flush()
        quote = ch
      } else if ch.isLetter || ch.isNumber || ch == "_" || ch == "$" {
        word.append(ch)
      } else {
        flush()
        if ch == "." { afterDot = true } else if ch != " " { afterDot = false }
      }
    }
    flush()
    guard quote == nil else { return false }
    for (w, member) in zip(words, dotted) {
      if member { continue }  // the member of a qualified name: its first part decides
      if w == "any" { return false }
      let known: Bool
      if w.first?.isNumber == true || keywords.contains(w) {
        known = true
      } else {
        known = TypeNames.globalTypes.contains(w) || names.contains(w) || typeParameters.contains(w)
      }
      if !known { return false }
    }
    if !words.isEmpty { return true }
    return type.contains("'") || type.contains("\"")
  }

  // MARK: - Files

  /// FNV-1a 64 over the bytes of the files, in order (hex): the weights a datastore was computed with.
  public static func fingerprint(_ files: [URL]) throws -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for url in files {
      guard let data = FileManager.default.contents(atPath: url.path) else {
        throw CodeIntelError("\(url.path): cannot read it to fingerprint the type head")
      }
      data.withUnsafeBytes { raw in
        for b in raw.bindMemory(to: UInt8.self) {
          h ^= UInt64(b)
          h = h &* 0x100_0000_01b3
        }
      }
    }
    return String(h, radix: 16)
  }

  /// The fingerprint of a head folder's weights (`encoder.safetensors`, then `typehead.safetensors`).
  public static func fingerprint(headFolder: URL, encoder: String, typehead: String) throws -> String {
    try fingerprint([headFolder.appendingPathComponent(encoder), headFolder.appendingPathComponent(typehead)])
  }

  /// The file's bytes.
  public func serialized() throws -> Data {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let json = try e.encode(header)
    var out = Data(Self.magic)
    var length = UInt32(json.count).littleEndian
    withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
    out.append(json)
    for s in storedScales {
      var v = s.bitPattern.littleEndian
      withUnsafeBytes(of: &v) { out.append(contentsOf: $0) }
    }
    for id in labelIDs {
      var v = UInt32(bitPattern: id).littleEndian
      withUnsafeBytes(of: &v) { out.append(contentsOf: $0) }
    }
    storedRows.withUnsafeBytes { out.append(contentsOf: $0) }
    return out
  }

  /// Writes `type-retrieval.bin` into `directory`.
  public func write(to directory: URL) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try serialized().write(to: directory.appendingPathComponent(Self.fileName))
  }

  /// Reads a datastore from its bytes; `path` names it in the error.
  public static func read(_ data: Data, path: String) throws -> TypeRetrieval {
    func broken(_ why: String) -> CodeIntelError {
      CodeIntelError(
        "\(path): not a usable type-retrieval datastore (\(why)); rebuild it with `codeintel finetune types-datastore`")
    }
    let bytes = [UInt8](data)
    guard bytes.count >= magic.count + 4, Array(bytes.prefix(magic.count)) == magic else {
      throw broken("it does not start with \(String(decoding: magic, as: UTF8.self))")
    }
    func u32(_ at: Int) -> UInt32 {
      UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
    let length = Int(u32(magic.count))
    let start = magic.count + 4
    guard start + length <= bytes.count else { throw broken("its header is cut off") }
    let header: Header
    do { header = try JSONDecoder().decode(Header.self, from: Data(bytes[start..<(start + length)])) } catch {
      throw broken("its header is not valid JSON")
    }
    guard header.format == formatName, header.version == formatVersion else {
      throw broken("format \(header.format) v\(header.version), expected \(formatName) v\(formatVersion)")
    }
    guard header.dimension > 0, header.count >= 0, header.k > 0, header.temperature > 0,
      header.weight >= 0, header.weight <= 4, header.rule.map({ Rule(rawValue: $0) != nil }) ?? true
    else { throw broken("its header has an impossible dimension, count, k, temperature or weight") }
    let n = header.count
    let body = start + length
    guard bytes.count == body + n * 8 + n * header.dimension else {
      throw broken("it holds \(bytes.count - body) bytes of rows, expected \(n * 8 + n * header.dimension)")
    }
    var scales = [Float](repeating: 0, count: n)
    var ids = [Int32](repeating: 0, count: n)
    for r in 0..<n {
      scales[r] = Float(bitPattern: u32(body + 4 * r))
      let id = u32(body + 4 * n + 4 * r)
      guard Int(id) < header.labels.count, scales[r].isFinite, scales[r] >= 0 else {
        throw broken("row \(r) has a label id or scale out of range")
      }
      ids[r] = Int32(bitPattern: id)
    }
    let rowStart = body + 8 * n
    let rows = bytes[rowStart...].map { Int8(bitPattern: $0) }
    return TypeRetrieval(header: header, labelIDs: ids, scales: scales, quantised: rows)
  }

  /// Reads `type-retrieval.bin` from a head folder; nil when the folder has none.
  public static func load(directory: URL) throws -> TypeRetrieval? {
    let url = directory.appendingPathComponent(fileName)
    guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
    return try read(data, path: url.path)
  }
}
