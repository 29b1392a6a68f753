import Syntax

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Settings for indexing a repository.
public struct IndexOptions: Sendable {
  /// Files larger than this are skipped.
  public var maxFileBytes: Int = 4 << 20
  /// For crash-safety tests only: sleep this many microseconds inside each file's transaction,
  /// between deleting its old rows and committing the new ones.
  public var transactionDelayMicroseconds: UInt32 = 0

  public init(maxFileBytes: Int = 4 << 20, transactionDelayMicroseconds: UInt32 = 0) {
    self.maxFileBytes = maxFileBytes
    self.transactionDelayMicroseconds = transactionDelayMicroseconds
  }
}

/// What happens during indexing, for progress display and `--verbose` logs.
public enum IndexEvent: Sendable {
  /// Something a user should read (a rebuilt index, a re-embed).
  case notice(String)
  case skipped(SkippedPath)
  /// A file was (re)indexed.
  case indexed(path: String, units: Int)
  /// A stored file disappeared from the repository.
  case removed(path: String)
  case progress(done: Int, total: Int)
}

/// The outcome of one indexing run.
public struct IndexSummary: Sendable, Equatable {
  public var filesSeen = 0
  public var filesIndexed = 0
  public var filesUnchanged = 0
  public var filesRemoved = 0
  public var filesSkipped = 0
  public var unitsWritten = 0
  public var totalFiles = 0
  public var totalUnits = 0
  public var reembedded = false
}

/// Brings `<repo>/.codeintel/index.sqlite` up to date with the repository: new and changed files
/// are parsed, their function units hashed and embedded, unchanged files are left alone (by size
/// and modification time, then by content hash), and deleted or newly ignored files disappear.
/// When the embedder or the hashing scheme differs from the one stored, everything is rebuilt.
public final class RepositoryIndexer {
  /// The version of the unit hashing (`UnitTokens` and `UnitCanonicalizer`); a change re-indexes everything.
  /// (`streams-v1`: the stored token streams and test-callback flags of near-miss detection; `generated-v1`: generated
  /// files are indexed with their `files.generated` flag, `GeneratedCode`, where older indexes left out some and
  /// missed others, so an older index is rebuilt rather than kept with wrong flags.)
  public static let hashingVersion = "tokens-v1+" + UnitCanonicalizer.version + "+streams-v1+generated-v1"

  public let root: String
  public let embedder: any Embedder
  public let options: IndexOptions
  public let store: IndexStore
  private let canonicalizer = UnitCanonicalizer()
  private let log: (IndexEvent) -> Void

  /// The index path of a repository.
  public static func indexPath(for root: String) -> String { root + "/.codeintel/index.sqlite" }

  /// Opens (creating if needed) the index of the repository at `root`.
  public init(
    root: String, embedder: any Embedder = HashedFeatureEmbedder(), options: IndexOptions = IndexOptions(),
    log: @escaping (IndexEvent) -> Void = { _ in }
  ) throws {
    var st = stat()
    guard stat(root, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { throw CloneIndexError.notADirectory(root) }
    let trimmed = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    self.root = trimmed
    self.embedder = embedder
    self.options = options
    self.log = log
    let dir = trimmed + "/.codeintel"
    if mkdir(dir, 0o755) != 0 && errno != EEXIST {
      throw CloneIndexError.io("cannot create \(dir): \(String(cString: strerror(errno)))")
    }
    lockPath = dir + "/lock"
    // Opening may move a broken index aside and create the schema: one process at a time.
    let lock = try IndexLock(path: lockPath) { log(.notice(Self.waitingMessage(trimmed))) }
    store = try IndexStore(path: Self.indexPath(for: trimmed)) { log(.notice($0)) }
    withExtendedLifetime(lock) {}
  }

  private let lockPath: String

  static func waitingMessage(_ root: String) -> String {
    "another codeintel run is updating the index of \(root); waiting for it to finish"
  }

  // MARK: - Updating

  /// Updates the index and returns what changed.
  @discardableResult
  public func update() throws -> IndexSummary {
    // Concurrent runs on one repository take turns (the second then finds most files unchanged).
    let lock = try IndexLock(path: lockPath) { log(.notice(Self.waitingMessage(root))) }
    defer { withExtendedLifetime(lock) {} }
    var summary = IndexSummary()
    summary.reembedded = try resetIfModelChanged()
    let walk = try RepositoryWalker(maxFileBytes: options.maxFileBytes).walk(root)
    for s in walk.skipped { log(.skipped(s)) }
    summary.filesSkipped = walk.skipped.count
    summary.filesSeen = walk.files.count
    var stored = try store.files()
    var kept: Set<String> = []
    var touched: [(id: Int64, size: Int, mtime: Int64)] = []
    let parsers = Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0, Parser(language: $0)) })
    for (i, file) in walk.files.enumerated() {
      log(.progress(done: i, total: walk.files.count))
      let old = stored[file.path]
      if let old, old.size == file.size, old.modifiedNanoseconds == file.modifiedNanoseconds {
        kept.insert(file.path)
        summary.filesUnchanged += 1
        continue
      }
      let bytes: [UInt8]
      do {
        bytes = try FileBytes.read(file.fullPath, limit: options.maxFileBytes)
      } catch {
        log(.skipped(SkippedPath(path: file.path, reason: .unreadable("\(error)"))))
        summary.filesSkipped += 1
        continue
      }
      let hash = ContentHash.hex(ContentHash.hash(bytes))
      if let old, old.contentHash == hash {
        kept.insert(file.path)
        touched.append((old.id, bytes.count, file.modifiedNanoseconds))
        summary.filesUnchanged += 1
        continue
      }
      if let reason = SourceFilter.skipReason(for: bytes) {
        log(.skipped(SkippedPath(path: file.path, reason: reason)))
        summary.filesSkipped += 1
        continue
      }
      guard let parser = parsers[file.language] else { continue }
      let analyzed = try analyze(bytes: bytes, parser: parser)
      try store.db.transaction {
        if let old { try store.deleteFile(id: old.id) }
        if options.transactionDelayMicroseconds > 0 { usleep(options.transactionDelayMicroseconds) }
        try store.insertFile(
          path: file.path, contentHash: hash, size: bytes.count, modifiedNanoseconds: file.modifiedNanoseconds,
          language: file.language.rawValue, parseErrors: analyzed.parseErrors,
          generated: GeneratedCode.isGenerated(bytes), units: analyzed.units)
        try store.bumpGeneration()
      }
      stored[file.path] = nil
      kept.insert(file.path)
      summary.filesIndexed += 1
      summary.unitsWritten += analyzed.units.count
      log(.indexed(path: file.path, units: analyzed.units.count))
    }
    log(.progress(done: walk.files.count, total: walk.files.count))
    let gone = stored.filter { !kept.contains($0.key) }
    if !gone.isEmpty || !touched.isEmpty {
      try store.db.transaction {
        for (path, record) in gone.sorted(by: { $0.key < $1.key }) {
          try store.deleteFile(id: record.id)
          log(.removed(path: path))
        }
        for t in touched { try store.touchFile(id: t.id, size: t.size, modifiedNanoseconds: t.mtime) }
        if !gone.isEmpty { try store.bumpGeneration() }
      }
    }
    summary.filesRemoved = gone.count
    summary.totalFiles = Int(try store.db.scalarInt("SELECT count(*) FROM files") ?? 0)
    summary.totalUnits = Int(try store.db.scalarInt("SELECT count(*) FROM units") ?? 0)
    return summary
  }

  /// Clears the index when the stored embedder or hashing differs from ours; returns whether it did.
  private func resetIfModelChanged() throws -> Bool {
    let storedModel = try store.meta("embedder")
    let storedHashing = try store.meta("hashing")
    let storedDim = try store.meta("dimension")
    let want = (embedder.modelID, Self.hashingVersion, String(embedder.dimension))
    if storedModel == want.0 && storedHashing == want.1 && storedDim == want.2 { return false }
    let hadData = (try store.db.scalarInt("SELECT count(*) FROM files") ?? 0) > 0
    if hadData {
      log(
        .notice(
          "the index was built with \(storedModel ?? "?") / \(storedHashing ?? "?"); re-embedding every unit with \(want.0) / \(want.1)"
        ))
    }
    try store.db.transaction {
      try store.clear()
      try store.setMeta("embedder", want.0)
      try store.setMeta("hashing", want.1)
      try store.setMeta("dimension", want.2)
      try store.bumpGeneration()
    }
    return hadData
  }

  // MARK: - Analysis

  struct Analyzed {
    var units: [IndexStore.NewUnit]
    var parseErrors: Int
  }

  /// Parses a file and computes every unit's hashes and embedding.
  func analyze(bytes: [UInt8], parser: Parser) throws -> Analyzed {
    let tree = try parser.parse(bytes: bytes)
    let units = extractUnits(from: tree)
    var texts: [UnitText] = []
    texts.reserveCapacity(units.count)
    var tokens: [UnitTokens] = []
    for unit in units {
      let t = UnitTokens(unit: unit, in: tree)
      tokens.append(t)
      texts.append(
        UnitText(
          text: String(decoding: tree.bytes[unit.byteRange], as: UTF8.self), language: tree.language, tokens: t))
    }
    let vectors = try embedder.embed(texts)
    guard vectors.count == units.count, vectors.allSatisfy({ $0.count == embedder.dimension }) else {
      throw CloneIndexError.embedderMismatch(
        "\(embedder.modelID) returned \(vectors.count) vectors for \(units.count) units, or the wrong size")
    }
    var out: [IndexStore.NewUnit] = []
    out.reserveCapacity(units.count)
    for (i, unit) in units.enumerated() {
      out.append(
        IndexStore.NewUnit(
          ordinal: i, parentOrdinal: unit.parent, name: unit.name, kind: unit.kind.rawValue,
          startByte: unit.byteRange.lowerBound, endByte: unit.byteRange.upperBound, startLine: unit.startLine,
          endLine: unit.endLine, tokenCount: tokens[i].exact.count, exactHash: tokens[i].exactHash,
          canonicalHash: canonicalizer.canonicalHash(of: unit, in: tree), embedding: vectors[i],
          testCallback: TestCode.isTestCallback(unit, in: tree), rawTokens: TokenHash.hashes(tokens[i].exact),
          blindTokens: TokenHash.hashes(tokens[i].features)))
    }
    return Analyzed(units: out, parseErrors: tree.hasError ? tree.errorCount : 0)
  }
}
