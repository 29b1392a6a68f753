#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One stored function unit, as read back for clone detection and search.
public struct StoredUnit: Sendable, Equatable {
  public var id: Int64
  public var fileID: Int64
  public var path: String
  public var ordinal: Int
  public var parentOrdinal: Int?
  public var name: String?
  public var kind: String
  public var startByte: Int
  public var endByte: Int
  public var startLine: Int
  public var endLine: Int
  public var tokenCount: Int
  public var exactHash: String
  public var canonicalHash: String
  /// Whether the unit is a callback of a test framework call (`describe`, `it`, `test`, hooks); see
  /// `TestCode`. Test paths are judged when groups are formed, not stored.
  public var testCallback: Bool = false
  /// Whether the unit's file is generated (`GeneratedCode`: its header comment says so), which `ReviewScope` treats
  /// as build output.
  public var generatedFile: Bool = false

  public var lineCount: Int { endLine - startLine + 1 }
}

/// Everything in the index at one moment: units and their vectors (row `i` of `vectors` belongs to
/// `units[i]`).
public struct IndexSnapshot: Sendable {
  public var units: [StoredUnit]
  public var vectors: [Float]
  public var dimension: Int
  public var modelID: String
  public var fileCount: Int
  /// Per unit, 32-bit hashes of its tokens as written (`UnitTokens.exact`) and identifier-blind
  /// (`UnitTokens.features`: locals as `ID`, literals by class), for near-miss detection. Empty when
  /// the snapshot was made without them.
  public var rawTokens: [[UInt32]] = []
  public var blindTokens: [[UInt32]] = []
  /// Whether `rawTokens` and `blindTokens` are in source order (the index stores them so); snapshots made from
  /// `codeintel units` records hold them sorted, so runs of tokens (`CloneGroup.runOverlap`) cannot be read there.
  public var tokensInSourceOrder = true

  /// The vector of unit `i`.
  public func vector(_ i: Int) -> ArraySlice<Float> { vectors[(i * dimension)..<((i + 1) * dimension)] }
}

/// The SQLite file behind a repository's clone index (`<repo>/.codeintel/index.sqlite`, WAL mode).
///
/// Tables: `meta(key, value)`, `files(id, path, content_hash, size, mtime_ns, language, unit_count,
/// parse_errors, generated)` and `units(id, file_id, ordinal, parent_ordinal, name, kind, start_byte, end_byte,
/// start_line, end_line, token_count, exact_hash, canonical_hash, embedding)`. A file and its units
/// are always written in one transaction, so a crash leaves each file either fully old, fully new
/// or absent. The header's `application_id` and `user_version` identify the format; a file that
/// fails them (or `PRAGMA quick_check`) is moved aside and rebuilt.
public final class IndexStore {
  /// `'CIDX'`.
  public static let applicationID: Int64 = 0x4349_4458
  /// Bumped on any schema change.
  public static let schemaVersion: Int64 = 1

  public let db: SQLiteDatabase
  public let path: String

  /// Opens the index at `path`, creating it if needed. A foreign, outdated or corrupt file is renamed
  /// to `<path>.bad` and replaced; `notice` receives a sentence saying so.
  public init(path: String, notice: (String) -> Void = { _ in }) throws {
    self.path = path
    if let problem = Self.problem(with: path) {
      notice("\(path): \(problem); moving it to \(path).bad and rebuilding the index")
      for suffix in ["-wal", "-shm"] { unlink(path + suffix) }
      unlink(path + ".bad")
      if rename(path, path + ".bad") != 0 && unlink(path) != 0 {
        throw CloneIndexError.io("cannot replace the broken index \(path): \(String(cString: strerror(errno)))")
      }
    }
    db = try SQLiteDatabase(path: path)
    try db.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
    try createSchemaIfNeeded()
    try db.execute(
      "CREATE TABLE IF NOT EXISTS encoder_views(key TEXT PRIMARY KEY, written BLOB NOT NULL, blind BLOB NOT NULL)")
    try db.execute("CREATE TABLE IF NOT EXISTS function_signatures(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    try db.execute("CREATE TABLE IF NOT EXISTS body_sizes(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
  }

  /// Why the file at `path` cannot be used, or nil if it is absent, empty or a valid index.
  static func problem(with path: String) -> String? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    if st.st_size == 0 { return nil }
    do {
      let db = try SQLiteDatabase(path: path)
      guard let app = try db.scalarInt("PRAGMA application_id"), let version = try db.scalarInt("PRAGMA user_version")
      else { return "cannot read its header" }
      if app != applicationID {
        let tables = try db.scalarInt("SELECT count(*) FROM sqlite_master") ?? 0
        if app == 0 && tables == 0 { return nil }
        return "not a codeintel index (application_id \(app))"
      }
      if version != schemaVersion { return "index format \(version), this codeintel writes format \(schemaVersion)" }
      let check = try db.prepare("PRAGMA quick_check")
      if try check.step(), let result = check.string(0), result != "ok" { return "corrupt (\(result))" }
      return nil
    } catch {
      return "unreadable or corrupt (\(error))"
    }
  }

  private func createSchemaIfNeeded() throws {
    try db.transaction {
      if try db.scalarInt("PRAGMA application_id") == Self.applicationID { return }
      try db.execute(
        """
        PRAGMA application_id = \(Self.applicationID);
        PRAGMA user_version = \(Self.schemaVersion);
        CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS files(
          id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, content_hash TEXT NOT NULL, size INTEGER NOT NULL,
          mtime_ns INTEGER NOT NULL, language TEXT NOT NULL, unit_count INTEGER NOT NULL,
          parse_errors INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS units(
          id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
          ordinal INTEGER NOT NULL, parent_ordinal INTEGER, name TEXT, kind TEXT NOT NULL,
          start_byte INTEGER NOT NULL, end_byte INTEGER NOT NULL, start_line INTEGER NOT NULL,
          end_line INTEGER NOT NULL, token_count INTEGER NOT NULL, exact_hash TEXT NOT NULL,
          canonical_hash TEXT NOT NULL, embedding BLOB NOT NULL, UNIQUE(file_id, ordinal));
        CREATE INDEX IF NOT EXISTS units_by_file ON units(file_id);
        CREATE TABLE IF NOT EXISTS pair_cache(
          generation INTEGER NOT NULL, threshold REAL NOT NULL, a INTEGER NOT NULL, b INTEGER NOT NULL,
          score REAL NOT NULL);
        """)
    }
    try addColumnsIfMissing()
  }

  /// Columns added after format 1 shipped. An index without them gets them empty; its hashing version
  /// is older too, so the indexer refills every row (`RepositoryIndexer.hashingVersion`).
  private func addColumnsIfMissing() throws {
    let wanted = [
      ("units", "test_callback", "INTEGER NOT NULL DEFAULT 0"), ("units", "raw_tokens", "BLOB"),
      ("units", "blind_tokens", "BLOB"), ("files", "generated", "INTEGER NOT NULL DEFAULT 0"),
    ]
    var have: Set<String> = []
    for table in ["units", "files"] {
      let info = try db.prepare("PRAGMA table_info(\(table))")
      while try info.step() { if let name = info.string(1) { have.insert(table + "." + name) } }
    }
    let missing = wanted.filter { !have.contains($0.0 + "." + $0.1) }
    guard !missing.isEmpty else { return }
    try db.transaction {
      for (table, name, type) in missing { try db.execute("ALTER TABLE \(table) ADD COLUMN \(name) \(type)") }
    }
  }

  // MARK: - Meta

  /// A value from the `meta` table.
  public func meta(_ key: String) throws -> String? {
    let s = try db.prepare("SELECT value FROM meta WHERE key = ?1")
    s.bind(1, key)
    return try s.step() ? s.string(0) : nil
  }

  /// Sets a `meta` value (call inside a transaction to make it atomic with other writes).
  public func setMeta(_ key: String, _ value: String) throws {
    let s = try db.prepare("INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2")
    s.bind(1, key)
    s.bind(2, value)
    try s.run()
  }

  /// A counter bumped by every write, so cached results can tell whether the index changed.
  public func generation() throws -> Int64 { Int64(try meta("generation") ?? "0") ?? 0 }

  func bumpGeneration() throws { try setMeta("generation", String(try generation() + 1)) }

  // MARK: - Files

  /// What the index knows about a stored file.
  public struct FileRecord: Sendable {
    public var id: Int64
    public var contentHash: String
    public var size: Int
    public var modifiedNanoseconds: Int64
  }

  /// All stored files by path.
  public func files() throws -> [String: FileRecord] {
    let s = try db.prepare("SELECT id, path, content_hash, size, mtime_ns FROM files")
    var out: [String: FileRecord] = [:]
    while try s.step() {
      guard let path = s.string(1), let hash = s.string(2) else { continue }
      out[path] = FileRecord(id: s.int(0), contentHash: hash, size: Int(s.int(3)), modifiedNanoseconds: s.int(4))
    }
    return out
  }

  /// Deletes a file and its units (inside the caller's transaction).
  public func deleteFile(id: Int64) throws {
    let u = try db.prepare("DELETE FROM units WHERE file_id = ?1")
    u.bind(1, id)
    try u.run()
    let f = try db.prepare("DELETE FROM files WHERE id = ?1")
    f.bind(1, id)
    try f.run()
  }

  /// Records a new modification time for a file whose content did not change.
  public func touchFile(id: Int64, size: Int, modifiedNanoseconds: Int64) throws {
    let s = try db.prepare("UPDATE files SET size = ?2, mtime_ns = ?3 WHERE id = ?1")
    s.bind(1, id)
    s.bind(2, size)
    s.bind(3, modifiedNanoseconds)
    try s.run()
  }

  /// One unit ready to store.
  public struct NewUnit: Sendable {
    public var ordinal: Int
    public var parentOrdinal: Int?
    public var name: String?
    public var kind: String
    public var startByte: Int
    public var endByte: Int
    public var startLine: Int
    public var endLine: Int
    public var tokenCount: Int
    public var exactHash: String
    public var canonicalHash: String
    public var embedding: [Float]
    public var testCallback: Bool = false
    /// 32-bit token hashes, as written and identifier-blind (`StoredUnit` snapshots read them back).
    public var rawTokens: [UInt32] = []
    public var blindTokens: [UInt32] = []
  }

  /// Inserts a file row and its units (inside the caller's transaction); returns the file id.
  @discardableResult
  public func insertFile(
    path: String, contentHash: String, size: Int, modifiedNanoseconds: Int64, language: String, parseErrors: Int,
    generated: Bool = false, units: [NewUnit]
  ) throws -> Int64 {
    let f = try db.prepare(
      "INSERT INTO files(path, content_hash, size, mtime_ns, language, unit_count, parse_errors, generated) "
        + "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
    f.bind(1, path)
    f.bind(2, contentHash)
    f.bind(3, size)
    f.bind(4, modifiedNanoseconds)
    f.bind(5, language)
    f.bind(6, units.count)
    f.bind(7, parseErrors)
    f.bind(8, generated ? 1 : 0)
    try f.run()
    let fileID = db.lastInsertRowID
    let u = try db.prepare(
      "INSERT INTO units(file_id, ordinal, parent_ordinal, name, kind, start_byte, end_byte, start_line, end_line, "
        + "token_count, exact_hash, canonical_hash, embedding, test_callback, raw_tokens, blind_tokens) "
        + "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
    )
    for unit in units {
      u.bind(1, fileID)
      u.bind(2, unit.ordinal)
      if let p = unit.parentOrdinal { u.bind(3, p) } else { u.bindNull(3) }
      u.bind(4, unit.name)
      u.bind(5, unit.kind)
      u.bind(6, unit.startByte)
      u.bind(7, unit.endByte)
      u.bind(8, unit.startLine)
      u.bind(9, unit.endLine)
      u.bind(10, unit.tokenCount)
      u.bind(11, unit.exactHash)
      u.bind(12, unit.canonicalHash)
      u.bind(13, floats: unit.embedding)
      u.bind(14, unit.testCallback ? 1 : 0)
      u.bind(15, uint32s: unit.rawTokens)
      u.bind(16, uint32s: unit.blindTokens)
      try u.run()
    }
    return fileID
  }

  /// Removes every file and unit (used when the embedder or the hashing changes).
  public func clear() throws {
    try db.execute(
      "DELETE FROM units; DELETE FROM files; DELETE FROM pair_cache; DELETE FROM encoder_views; "
        + "DELETE FROM function_signatures; DELETE FROM body_sizes;")
  }

  // MARK: - Function signatures

  /// The functional kind's signatures (`FunctionSignature.encoded`) stored under `keys` (`FunctionSignature.key`: the
  /// file's content hash and the unit's byte range, so a key never goes stale, only unused), by key.
  public func functionSignatures(_ keys: [String]) throws -> [String: String] {
    try values(keys, table: "function_signatures")
  }

  /// Stores signatures under their keys (one transaction).
  public func storeFunctionSignatures(_ rows: [(key: String, value: String)]) throws {
    try store(rows, table: "function_signatures")
  }

  // MARK: - Body sizes

  /// The body sizes `CloneWorth` measured (`statements,tokens,compound`) stored under `keys` (a file's content hash
  /// and a function's byte range, so a key never goes stale, only unused), by key.
  public func bodySizes(_ keys: [String]) throws -> [String: String] {
    try values(keys, table: "body_sizes")
  }

  /// Stores body sizes under their keys (one transaction).
  public func storeBodySizes(_ rows: [(key: String, value: String)]) throws {
    try store(rows, table: "body_sizes")
  }

  private func values(_ keys: [String], table: String) throws -> [String: String] {
    let s = try db.prepare("SELECT value FROM \(table) WHERE key = ?1")
    var out: [String: String] = [:]
    for k in Set(keys) {
      s.reset()
      s.bind(1, k)
      if try s.step(), let v = s.string(0) { out[k] = v }
    }
    return out
  }

  private func store(_ rows: [(key: String, value: String)], table: String) throws {
    guard !rows.isEmpty else { return }
    try db.transaction {
      let s = try db.prepare("INSERT OR REPLACE INTO \(table)(key, value) VALUES(?1, ?2)")
      for r in rows {
        s.bind(1, r.key)
        s.bind(2, r.value)
        try s.run()
      }
    }
  }

  // MARK: - Encoder views

  /// The learned pair gate's encoder vectors stored under `keys` (the encoder's id and a hash of the unit's
  /// text: a key never goes stale, only unused), by key; absent keys are missing.
  public func encoderViews(_ keys: [String]) throws -> [String: (asWritten: [Float], blind: [Float])] {
    let s = try db.prepare("SELECT written, blind FROM encoder_views WHERE key = ?1")
    var out: [String: (asWritten: [Float], blind: [Float])] = [:]
    for k in Set(keys) {
      s.reset()
      s.bind(1, k)
      if try s.step() {
        var w: [Float] = []
        var b: [Float] = []
        _ = s.appendFloats(0, to: &w)
        _ = s.appendFloats(1, to: &b)
        out[k] = (w, b)
      }
    }
    return out
  }

  /// Every encoder view stored under a key that starts with `prefix` (say, one encoder's id and `|`), by key:
  /// the language server reads them once when it opens the index.
  public func encoderViews(prefix: String) throws -> [String: (asWritten: [Float], blind: [Float])] {
    // Keys from `prefix` up to `prefix` followed by the highest code point: a range the primary key serves.
    let s = try db.prepare("SELECT key, written, blind FROM encoder_views WHERE key >= ?1 AND key < ?2")
    s.bind(1, prefix)
    s.bind(2, prefix + "\u{10FFFF}")
    var out: [String: (asWritten: [Float], blind: [Float])] = [:]
    while try s.step() {
      var w: [Float] = []
      var b: [Float] = []
      _ = s.appendFloats(1, to: &w)
      _ = s.appendFloats(2, to: &b)
      if let key = s.string(0) { out[key] = (w, b) }
    }
    return out
  }

  /// Stores encoder vectors under their keys (one transaction).
  public func storeEncoderViews(_ views: [(key: String, asWritten: [Float], blind: [Float])]) throws {
    guard !views.isEmpty else { return }
    try db.transaction {
      let s = try db.prepare("INSERT OR REPLACE INTO encoder_views(key, written, blind) VALUES(?1, ?2, ?3)")
      for v in views {
        s.bind(1, v.key)
        s.bind(2, floats: v.asWritten)
        s.bind(3, floats: v.blind)
        try s.run()
      }
    }
  }

  // MARK: - Reading

  /// Loads every unit with its vector, ordered by path and position.
  public func snapshot() throws -> IndexSnapshot {
    let modelID = try meta("embedder") ?? ""
    let dimension = Int(try meta("dimension") ?? "0") ?? 0
    let s = try db.prepare(
      "SELECT u.id, u.file_id, f.path, u.ordinal, u.parent_ordinal, u.name, u.kind, u.start_byte, u.end_byte, "
        + "u.start_line, u.end_line, u.token_count, u.exact_hash, u.canonical_hash, u.embedding, u.test_callback, "
        + "u.raw_tokens, u.blind_tokens, f.generated "
        + "FROM units u JOIN files f ON f.id = u.file_id ORDER BY f.path, u.ordinal")
    var units: [StoredUnit] = []
    var vectors: [Float] = []
    var raw: [[UInt32]] = []
    var blind: [[UInt32]] = []
    while try s.step() {
      let unit = StoredUnit(
        id: s.int(0), fileID: s.int(1), path: s.string(2) ?? "", ordinal: Int(s.int(3)),
        parentOrdinal: s.isNull(4) ? nil : Int(s.int(4)), name: s.string(5), kind: s.string(6) ?? "",
        startByte: Int(s.int(7)), endByte: Int(s.int(8)), startLine: Int(s.int(9)), endLine: Int(s.int(10)),
        tokenCount: Int(s.int(11)), exactHash: s.string(12) ?? "", canonicalHash: s.string(13) ?? "",
        testCallback: s.int(15) != 0, generatedFile: s.int(18) != 0)
      let n = s.appendFloats(14, to: &vectors)
      guard n == dimension else {
        throw CloneIndexError.incompatibleIndex(
          "unit \(unit.path):\(unit.startLine) has a vector of \(n) floats, expected \(dimension); run `codeintel index` again"
        )
      }
      units.append(unit)
      raw.append(s.uint32s(16))
      blind.append(s.uint32s(17))
    }
    let fileCount = Int(try db.scalarInt("SELECT count(*) FROM files") ?? 0)
    return IndexSnapshot(
      units: units, vectors: vectors, dimension: dimension, modelID: modelID, fileCount: fileCount, rawTokens: raw,
      blindTokens: blind)
  }

  // MARK: - Pair cache

  /// What a cached pair list holds (stored in `pair_cache.threshold`, which older indexes left 0).
  public enum PairKind: Int, Sendable {
    case functional = 0
    case nearMiss = 1

    var metaKey: String { self == .functional ? "pair_cache" : "near_miss_pair_cache" }
  }

  /// Cached similar pairs (by unit id) computed under `key` at the current generation, if any.
  public func cachedPairs(key: String, kind: PairKind = .functional) throws -> [(a: Int64, b: Int64, score: Float)]? {
    let gen = try generation()
    guard try meta(kind.metaKey) == "\(gen)|\(key)" else { return nil }
    let s = try db.prepare("SELECT a, b, score FROM pair_cache WHERE threshold = ?1")
    s.bind(1, kind.rawValue)
    var out: [(a: Int64, b: Int64, score: Float)] = []
    while try s.step() { out.append((s.int(0), s.int(1), Float(s.double(2)))) }
    return out
  }

  /// Replaces the cached pairs of `kind` with `pairs` computed under `key` at the current generation.
  public func storePairs(
    _ pairs: [(a: Int64, b: Int64, score: Float)], key: String, kind: PairKind = .functional
  ) throws {
    try db.transaction {
      let gen = try generation()
      let d = try db.prepare("DELETE FROM pair_cache WHERE threshold = ?1")
      d.bind(1, kind.rawValue)
      try d.run()
      let s = try db.prepare("INSERT INTO pair_cache(generation, threshold, a, b, score) VALUES(?1, ?2, ?3, ?4, ?5)")
      for p in pairs {
        s.bind(1, gen)
        s.bind(2, kind.rawValue)
        s.bind(3, p.a)
        s.bind(4, p.b)
        s.bind(5, Double(p.score))
        try s.run()
      }
      try setMeta(kind.metaKey, "\(gen)|\(key)")
    }
  }
}
