import Augment
import Foundation
import Syntax

/// Builds every dataset from the extracted corpus: file selection, deduplication, then the
/// pretraining units, method names, type annotations and clone pairs, each as JSON Lines.
///
/// Deterministic: packages are read in manifest order (train, valid, test; by name), files in
/// sorted path order, and every record is written with a fixed key order, so the same manifest
/// gives byte-identical files. `SHA256SUMS` lists them; the build's hash is that file's SHA-256.
public struct DatasetBuilder {
  /// Limits on function units.
  public struct Options: Sendable {
    /// Units longer than this are not units of the corpus (their inner functions may be).
    public var maxUnitLines = 200
    public var maxUnitBytes = 20_000
    /// Units shorter than this are too trivial to learn from (`x => x`).
    public var minUnitBytes = 50
    /// How many held-out functions get a positive and a negative clone pair.
    public var clonePairAnchors = 2000
    /// Method-name samples kept per split for the statistics.
    public var nameSamples = 8
    /// Held-out functions kept per test split for the augmentation pairs (a seeded reservoir
    /// sample, so the build never holds a whole split's functions).
    public var heldOutReservoir = 20_000
    /// Natural clone pairs per problem at most (positives; as many negatives are added).
    public var naturalPairsPerProblem = 6

    public init() {}
  }

  /// The outcome: statistics, the files written with their SHA-256, and the overall hash.
  public struct Result: Sendable {
    public var statistics: CorpusStatistics
    /// (path relative to the output folder, SHA-256), sorted by path.
    public var files: [(path: String, sha256: String)]
    /// SHA-256 of `SHA256SUMS`: one value that changes when any dataset byte changes.
    public var hash: String
  }

  public let manifest: CorpusManifest
  public let fetcher: CorpusFetcher
  public let repositories: RepositoryFetcher
  public let output: URL
  public var selector = FileSelector()
  public var options = Options()
  /// Seconds between checkpoints (taken after a package/repository finishes); 0 takes one after
  /// every package/repository. See `BuildCheckpoint`.
  public var checkpointInterval: Double = 60
  /// Tests: stop with `Interrupted` once this many packages/repositories are processed, after
  /// flushing their records but before checkpointing the last one, as a build killed there would.
  var stopAfterItems: Int?
  struct Interrupted: Error {}
  public init(manifest: CorpusManifest, fetcher: CorpusFetcher, output: URL, repositories: RepositoryFetcher? = nil) {
    self.manifest = manifest
    self.fetcher = fetcher
    self.repositories = repositories ?? RepositoryFetcher(cache: fetcher.cache)
    self.output = output
  }

  /// The default output folder: `$XDG_CACHE_HOME/codeintel/datasets-v2` or
  /// `~/.cache/codeintel/datasets-v2` (the Debian-only datasets of earlier versions stay in
  /// `datasets`).
  public static var defaultOutput: URL {
    CorpusFetcher.defaultCache.deletingLastPathComponent().appendingPathComponent("datasets-v2")
  }

  /// One unit of work: the files of a Debian package, or those of a repository that fall in one split.
  struct WorkItem {
    var name: String
    var split: CorpusSplit
    var language: String
    var root: URL
    /// Relative paths in order; nil means every regular file under `root`.
    var paths: [String]?
    var exclude: [String]
    var isRepository: Bool
    /// Problem of each path (solution collections only).
    var problems: [String: ProblemKeys.Problem] = [:]
  }

  /// Every package and repository, per split, in processing order: by split (train, valid,
  /// github-valid, test, github-test), Debian packages before repositories, then by name.
  func workItems() -> [WorkItem] {
    var items: [WorkItem] = manifest.packages.map {
      WorkItem(
        name: $0.name, split: $0.split, language: $0.language, root: fetcher.sourceTree(of: $0), paths: nil,
        exclude: $0.exclude, isRepository: false)
    }
    let keys = ProblemKeys(repositories: manifest.repositories ?? [])
    let heldOut = Set(manifest.problemSplit?.heldOut ?? [])
    for r in manifest.orderedRepositories {
      let root = repositories.tree(of: r)
      let paths = r.parsedFiles.map(\.path)
      if let split = r.split {
        items.append(
          WorkItem(
            name: r.name, split: split, language: r.language, root: root, paths: paths, exclude: [],
            isRepository: true))
        continue
      }
      // A solution collection: each file follows its problem's split; files that name no problem
      // (shared helpers, configuration) go to train.
      var bySplit: [CorpusSplit: WorkItem] = [:]
      for path in paths {
        let problem = keys.problem(path: path, repository: r.name)
        let split = problem.map { manifest.problemSplit?.split(of: $0.key, heldOutSet: heldOut) ?? .train } ?? .train
        var item =
          bySplit[split]
          ?? WorkItem(
            name: r.name, split: split, language: r.language, root: root, paths: [], exclude: [], isRepository: true)
        item.paths!.append(path)
        if let problem { item.problems[path] = problem }
        bySplit[split] = item
      }
      items += bySplit.values
    }
    return items.sorted {
      ($0.split.rank, $0.isRepository ? 1 : 0, $0.name) < ($1.split.rank, $1.isRepository ? 1 : 0, $1.name)
    }
  }

  // MARK: - Build

  /// Builds every dataset into `output` (its dataset files are replaced). When `output` holds the
  /// checkpoint of a stopped build of the same manifest and options, continues from it and ends with
  /// the same bytes as a build that never stopped (`BuildCheckpoint`); otherwise starts from scratch.
  public func build(progress: (String) -> Void = { _ in }) throws -> Result {
    let missing = manifest.packages.filter { package in
      !FileManager.default.fileExists(
        atPath: fetcher.sourceTree(of: package).appendingPathComponent(".codeintel-extracted").path)
    }
    guard missing.isEmpty else { throw CorpusError.missingPackages(missing.map(\.name).sorted()) }
    let unverified = manifest.orderedRepositories.filter { !repositories.isReady($0) }
    guard unverified.isEmpty else { throw CorpusError.missingRepositories(unverified.map(\.name)) }

    var state = BuildState(options: options, seed: manifest.seed)
    let items = workItems()
    let checkpointURL = BuildCheckpoint.url(in: output)
    let key = try BuildCheckpoint.key(manifest: manifest, options: options)
    var writers: [String: JSONLinesWriter] = [:]
    func writer(_ name: String) throws -> JSONLinesWriter {
      if let w = writers[name] { return w }
      let w = try JSONLinesWriter(url: output.appendingPathComponent(name))
      writers[name] = w
      return w
    }
    // Resume from a checkpoint of the same manifest and options, if there is one and every file it
    // names can be cut back to its recorded length; otherwise start from scratch.
    var start = 0
    if let checkpoint = BuildCheckpoint.load(from: checkpointURL, key: key, into: &state),
      checkpoint.finishedItems <= items.count
    {
      var resumed: [String: JSONLinesWriter] = [:]
      for f in checkpoint.files {
        guard let w = JSONLinesWriter(resuming: output.appendingPathComponent(f.path), length: f.length, count: f.count)
        else { break }
        resumed[f.path] = w
      }
      if resumed.count == checkpoint.files.count {
        writers = resumed
        start = checkpoint.finishedItems
        progress("resuming: \(start) of \(items.count) packages/repositories were finished by an earlier run")
      } else {
        progress("the checkpoint's files are missing or shorter than recorded: building from scratch")
        state = BuildState(options: options, seed: manifest.seed)
      }
    } else if FileManager.default.fileExists(atPath: checkpointURL.path) {
      progress("the checkpoint in \(output.path) is of another manifest or version: building from scratch")
      state = BuildState(options: options, seed: manifest.seed)
    }
    if start == 0 {
      // A checkpoint that is not resumed must not outlive the files this build truncates.
      try? FileManager.default.removeItem(at: checkpointURL)
      for split in CorpusSplit.allCases {
        state.statistics.splits[split] = SplitStatistics()
        for name in ["pretrain", "method-names", "types"] { _ = try writer("\(name)/\(split.rawValue).jsonl") }
      }
    }
    var counted = Set<String>()
    for item in items.prefix(start) { counted.insert("\(item.split.rawValue) \(item.name)") }
    var lastCheckpoint = Date()
    func checkpoint(finished: Int) throws {
      var files: [(path: String, length: UInt64, count: Int)] = []
      for (name, w) in writers.sorted(by: { $0.key < $1.key }) {
        w.flush()
        files.append((name, w.length, w.count))
      }
      try BuildCheckpoint.save(
        BuildCheckpoint(key: key, finishedItems: finished, files: files), state: state, to: checkpointURL)
      lastCheckpoint = Date()
    }

    for (i, item) in items.enumerated().dropFirst(start) {
      var packageStats = PackageStatistics(name: item.name, split: item.split, language: item.language)
      if counted.insert("\(item.split.rawValue) \(item.name)").inserted {
        state.statistics.splits[item.split]!.packages += 1
      }
      let writersForSplit = SplitWriters(
        pretrain: try writer("pretrain/\(item.split.rawValue).jsonl"),
        names: try writer("method-names/\(item.split.rawValue).jsonl"),
        types: try writer("types/\(item.split.rawValue).jsonl"))
      let source = SourceInfo(name: item.name, split: item.split, exclude: item.exclude)
      for path in try item.paths ?? Self.files(under: item.root) {
        let kept = try state.process(
          path: path, root: item.root, source: source, selector: selector, writers: writersForSplit,
          stats: &packageStats)
        if kept, let problem = item.problems[path], problem.isSolution {
          state.solutions.append(
            NaturalPairs.Solution(
              problem: problem.key, split: item.split, repository: item.name, path: path,
              file: item.root.appendingPathComponent(path)))
        }
      }
      state.statistics.packages.append(packageStats)
      progress(
        "[\(i + 1)/\(items.count)] \(item.split.rawValue) \(item.name): \(packageStats.files) files, "
          + "\(packageStats.lines) lines, \(packageStats.functionsAfter) functions, \(packageStats.typeSites) type sites"
      )
      if let stop = stopAfterItems, i + 1 >= stop {
        for w in writers.values { w.flush() }
        throw Interrupted()
      }
      if i + 1 < items.count, Date().timeIntervalSince(lastCheckpoint) >= checkpointInterval {
        try checkpoint(finished: i + 1)
      }
    }

    // Type vocabulary of train.
    let trainLabels = state.statistics.splits[.train]!.labelCounts
    state.statistics.vocabulary = trainLabels.map { ($0.key, $0.value) }.sorted { ($1.1, $0.0) < ($0.1, $1.0) }
    let vocab = try writer("types/vocabulary-train.tsv")
    vocab.writeRaw("count\ttype\n")
    for entry in state.statistics.vocabulary { vocab.writeRaw("\(entry.count)\t\(entry.label)\n") }

    // Augmentation clone pairs over each test split's held-out functions.
    for split in [CorpusSplit.test, .githubTest] {
      let units = state.heldOut[split]?.units ?? []
      progress(
        "clone pairs (\(split.rawValue)): augmenting up to \(options.clonePairAnchors) of \(units.count) functions")
      state.statistics.splits[split]!.clonePairs = ClonePairs.write(
        units: units, anchors: options.clonePairAnchors, seed: manifest.seed,
        augmenter: Augmenter(config: .semanticsPreserving), to: try writer("clone-pairs/\(split.rawValue).jsonl"))
    }

    // Natural clone pairs from the solution collections, per split of their problems.
    if manifest.repositories?.contains(where: \.isSolutions) == true {
      for split in [CorpusSplit.train, .githubValid, .githubTest] {
        let solutions = state.solutions.filter { $0.split == split }
        let written = try NaturalPairs.write(
          solutions: solutions, seed: manifest.seed, maxPairsPerProblem: options.naturalPairsPerProblem,
          to: try writer("clone-pairs/natural-\(split.rawValue).jsonl"))
        state.statistics.splits[split]!.naturalPairs = written.pairs
        state.statistics.splits[split]!.naturalProblems = written.problems
        progress("natural clone pairs (\(split.rawValue)): \(written.pairs) pairs over \(written.problems) problems")
      }
    }

    let stats = try writer("stats.json")
    stats.writeRaw(state.statistics.json.serialized() + "\n")

    var files: [(path: String, sha256: String)] = []
    for (name, w) in writers { files.append((name, try w.close())) }
    files.sort { $0.path < $1.path }
    let sums = files.map { "\($0.sha256)  \($0.path)\n" }.joined()
    let sumsURL = output.appendingPathComponent("SHA256SUMS")
    guard FileManager.default.createFile(atPath: sumsURL.path, contents: Data(sums.utf8)) else {
      throw CorpusError.io(path: sumsURL.path, reason: "cannot write the checksum list")
    }
    try? FileManager.default.removeItem(at: checkpointURL)
    return Result(statistics: state.statistics, files: files, hash: SHA256.hex(sums))
  }

  /// Regular files under `root`, relative, in sorted order (symbolic links are not followed).
  static func files(under root: URL) throws -> [String] {
    guard let e = FileManager.default.enumerator(atPath: root.path) else {
      throw CorpusError.io(path: root.path, reason: "cannot list the folder")
    }
    var out: [String] = []
    while let path = e.nextObject() as? String {
      if (e.fileAttributes?[.type] as? FileAttributeType) == .typeRegular { out.append(path) }
    }
    return out.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
  }
}

/// What the per-file work needs to know about where a file comes from.
struct SourceInfo {
  let name: String
  let split: CorpusSplit
  let exclude: [String]
}

/// The three per-split writers a file's records go to.
struct SplitWriters {
  let pretrain: JSONLinesWriter
  let names: JSONLinesWriter
  let types: JSONLinesWriter
}

/// A held-out function kept for the clone pairs.
public struct HeldOutUnit: Sendable {
  public var package: String
  public var path: String
  public var language: Language
  public var byteRange: Range<Int>
  public var text: String
}

// MARK: - Per-file work

/// Everything the build carries from file to file: what has been seen (for dedup), the statistics
/// and the held-out units.
struct BuildState {
  let options: DatasetBuilder.Options
  let seed: UInt64
  var statistics = CorpusStatistics()
  var seenFiles = Set<FileKey>()
  /// Hash → split where it was first seen.
  var seenExact: [UInt64: CorpusSplit] = [:]
  var seenCanonical: [UInt64: CorpusSplit] = [:]
  var heldOut: [CorpusSplit: Reservoir] = [:]
  var nearDuplicates = NearDuplicateIndex()
  var solutions: [NaturalPairs.Solution] = []
  var parsers: [Language: Parser] = [:]

  struct FileKey: Hashable {
    let hash: UInt64
    let count: Int
  }

  init(options: DatasetBuilder.Options, seed: UInt64) {
    self.options = options
    self.seed = seed
  }

  mutating func parser(_ language: Language) -> Parser {
    if let p = parsers[language] { return p }
    let p = Parser(language: language)
    parsers[language] = p
    return p
  }

  /// Why a function unit was dropped by deduplication.
  enum UnitDrop {
    /// Its bytes equal an earlier unit's in the same split.
    case exact
    /// Its canonical form equals an earlier unit's in the same split.
    case canonical
    /// An earlier split holds it, exactly or canonically.
    case earlierSplit
  }

  mutating func count(_ drop: UnitDrop, in split: CorpusSplit) {
    switch drop {
    case .exact: statistics.splits[split]!.droppedExact += 1
    case .canonical: statistics.splits[split]!.droppedCanonical += 1
    case .earlierSplit: statistics.splits[split]!.droppedCrossSplit += 1
    }
  }

  /// Processes one file; returns whether it was kept (selected, not a duplicate, parsed).
  @discardableResult
  mutating func process(
    path: String, root: URL, source package: SourceInfo, selector: FileSelector, writers: SplitWriters,
    stats packageStats: inout PackageStatistics
  ) throws -> Bool {
    let split = package.split
    guard case .keep = selector.decide(path: path, exclude: []) else {
      if Language(path: path) != nil { statistics.splits[split]!.candidateFiles += 1 }
      if case .skip(let reason) = selector.decide(path: path, exclude: []), reason != .notSource {
        statistics.splits[split]!.skip(reason.rawValue)
      }
      return false
    }
    statistics.splits[split]!.candidateFiles += 1
    guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(path).path) else {
      statistics.splits[split]!.skip("unreadable")
      return false
    }
    let bytes = [UInt8](data)
    guard case .keep(let language) = selector.decide(path: path, bytes: bytes, exclude: package.exclude) else {
      if case .skip(let reason) = selector.decide(path: path, bytes: bytes, exclude: package.exclude) {
        statistics.splits[split]!.skip(reason.rawValue)
      }
      return false
    }
    guard seenFiles.insert(FileKey(hash: exactHash(bytes), count: bytes.count)).inserted else {
      statistics.splits[split]!.skip("duplicate-file")
      return false
    }
    if nearDuplicates.check(bytes, owner: "\(package.name)/\(path)") != nil {
      statistics.splits[split]!.skip("near-duplicate-file")
      return false
    }
    let tree = try parser(language).parse(bytes: bytes)
    guard !tree.hasError else {
      statistics.splits[split]!.skip("parse-error")
      return false
    }
    let lineCount = bytes.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 } + (bytes.last == 0x0A ? 0 : 1)
    statistics.splits[split]!.files += 1
    if language.isTypeScript { statistics.splits[split]!.typeScriptFiles += 1 }
    statistics.splits[split]!.lines += lineCount
    statistics.splits[split]!.bytes += bytes.count
    packageStats.files += 1
    packageStats.lines += lineCount

    // Function units: every unit within the size limits, nested ones included (an inner function is a
    // unit of its own; the unit around it keeps its whole text). Units come in document order, an
    // enclosing unit before the units inside it, so a unit inside a dropped unit is dropped with it,
    // counted under the same reason: its code was already seen as part of the earlier copy.
    let units = extractUnits(from: tree)
    var analysis: ScopeAnalysis?  // computed on the first unit that needs a canonical hash
    var dropped: [Range<Int>] = []
    var droppedEnclosing: [(end: Int, reason: UnitDrop)] = []
    for unit in units {
      let size = unit.byteRange.count
      guard unit.lineCount <= options.maxUnitLines, size <= options.maxUnitBytes else { continue }
      guard size >= options.minUnitBytes else { continue }
      while let last = droppedEnclosing.last, last.end <= unit.byteRange.lowerBound { droppedEnclosing.removeLast() }
      statistics.splits[split]!.functionsBefore += 1
      if let enclosing = droppedEnclosing.last {
        count(enclosing.reason, in: split)
        continue
      }
      let unitBytes = tree.bytes[unit.byteRange]
      let exact = exactHash(unitBytes)
      if let first = seenExact[exact] {
        let reason: UnitDrop = first == split ? .exact : .earlierSplit
        count(reason, in: split)
        dropped.append(unit.byteRange)
        droppedEnclosing.append((unit.byteRange.upperBound, reason))
        continue
      }
      guard let node = tree.root.descendant(for: unit.byteRange) else { continue }
      let scopes = analysis ?? ScopeAnalysis(tree: tree)
      analysis = scopes
      let canonical = canonicalHash(of: node, in: scopes)
      if let first = seenCanonical[canonical] {
        let reason: UnitDrop = first == split ? .canonical : .earlierSplit
        count(reason, in: split)
        seenExact[exact] = seenExact[exact] ?? split
        dropped.append(unit.byteRange)
        droppedEnclosing.append((unit.byteRange.upperBound, reason))
        continue
      }
      seenExact[exact] = split
      seenCanonical[canonical] = split
      statistics.splits[split]!.functionsAfter += 1
      packageStats.functionsAfter += 1
      let text = String(decoding: unitBytes, as: UTF8.self)
      let common: [(String, JSONValue)] = [
        ("package", .string(package.name)), ("path", .string(path)), ("language", .string(language.rawValue)),
        ("start_byte", .int(unit.byteRange.lowerBound)), ("end_byte", .int(unit.byteRange.upperBound)),
        ("start_line", .int(unit.startLine)), ("end_line", .int(unit.endLine)),
      ]
      writers.pretrain.write(
        .object(
          common + [
            ("kind", .string(unit.kind.rawValue)), ("name", unit.name.map(JSONValue.string) ?? .null),
            ("text", .string(text)),
          ]))
      if let example = MethodNames.example(for: unit, in: tree) {
        writers.names.write(
          .object(
            common + [
              ("name", .string(example.name)), ("target", .array(example.target.map(JSONValue.string))),
              ("input", .string(example.input)),
            ]))
        statistics.splits[split]!.methodNames += 1
        if statistics.splits[split]!.nameSamples.count < options.nameSamples
          && !statistics.splits[split]!.nameSamples.contains(where: { $0.name == example.name })
        {
          statistics.splits[split]!.nameSamples.append((example.name, example.target))
        }
      }
      if split.isTest {
        heldOut[split, default: Reservoir(capacity: options.heldOutReservoir, seed: seed ^ UInt64(split.rank))].add(
          HeldOutUnit(package: package.name, path: path, language: language, byteRange: unit.byteRange, text: text))
      }
    }

    // Types: TypeScript files with every annotation site removed.
    guard language.isTypeScript else { return true }
    let file: DeannotatedFile
    do {
      file = try TypeAnnotations.deannotate(tree)
    } catch {
      statistics.splits[split]!.deannotationFailures += 1
      return true
    }
    guard !file.sites.isEmpty else { return true }
    let reparsed = try parser(language).parse(bytes: file.text)
    guard !reparsed.hasError else {
      statistics.splits[split]!.deannotationFailures += 1
      return true
    }
    var sites: [JSONValue] = []
    for site in file.sites {
      if dropped.contains(where: { $0.contains(site.removedRange.lowerBound) }) {
        statistics.splits[split]!.droppedDuplicateSites += 1
        continue
      }
      statistics.splits[split]!.sitesByKind[site.kind.rawValue, default: 0] += 1
      statistics.splits[split]!.labelCounts[site.label, default: 0] += 1
      if site.isAny { statistics.splits[split]!.anySites += 1 }
      packageStats.typeSites += 1
      let parameters = TypeContext.typeParameters(at: site.removedRange.lowerBound, in: tree)
      sites.append(
        .object([
          ("kind", .string(site.kind.rawValue)), ("name", .string(site.name)), ("offset", .int(site.offset)),
          ("label", .string(site.label)), ("any", .bool(site.isAny)),
          ("type_parameters", .array(parameters.map(JSONValue.string))),
        ]))
    }
    guard !sites.isEmpty else { return true }
    statistics.splits[split]!.typeFiles += 1
    writers.types.write(
      .object([
        ("package", .string(package.name)), ("path", .string(path)), ("language", .string(language.rawValue)),
        ("text", .string(String(decoding: file.text, as: UTF8.self))),
        ("declared_types", .array(TypeContext.declaredTypes(in: tree).map(JSONValue.string))),
        ("imported_names", .array(TypeContext.importedNames(in: tree).map(JSONValue.string))),
        ("sites", .array(sites)),
      ]))
    return true
  }
}

/// A seeded reservoir sample (Algorithm R): keeps at most `capacity` items, each with equal chance,
/// the same items for the same sequence and seed. Below capacity it keeps everything, in order.
struct Reservoir {
  let capacity: Int
  var rng: SeededRandom
  var units: [HeldOutUnit] = []
  var seen = 0

  init(capacity: Int, seed: UInt64) {
    self.capacity = capacity
    rng = SeededRandom(seed: seed ^ 0x2E5E_2F01)
  }

  mutating func add(_ unit: HeldOutUnit) {
    seen += 1
    if units.count < capacity {
      units.append(unit)
      return
    }
    let j = Int(rng.next() % UInt64(seen))
    if j < capacity { units[j] = unit }
  }
}
