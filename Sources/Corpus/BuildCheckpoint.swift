import Foundation
import Syntax

/// What a corpus build saves between packages/repositories so that a build that was stopped (Ctrl-C,
/// `kill`, a crash) continues where it left off and ends with the same bytes as one that never stopped.
///
/// The checkpoint is `.build-checkpoint` in the output folder, replaced atomically (written beside,
/// then renamed). It holds a key (the manifest and the unit options; a checkpoint of another manifest
/// or other options is ignored), how many work items are finished, each per-split output file's
/// length and record count, and the whole build state: the statistics, the file, exact and canonical
/// hashes seen, the MinHash signatures of kept files, the held-out reservoirs (their units and how
/// many they have seen; the reservoir's generator is replayed) and the kept solution files. On resume
/// each output file is cut back to its recorded length, so whatever a stopped build wrote after its
/// last checkpoint is written again, the same way. A finished build deletes its checkpoint.
struct BuildCheckpoint {
  static let fileName = ".build-checkpoint"
  static let magic: [UInt8] = Array("codeintel-corpus-checkpoint\n".utf8)
  static let version = 1
  /// Changes whenever a change to the build changes what it writes for the same manifest and options
  /// (the unit rules, a dataset's format), so that a checkpoint of an older codeintel is not resumed.
  static let rules = "2026-12-05: nested units"

  /// Digest of what decides the output: the manifest and the unit options.
  var key: String
  /// Work items finished (in `workItems()` order).
  var finishedItems: Int
  /// Per-split output files: path relative to the output folder, bytes, records.
  var files: [(path: String, length: UInt64, count: Int)]

  static func url(in output: URL) -> URL { output.appendingPathComponent(fileName) }

  /// The key of a build: the manifest's bytes and the options.
  static func key(manifest: CorpusManifest, options: DatasetBuilder.Options) throws -> String {
    var h = SHA256()
    h.update(Array("format \(version), rules \(rules)\n".utf8))
    h.update([UInt8](try manifest.encoded()))
    h.update(Array("\n\(options)".utf8))
    return SHA256.hexString(h.finalize())
  }

  /// Writes the checkpoint (header and state) atomically.
  static func save(_ header: BuildCheckpoint, state: BuildState, to url: URL) throws {
    var out = CheckpointWriter()
    out.bytes.append(contentsOf: magic)
    out.int(version)
    out.string(header.key)
    out.int(header.finishedItems)
    out.int(header.files.count)
    for f in header.files {
      out.string(f.path)
      out.u64(f.length)
      out.int(f.count)
    }
    state.save(to: &out)
    let temporary = url.appendingPathExtension("partial")
    guard FileManager.default.createFile(atPath: temporary.path, contents: Data(out.bytes)) else {
      throw CorpusError.io(path: temporary.path, reason: "cannot write the build checkpoint")
    }
    guard rename(temporary.path, url.path) == 0 else {
      throw CorpusError.io(path: url.path, reason: "cannot replace the build checkpoint")
    }
  }

  /// Reads a checkpoint's header and, when its key is `key`, the state into `state`. Nil when there is
  /// no checkpoint, it is of another build, or it is unreadable (the build then starts from scratch).
  static func load(from url: URL, key: String, into state: inout BuildState) -> BuildCheckpoint? {
    guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
    var input = CheckpointReader(bytes: [UInt8](data))
    do {
      guard try input.raw(magic.count) == magic, try input.int() == version, try input.string() == key else {
        return nil
      }
      let finished = try input.count()
      var files: [(path: String, length: UInt64, count: Int)] = []
      for _ in 0..<(try input.count()) { files.append((try input.string(), try input.u64(), try input.count())) }
      var restored = BuildState(options: state.options, seed: state.seed)
      try restored.load(from: &input)
      guard input.atEnd else { return nil }
      state = restored
      return BuildCheckpoint(key: key, finishedItems: finished, files: files)
    } catch {
      return nil
    }
  }
}

// MARK: - Build state

extension BuildState {
  func save(to out: inout CheckpointWriter) {
    statistics.save(to: &out)
    out.int(seenFiles.count)
    // Sets and tables in their own order: a checkpoint need not be byte-stable, only complete.
    for f in seenFiles {
      out.u64(f.hash)
      out.int(f.count)
    }
    for table in [seenExact, seenCanonical] {
      out.int(table.count)
      for (hash, split) in table {
        out.u64(hash)
        out.split(split)
      }
    }
    nearDuplicates.save(to: &out)
    let reservoirs = heldOut.sorted { $0.key.rank < $1.key.rank }
    out.int(reservoirs.count)
    for (split, reservoir) in reservoirs {
      out.split(split)
      out.int(reservoir.seen)
      out.int(reservoir.units.count)
      for u in reservoir.units {
        out.string(u.package)
        out.string(u.path)
        out.string(u.language.rawValue)
        out.int(u.byteRange.lowerBound)
        out.int(u.byteRange.upperBound)
        out.string(u.text)
      }
    }
    out.int(solutions.count)
    for s in solutions {
      out.string(s.problem)
      out.split(s.split)
      out.string(s.repository)
      out.string(s.path)
      out.string(s.file.path)
    }
  }

  mutating func load(from input: inout CheckpointReader) throws {
    statistics = try CorpusStatistics.load(from: &input)
    for _ in 0..<(try input.count()) { seenFiles.insert(FileKey(hash: try input.u64(), count: try input.count())) }
    for table in 0..<2 {
      let n = try input.count()
      var loaded: [UInt64: CorpusSplit] = [:]
      loaded.reserveCapacity(n)
      for _ in 0..<n { loaded[try input.u64()] = try input.split() }
      if table == 0 { seenExact = loaded } else { seenCanonical = loaded }
    }
    try nearDuplicates.load(from: &input)
    for _ in 0..<(try input.count()) {
      let split = try input.split()
      let seen = try input.count()
      var reservoir = Reservoir(capacity: options.heldOutReservoir, seed: seed ^ UInt64(split.rank))
      for _ in 0..<(try input.count()) {
        let package = try input.string()
        let path = try input.string()
        guard let language = Language(rawValue: try input.string()) else { throw CheckpointReader.Invalid() }
        let lower = try input.count()
        let upper = try input.count()
        guard lower <= upper else { throw CheckpointReader.Invalid() }
        reservoir.units.append(
          HeldOutUnit(
            package: package, path: path, language: language, byteRange: lower..<upper, text: try input.string()))
      }
      reservoir.replay(seen: seen)
      heldOut[split] = reservoir
    }
    for _ in 0..<(try input.count()) {
      solutions.append(
        NaturalPairs.Solution(
          problem: try input.string(), split: try input.split(), repository: try input.string(),
          path: try input.string(), file: URL(fileURLWithPath: try input.string())))
    }
  }
}

extension Reservoir {
  /// Sets how many units the reservoir has seen and advances its generator as `add` did for them
  /// (one draw per unit beyond the capacity).
  mutating func replay(seen: Int) {
    self.seen = seen
    if seen > capacity { for _ in 0..<(seen - capacity) { _ = rng.next() } }
  }
}

extension CorpusStatistics {
  func save(to out: inout CheckpointWriter) {
    let present = CorpusSplit.allCases.filter { splits[$0] != nil }
    out.int(present.count)
    for split in present {
      out.split(split)
      splits[split]!.save(to: &out)
    }
    out.int(packages.count)
    for p in packages {
      out.string(p.name)
      out.split(p.split)
      out.string(p.language)
      for v in [p.files, p.lines, p.functionsAfter, p.typeSites] { out.int(v) }
    }
  }

  static func load(from input: inout CheckpointReader) throws -> CorpusStatistics {
    var s = CorpusStatistics()
    for _ in 0..<(try input.count()) {
      let split = try input.split()
      s.splits[split] = try SplitStatistics.load(from: &input)
    }
    for _ in 0..<(try input.count()) {
      var p = PackageStatistics(name: try input.string(), split: try input.split(), language: try input.string())
      p.files = try input.int()
      p.lines = try input.int()
      p.functionsAfter = try input.int()
      p.typeSites = try input.int()
      s.packages.append(p)
    }
    return s
  }
}

extension SplitStatistics {
  /// Every counter, in a fixed order (`load` reads the same order).
  private static var counters: [WritableKeyPath<SplitStatistics, Int>] {
    [
      \.packages, \.candidateFiles, \.files, \.typeScriptFiles, \.lines, \.bytes, \.functionsBefore,
      \.functionsAfter, \.droppedExact, \.droppedCanonical, \.droppedCrossSplit, \.methodNames, \.typeFiles,
      \.deannotationFailures, \.anySites, \.droppedDuplicateSites, \.clonePairs, \.naturalPairs, \.naturalProblems,
    ]
  }

  func save(to out: inout CheckpointWriter) {
    for k in Self.counters { out.int(self[keyPath: k]) }
    for table in [skipped, sitesByKind, labelCounts] {
      out.int(table.count)
      for (key, value) in table.sorted(by: { $0.key < $1.key }) {
        out.string(key)
        out.int(value)
      }
    }
    out.int(nameSamples.count)
    for sample in nameSamples {
      out.string(sample.name)
      out.int(sample.target.count)
      for t in sample.target { out.string(t) }
    }
  }

  static func load(from input: inout CheckpointReader) throws -> SplitStatistics {
    var s = SplitStatistics()
    for k in counters { s[keyPath: k] = try input.int() }
    for table in 0..<3 {
      var loaded: [String: Int] = [:]
      for _ in 0..<(try input.count()) { loaded[try input.string()] = try input.int() }
      switch table {
      case 0: s.skipped = loaded
      case 1: s.sitesByKind = loaded
      default: s.labelCounts = loaded
      }
    }
    for _ in 0..<(try input.count()) {
      let name = try input.string()
      var target: [String] = []
      for _ in 0..<(try input.count()) { target.append(try input.string()) }
      s.nameSamples.append((name, target))
    }
    return s
  }
}

// MARK: - Binary coding

/// Little-endian binary writer of the checkpoint.
struct CheckpointWriter {
  var bytes: [UInt8] = []

  mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
  mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
  mutating func int(_ v: Int) { u64(UInt64(bitPattern: Int64(v))) }
  mutating func string(_ s: String) {
    int(s.utf8.count)
    bytes.append(contentsOf: s.utf8)
  }
  mutating func split(_ s: CorpusSplit) { bytes.append(UInt8(s.rank)) }
}

/// Reads what `CheckpointWriter` wrote; any inconsistency throws (the build then starts from scratch).
struct CheckpointReader {
  struct Invalid: Error {}
  let bytes: [UInt8]
  var position = 0

  var atEnd: Bool { position == bytes.count }

  mutating func raw(_ n: Int) throws -> [UInt8] {
    guard n >= 0, n <= bytes.count - position else { throw Invalid() }
    defer { position += n }
    return Array(bytes[position..<(position + n)])
  }
  mutating func u64() throws -> UInt64 {
    guard bytes.count - position >= 8 else { throw Invalid() }
    var v: UInt64 = 0
    for i in 0..<8 { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
    position += 8
    return v
  }
  mutating func u32() throws -> UInt32 {
    guard bytes.count - position >= 4 else { throw Invalid() }
    var v: UInt32 = 0
    for i in 0..<4 { v |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
    position += 4
    return v
  }
  mutating func int() throws -> Int { Int(Int64(bitPattern: try u64())) }
  /// A non-negative count or length that fits in what is left.
  mutating func count() throws -> Int {
    let n = try int()
    guard n >= 0 else { throw Invalid() }
    return n
  }
  mutating func string() throws -> String {
    let n = try count()
    return String(decoding: try raw(n), as: UTF8.self)
  }
  mutating func split() throws -> CorpusSplit {
    guard position < bytes.count,
      let s = CorpusSplit.allCases.first(where: { $0.rank == Int(bytes[position]) })
    else { throw Invalid() }
    position += 1
    return s
  }
}
