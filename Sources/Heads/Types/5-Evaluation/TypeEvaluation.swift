import Foundation
import Syntax

/// Type-prediction evaluation on the types dataset (`codeintel corpus` writes it; schema in
/// docs/DATASETS.md): every annotation site of the de-annotated files of one split (the test split:
/// held-out packages) is scored by acc@1 and acc@5 with `any` excluded and whitespace-normalised
/// exact match (`TypeAccuracy`), overall, by site kind, and for common (top-100 of the training
/// vocabulary) versus rare types.
///
/// Rows that need no trained model: the most-frequent-type baseline, the name-only baseline, the
/// deterministic `TypeEvidence`, evidence combined with name-only, and — given its predictions —
/// the TypeScript compiler (`TypeScriptPeer`).
public struct TypeEvaluation {
  /// One row of the table.
  public struct Row: Sendable {
    public let name: String
    public let overall: TypeAccuracy
    public let byKind: [String: TypeAccuracy]
    public let common: TypeAccuracy
    public let rare: TypeAccuracy
    /// Sites whose label has type arguments or is a union (`TypeAccuracy.isStructured`).
    public let structured: TypeAccuracy
  }

  /// Ranked predictions (best first, possibly empty) for each site of a file, in the file's site order.
  public typealias Predictor = (File) throws -> [[String]]

  /// The files scored.
  public private(set) var files: [File]
  /// The training vocabulary, most frequent first (normalised; `any` dropped).
  public let vocabulary: [String]
  /// The 100 most frequent training types: "common".
  public let commonTypes: Set<String>
  /// The name-only baseline fitted on the training split.
  public let names: NameOnlyTypeBaseline
  /// Every file of the split (not only the scored sample), one table per package: the project's own annotations
  /// (`TypeProjectAnnotations`, a file keyed by its path); empty when the evaluation was made from files.
  public var projects: [String: TypeProjectAnnotations] = [:]
  /// Per scored file (`ownKey`), the labels of the sites it keeps annotated under `partlyAnnotate()`, per site key:
  /// its own annotations, which the project rule may count (`TypeProjectAnnotations.Rule.own`). Empty in the usual
  /// protocol, whose files are all holes.
  public private(set) var ownAnnotations: [String: [TypeProjectAnnotations.Key: [String: Int]]] = [:]

  /// The site kinds in table order.
  public static let kinds = ["parameter", "return", "variable", "property"]

  /// An evaluation of `files` against a training split given by its sites and vocabulary (counts, most frequent first).
  public init(files: [File], trainSites: [(name: String, label: String)], vocabulary: [String]) {
    self.files = files
    var seen: Set<String> = []
    self.vocabulary = vocabulary.map(TypeAccuracy.normalize).filter { $0 != "any" && seen.insert($0).inserted }
    self.commonTypes = Set(self.vocabulary.prefix(100))
    self.names = NameOnlyTypeBaseline(sites: trainSites, global: self.vocabulary)
  }

  /// Loads `split.jsonl`, `train.jsonl` and `vocabulary-train.tsv` from the dataset folder.
  /// With `limit`, only the first `limit` files of the split (in file order) are scored.
  /// With `every`, only every `every`-th file (a sample that spans the split's repositories).
  public init(directory: String, split: String = "test", limit: Int? = nil, every: Int = 1) throws {
    let dir = URL(fileURLWithPath: directory)
    var files = try Self.loadFiles(dir.appendingPathComponent("\(split).jsonl").path)
    let projects = Self.projectAnnotations(files)
    if every > 1 { files = files.enumerated().filter { $0.offset % every == 0 }.map(\.element) }
    if let limit { files = Array(files.prefix(limit)) }
    let train = try Self.loadFiles(dir.appendingPathComponent("train.jsonl").path)
    let vocabulary = try Self.loadVocabulary(dir.appendingPathComponent("vocabulary-train.tsv").path)
    self.init(
      files: files, trainSites: train.flatMap { $0.sites.map { (name: $0.name, label: $0.label) } },
      vocabulary: vocabulary)
    self.projects = projects
  }

  /// The partly annotated protocol (`eval types --partly-annotated`, session 24): each scored file's sites are split
  /// by a fixed hash of (package, path, offset) into a kept half and a held-out half. The kept half becomes the file's
  /// own annotations (`ownAnnotations`) and is neither scored nor checked (marked `any`); the held-out half is scored.
  /// The text stays fully de-annotated, so the head and the compiler read no annotation of the kept half (a real
  /// half-annotated file would give them more). The package tables keep every file as written.
  public mutating func partlyAnnotate() {
    ownAnnotations = [:]
    for f in files.indices {
      let file = files[f]
      let kept = file.sites.indices.filter { Self.keeps(file, file.sites[$0]) }
      ownAnnotations[Self.ownKey(file)] = TypeProjectAnnotations.counts(
        kept.map { (kind: file.sites[$0].kind, name: file.sites[$0].name, label: file.sites[$0].label) })
      for i in kept { files[f].sites[i].any = true }
    }
  }

  /// Whether the partly annotated protocol keeps `site` annotated (FNV-1a of package, path and offset; even: kept).
  public static func keeps(_ file: File, _ site: Site) -> Bool {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in "\(file.package)\u{0}\(file.path)\u{0}\(site.offset)".utf8 {
      hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }
    return hash & 1 == 0
  }

  static func ownKey(_ file: File) -> String { file.package + "\u{0}" + file.path }

  /// The file's own annotations per site key (`ownAnnotations`; empty when it keeps none).
  public func own(_ file: File) -> [TypeProjectAnnotations.Key: [String: Int]] {
    ownAnnotations[Self.ownKey(file)] ?? [:]
  }

  /// The split's annotated sites, one table per package (the dataset's labels are the files' own annotations).
  public static func projectAnnotations(_ files: [File], rule: TypeProjectAnnotations.Rule = .shipped)
    -> [String: TypeProjectAnnotations]
  {
    var out: [String: TypeProjectAnnotations] = [:]
    for file in files {
      out[file.package, default: TypeProjectAnnotations(rule: rule)].add(
        file: file.path, sites: file.sites.map { (kind: $0.kind, name: $0.name, label: $0.label) })
    }
    return out
  }

  /// Number of scored sites (`any` excluded).
  public var scoredSites: Int { files.reduce(0) { $0 + $1.sites.filter { !$0.any }.count } }

  // MARK: - Scoring

  /// Scores `predict` on every file.
  public func row(_ name: String, predict: Predictor) rethrows -> Row {
    var overall = TypeAccuracy()
    var byKind: [String: TypeAccuracy] = [:]
    var common = TypeAccuracy()
    var rare = TypeAccuracy()
    var structured = TypeAccuracy()
    for file in files {
      let predictions = try predict(file)
      for (i, site) in file.sites.enumerated() where !site.any {
        let ranked = i < predictions.count ? predictions[i] : []
        overall.add(label: site.label, predictions: ranked)
        byKind[site.kind, default: TypeAccuracy()].add(label: site.label, predictions: ranked)
        if commonTypes.contains(TypeAccuracy.normalize(site.label)) {
          common.add(label: site.label, predictions: ranked)
        } else {
          rare.add(label: site.label, predictions: ranked)
        }
        if TypeAccuracy.isStructured(site.label) { structured.add(label: site.label, predictions: ranked) }
      }
    }
    return Row(name: name, overall: overall, byKind: byKind, common: common, rare: rare, structured: structured)
  }

  /// Always the five most frequent training types.
  public func mostFrequentRow() -> Row {
    let top = Array(vocabulary.prefix(5))
    return row("most frequent type (train)") { $0.sites.map { _ in top } }
  }

  /// The name-only baseline.
  public func nameOnlyRow() -> Row {
    row("name only (train)") { $0.sites.map { names.predict(name: $0.name) } }
  }

  /// The project's own annotations alone: the labels of the file's package's other files where the rule passes
  /// (`TypeProjectAnnotations.leads`, most sites first; not vetted against the file's scope), nothing elsewhere.
  public func projectRow() -> Row {
    let rule = projects.values.first?.rule ?? .shipped
    return row(
      "the project's own annotations alone (other files of the package; up to \(rule.depth) types of ≥ "
        + "\(rule.minSites) sites in ≥ \(rule.minFiles) files, the first's share ≥ \(rule.minShare)"
        + (rule.own == .excluded ? ")" : "; the file's own annotations: \(rule.own.rawValue))")
    ) { file in
      let own = self.own(file)
      return file.sites.map { site in
        projects[file.package]?.leads(
          name: site.name, isReturn: site.kind == "return", excluding: file.path, own: own
        ).map(\.type) ?? []
      }
    }
  }

  /// `TypeEvidence` on the de-annotated text: for each site, the candidates of the suggestion whose
  /// anchor is the site's offset (same kind preferred); empty where the evidence says nothing.
  public static func evidencePredictions(_ file: File) throws -> [[String]] {
    try evidenceCandidates(file).map { candidates in
      var out: [String] = []
      for c in candidates where !out.contains(c.type) { out.append(c.type) }
      return out
    }
  }

  /// The evidence candidates (with confidences) per site, as `evidencePredictions` picks them.
  public static func evidenceCandidates(_ file: File) throws -> [[TypeEvidence.Suggestion.Candidate]] {
    let language = file.syntaxLanguage
    let tree = try Parser(language: language).parse(file.text)
    var byAnchor: [Int: [TypeEvidence.Suggestion]] = [:]
    for s in TypeEvidence.suggestions(in: tree) { byAnchor[s.anchor, default: []].append(s) }
    return file.sites.map { site in
      guard let found = byAnchor[site.offset], !found.isEmpty else { return [] }
      let wanted: TypeEvidence.Suggestion.Kind =
        site.kind == "return" ? .returnType : site.kind == "parameter" ? .parameter : .variable
      return (found.first { $0.kind == wanted } ?? found[0]).candidates
    }
  }

  /// Deterministic evidence alone.
  public func evidenceRow() throws -> Row {
    try row("deterministic evidence (TypeEvidence)", predict: Self.evidencePredictions)
  }

  /// Evidence first; name-only fills the rest of the five (and all five where evidence is silent).
  public func combinedRow() throws -> Row {
    try row("evidence, else name only") { file in
      let evidence = try Self.evidencePredictions(file)
      return zip(file.sites, evidence).map { site, ev in
        var out = ev.map(TypeAccuracy.normalize)
        for t in names.predict(name: site.name) where out.count < 5 && !out.contains(t) { out.append(t) }
        return out
      }
    }
  }

  /// Rows from precomputed per-file predictions (the compiler peer), keyed by file position in `files`.
  public func row(_ name: String, predictions: [[[String]]]) -> Row {
    var index = 0
    return row(name) { _ in
      defer { index += 1 }
      return index < predictions.count ? predictions[index] : []
    }
  }

  // MARK: - Report

  /// The Markdown tables: acc@1 and acc@5, overall and by breakdown, plus coverage; `pending`
  /// names rows that have no numbers yet (shown as "not trained yet").
  public func markdown(_ rows: [Row], pending: [String] = []) -> String {
    func pct(_ x: Double?) -> String { x.map { String(format: "%.1f", 100 * $0) } ?? "–" }
    let first = rows.first
    var counts = "all \(first?.overall.sites ?? 0)"
    for k in Self.kinds { counts += ", \(k) \(first?.byKind[k]?.sites ?? 0)" }
    counts += ", common \(first?.common.sites ?? 0), rare \(first?.rare.sites ?? 0)"
    counts += ", type arguments or unions \(first?.structured.sites ?? 0)"
    var out = ""
    for (title, metric) in [("acc@1 (%)", \TypeAccuracy.accuracyAt1), ("acc@5 (%)", \TypeAccuracy.accuracyAt5)] {
      out += "\(title)\n\n| predictor | all | " + Self.kinds.joined(separator: " | ")
      out += " | common | rare | args/unions | coverage |\n"
      out += "|---|---|" + Self.kinds.map { _ in "---|" }.joined() + "---|---|---|---|\n"
      for r in rows {
        out += "| \(r.name) | \(pct(r.overall[keyPath: metric])) | "
        for k in Self.kinds { out += "\(pct(r.byKind[k]?[keyPath: metric])) | " }
        out += "\(pct(r.common[keyPath: metric])) | \(pct(r.rare[keyPath: metric])) | "
        out += "\(pct(r.structured[keyPath: metric])) | \(pct(r.overall.coverage)) |\n"
      }
      for p in pending {
        out += "| \(p) | not trained yet |" + Self.kinds.map { _ in " |" }.joined() + " | | | |\n"
      }
      out += "\n"
    }
    out += "Sites scored (`any` excluded): \(counts), in \(files.count) files.\n"
    return out
  }
}
