import CSQLite

/// A small wrapper over one SQLite connection: prepared statements, binding, stepping and
/// transactions. Not thread-safe; one connection per thread.
public final class SQLiteDatabase {
  let handle: OpaquePointer
  public let path: String

  /// Opens (creating if needed) the database at `path`.
  public init(path: String) throws {
    var db: OpaquePointer?
    let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
    guard rc == SQLITE_OK, let db else {
      let why = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
      if let db { sqlite3_close_v2(db) }
      throw CloneIndexError.database("cannot open \(path): \(why)")
    }
    handle = db
    self.path = path
    sqlite3_busy_timeout(db, 5000)
  }

  deinit { sqlite3_close_v2(handle) }

  // MARK: - Executing

  /// Runs one or more statements that return no rows.
  public func execute(_ sql: String) throws {
    var err: UnsafeMutablePointer<CChar>?
    let rc = sqlite3_exec(handle, sql, nil, nil, &err)
    if rc != SQLITE_OK {
      let why = err.map { String(cString: $0) } ?? message
      sqlite3_free(err)
      throw CloneIndexError.database("\(why) (in: \(sql.prefix(80)))")
    }
  }

  /// Prepares a statement.
  public func prepare(_ sql: String) throws -> Statement {
    var stmt: OpaquePointer?
    guard sqlite3_prepare_v2(handle, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else {
      throw CloneIndexError.database("\(message) (in: \(sql.prefix(80)))")
    }
    return Statement(raw: stmt, db: self)
  }

  /// The value of a single-integer query such as `PRAGMA user_version`.
  public func scalarInt(_ sql: String) throws -> Int64? {
    let s = try prepare(sql)
    return try s.step() ? s.int(0) : nil
  }

  /// Runs `body` in one transaction (`BEGIN IMMEDIATE` … `COMMIT`), rolling back if it throws.
  public func transaction<T>(_ body: () throws -> T) throws -> T {
    try execute("BEGIN IMMEDIATE")
    do {
      let value = try body()
      try execute("COMMIT")
      return value
    } catch {
      try? execute("ROLLBACK")
      throw error
    }
  }

  /// The row id of the last insert.
  public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

  var message: String { String(cString: sqlite3_errmsg(handle)) }

  // MARK: - Statements

  /// A prepared statement. Bind with 1-based indices, read columns with 0-based ones.
  public final class Statement {
    let raw: OpaquePointer
    let db: SQLiteDatabase

    init(raw: OpaquePointer, db: SQLiteDatabase) {
      self.raw = raw
      self.db = db
    }

    deinit { sqlite3_finalize(raw) }

    /// Resets the statement and clears its bindings for reuse.
    public func reset() {
      sqlite3_reset(raw)
      sqlite3_clear_bindings(raw)
    }

    public func bind(_ i: Int32, _ value: Int64) { sqlite3_bind_int64(raw, i, value) }
    public func bind(_ i: Int32, _ value: Int) { sqlite3_bind_int64(raw, i, Int64(value)) }
    public func bind(_ i: Int32, _ value: Double) { sqlite3_bind_double(raw, i, value) }
    public func bindNull(_ i: Int32) { sqlite3_bind_null(raw, i) }

    public func bind(_ i: Int32, _ value: String?) {
      guard let value else { return bindNull(i) }
      // SQLITE_TRANSIENT: SQLite copies the text before this call returns.
      sqlite3_bind_text(raw, i, value, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
    }

    /// Binds a Float vector as a little-endian Float32 blob.
    public func bind(_ i: Int32, floats: [Float]) {
      floats.withUnsafeBytes { buf in
        _ = sqlite3_bind_blob(
          raw, i, buf.baseAddress, Int32(buf.count), unsafeBitCast(-1, to: sqlite3_destructor_type.self))
      }
    }

    /// Binds a UInt32 array as a little-endian blob.
    public func bind(_ i: Int32, uint32s: [UInt32]) {
      uint32s.withUnsafeBytes { buf in
        _ = sqlite3_bind_blob(
          raw, i, buf.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(buf.count),
          unsafeBitCast(-1, to: sqlite3_destructor_type.self))
      }
    }

    /// Reads a UInt32 blob column (empty for NULL or an empty blob).
    public func uint32s(_ col: Int32) -> [UInt32] {
      let bytes = Int(sqlite3_column_bytes(raw, col))
      guard let p = sqlite3_column_blob(raw, col), bytes >= 4 else { return [] }
      let n = bytes / 4
      return [UInt32](unsafeUninitializedCapacity: n) { buf, count in
        UnsafeMutableRawBufferPointer(buf).copyMemory(from: UnsafeRawBufferPointer(start: p, count: n * 4))
        count = n
      }
    }

    /// Steps once: true when a row is available, false when done.
    @discardableResult
    public func step() throws -> Bool {
      let rc = sqlite3_step(raw)
      if rc == SQLITE_ROW { return true }
      if rc == SQLITE_DONE { return false }
      throw CloneIndexError.database(db.message)
    }

    /// Steps to completion (for statements without rows) and resets.
    public func run() throws {
      defer { reset() }
      while try step() {}
    }

    public func int(_ col: Int32) -> Int64 { sqlite3_column_int64(raw, col) }
    public func double(_ col: Int32) -> Double { sqlite3_column_double(raw, col) }
    public func isNull(_ col: Int32) -> Bool { sqlite3_column_type(raw, col) == SQLITE_NULL }

    public func string(_ col: Int32) -> String? {
      guard let p = sqlite3_column_text(raw, col) else { return nil }
      return String(cString: p)
    }

    /// Reads a Float32 blob column into `out` (appending); returns the number of floats read.
    @discardableResult
    public func appendFloats(_ col: Int32, to out: inout [Float]) -> Int {
      let bytes = Int(sqlite3_column_bytes(raw, col))
      guard let p = sqlite3_column_blob(raw, col), bytes > 0 else { return 0 }
      let n = bytes / MemoryLayout<Float>.size
      let start = out.count
      out.append(contentsOf: repeatElement(0, count: n))
      out.withUnsafeMutableBytes { dst in
        let target = UnsafeMutableRawBufferPointer(rebasing: dst[(start * 4)..<((start + n) * 4)])
        target.copyMemory(from: UnsafeRawBufferPointer(start: p, count: n * 4))
      }
      return n
    }
  }
}
