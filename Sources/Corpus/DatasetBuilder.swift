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
  public let output: URL
  public var selector = FileSelector()
  public var options = Options()
  public init(manifest: CorpusManifest, fetcher: CorpusFetcher, output: URL) {
    self.manifest = manifest
    self.fetcher = fetcher
    self.output = output
  }

  /// The default output folder: `$XDG_CACHE_HOME/codeintel/datasets` or `~/.cache/codeintel/datasets`.
  public static var defaultOutput: URL {
    CorpusFetcher.defaultCache.deletingLastPathComponent().appendingPathComponent("datasets")
  }

  // MARK: - Build

  /// Builds everything from scratch into `output` (its dataset files are replaced).
  public func build(progress: (String) -> Void = { _ in }) throws -> Result {
    let missing = manifest.packages.filter { package in
      !FileManager.default.fileExists(
        atPath: fetcher.sourceTree(of: package).appendingPathComponent(".codeintel-extracted").path)
    }
    guard missing.isEmpty else { throw CorpusError.missingPackages(missing.map(\.name).sorted()) }

    var state = BuildState(options: options, seed: manifest.seed)
    var writers: [String: JSONLinesWriter] = [:]
    func writer(_ name: String) throws -> JSONLinesWriter {
      if let w = writers[name] { return w }
      let w = try JSONLinesWriter(url: output.appendingPathComponent(name))
      writers[name] = w
      return w
    }
    for split in CorpusSplit.allCases {
      state.statistics.splits[split] = SplitStatistics()
      for name in ["pretrain", "method-names", "types"] { _ = try writer("\(name)/\(split.rawValue).jsonl") }
    }

    let packages = manifest.orderedPackages
    for (i, package) in packages.enumerated() {
      var packageStats = PackageStatistics(name: package.name, split: package.split, language: package.language)
      state.statistics.splits[package.split]!.packages += 1
      let root = fetcher.sourceTree(of: package)
      let writersForSplit = SplitWriters(
        pretrain: try writer("pretrain/\(package.split.rawValue).jsonl"),
        names: try writer("method-names/\(package.split.rawValue).jsonl"),
        types: try writer("types/\(package.split.rawValue).jsonl"))
      for path in try Self.files(under: root) {
        try state.process(
          path: path, root: root, package: package, selector: selector, writers: writersForSplit, stats: &packageStats)
      }
      state.statistics.packages.append(packageStats)
      progress(
        "[\(i + 1)/\(packages.count)] \(package.split.rawValue) \(package.name): \(packageStats.files) files, "
          + "\(packageStats.lines) lines, \(packageStats.functionsAfter) functions, \(packageStats.typeSites) type sites"
      )
    }

    // Type vocabulary of train.
    let trainLabels = state.statistics.splits[.train]!.labelCounts
    state.statistics.vocabulary = trainLabels.map { ($0.key, $0.value) }.sorted { ($1.1, $0.0) < ($0.1, $1.0) }
    let vocab = try writer("types/vocabulary-train.tsv")
    vocab.writeRaw("count\ttype\n")
    for entry in state.statistics.vocabulary { vocab.writeRaw("\(entry.count)\t\(entry.label)\n") }

    // Clone pairs over the held-out functions.
    progress("clone pairs: augmenting up to \(options.clonePairAnchors) test functions")
    state.statistics.splits[.test]!.clonePairs = ClonePairs.write(
      units: state.heldOut, anchors: options.clonePairAnchors, seed: manifest.seed,
      augmenter: Augmenter(config: .semanticsPreserving), to: try writer("clone-pairs/test.jsonl"))

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
  var heldOut: [HeldOutUnit] = []
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

  mutating func process(
    path: String, root: URL, package: ManifestPackage, selector: FileSelector, writers: SplitWriters,
    stats packageStats: inout PackageStatistics
  ) throws {
    let split = package.split
    guard case .keep = selector.decide(path: path, exclude: []) else {
      if Language(path: path) != nil { statistics.splits[split]!.candidateFiles += 1 }
      if case .skip(let reason) = selector.decide(path: path, exclude: []), reason != .notSource {
        statistics.splits[split]!.skip(reason.rawValue)
      }
      return
    }
    statistics.splits[split]!.candidateFiles += 1
    guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(path).path) else {
      statistics.splits[split]!.skip("unreadable")
      return
    }
    let bytes = [UInt8](data)
    guard case .keep(let language) = selector.decide(path: path, bytes: bytes, exclude: package.exclude) else {
      if case .skip(let reason) = selector.decide(path: path, bytes: bytes, exclude: package.exclude) {
        statistics.splits[split]!.skip(reason.rawValue)
      }
      return
    }
    guard seenFiles.insert(FileKey(hash: exactHash(bytes), count: bytes.count)).inserted else {
      statistics.splits[split]!.skip("duplicate-file")
      return
    }
    let tree = try parser(language).parse(bytes: bytes)
    guard !tree.hasError else {
      statistics.splits[split]!.skip("parse-error")
      return
    }
    let lineCount = bytes.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 } + (bytes.last == 0x0A ? 0 : 1)
    statistics.splits[split]!.files += 1
    if language.isTypeScript { statistics.splits[split]!.typeScriptFiles += 1 }
    statistics.splits[split]!.lines += lineCount
    statistics.splits[split]!.bytes += bytes.count
    packageStats.files += 1
    packageStats.lines += lineCount

    // Function units: the outermost units within the size limits.
    let units = extractUnits(from: tree)
    var analysis: ScopeAnalysis?  // computed on the first unit that needs a canonical hash
    var selectedEnd = -1
    var dropped: [Range<Int>] = []
    for unit in units where unit.byteRange.lowerBound >= selectedEnd {
      let size = unit.byteRange.count
      guard unit.lineCount <= options.maxUnitLines, size <= options.maxUnitBytes else { continue }
      guard size >= options.minUnitBytes else { continue }
      selectedEnd = unit.byteRange.upperBound
      statistics.splits[split]!.functionsBefore += 1
      let unitBytes = tree.bytes[unit.byteRange]
      let exact = exactHash(unitBytes)
      if let first = seenExact[exact] {
        if first == split {
          statistics.splits[split]!.droppedExact += 1
        } else {
          statistics.splits[split]!.droppedCrossSplit += 1
        }
        dropped.append(unit.byteRange)
        continue
      }
      guard let node = tree.root.descendant(for: unit.byteRange) else { continue }
      let scopes = analysis ?? ScopeAnalysis(tree: tree)
      analysis = scopes
      let canonical = canonicalHash(of: node, in: scopes)
      if let first = seenCanonical[canonical] {
        if first == split {
          statistics.splits[split]!.droppedCanonical += 1
        } else {
          statistics.splits[split]!.droppedCrossSplit += 1
        }
        seenExact[exact] = seenExact[exact] ?? split
        dropped.append(unit.byteRange)
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
      if split == .test {
        heldOut.append(
          HeldOutUnit(package: package.name, path: path, language: language, byteRange: unit.byteRange, text: text))
      }
    }

    // Types: TypeScript files with every annotation site removed.
    guard language.isTypeScript else { return }
    let file: DeannotatedFile
    do {
      file = try TypeAnnotations.deannotate(tree)
    } catch {
      statistics.splits[split]!.deannotationFailures += 1
      return
    }
    guard !file.sites.isEmpty else { return }
    let reparsed = try parser(language).parse(bytes: file.text)
    guard !reparsed.hasError else {
      statistics.splits[split]!.deannotationFailures += 1
      return
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
      sites.append(
        .object([
          ("kind", .string(site.kind.rawValue)), ("name", .string(site.name)), ("offset", .int(site.offset)),
          ("label", .string(site.label)), ("any", .bool(site.isAny)),
        ]))
    }
    guard !sites.isEmpty else { return }
    statistics.splits[split]!.typeFiles += 1
    writers.types.write(
      .object([
        ("package", .string(package.name)), ("path", .string(path)), ("language", .string(language.rawValue)),
        ("text", .string(String(decoding: file.text, as: UTF8.self))), ("sites", .array(sites)),
      ]))
  }
}
