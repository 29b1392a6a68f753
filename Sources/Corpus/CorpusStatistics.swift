/// What one split of the built corpus holds. Every number the datasets document comes from here.
public struct SplitStatistics: Sendable {
  public var packages = 0
  /// JS/TS files by extension, before any rule.
  public var candidateFiles = 0
  /// Files left out, by reason (`FileSelector.Reason` raw values, `duplicate-file`, `parse-error`).
  public var skipped: [String: Int] = [:]
  /// Files kept, their lines and bytes, by language.
  public var files = 0
  public var typeScriptFiles = 0
  public var lines = 0
  public var bytes = 0
  /// Function units selected before and after deduplication, and why they were dropped.
  public var functionsBefore = 0
  public var functionsAfter = 0
  public var droppedExact = 0
  public var droppedCanonical = 0
  /// Dropped because an earlier split (train, then valid) holds the same function.
  public var droppedCrossSplit = 0
  public var methodNames = 0
  /// Method-naming examples kept for the documentation (the first few in build order).
  public var nameSamples: [(name: String, target: [String])] = []
  public var typeFiles = 0
  /// TypeScript files whose de-annotated text did not parse cleanly (left out of the types set).
  public var deannotationFailures = 0
  public var sitesByKind: [String: Int] = [:]
  public var anySites = 0
  public var droppedDuplicateSites = 0
  public var labelCounts: [String: Int] = [:]
  public var clonePairs = 0
  /// Natural clone pairs (positives and negatives) and the problems they come from.
  public var naturalPairs = 0
  public var naturalProblems = 0

  public var typeSites: Int { sitesByKind.values.reduce(0, +) }

  mutating func skip(_ reason: String) { skipped[reason, default: 0] += 1 }
}

/// Per-package counts, to show that no package dominates its split.
public struct PackageStatistics: Sendable {
  public var name: String
  public var split: CorpusSplit
  public var language: String
  public var files = 0
  public var lines = 0
  public var functionsAfter = 0
  public var typeSites = 0
}

/// The statistics of a whole build.
public struct CorpusStatistics: Sendable {
  public var splits: [CorpusSplit: SplitStatistics] = [:]
  public var packages: [PackageStatistics] = []
  /// Type labels of train, most frequent first (ties by label), `any` included.
  public var vocabulary: [(label: String, count: Int)] = []

  /// Share of a split's non-`any` sites whose label is among the `top` most frequent train labels.
  public func coverage(_ split: CorpusSplit, top: Int) -> Double {
    let known = Set(vocabulary.lazy.filter { $0.label != "any" }.prefix(top).map(\.label))
    guard let s = splits[split] else { return 0 }
    var covered = 0
    var total = 0
    for (label, count) in s.labelCounts where label != "any" {
      total += count
      if known.contains(label) { covered += count }
    }
    return total == 0 ? 0 : Double(covered) / Double(total)
  }

  // MARK: - JSON

  /// The statistics as JSON (fixed key order).
  public var json: JSONValue {
    var splitFields: [(String, JSONValue)] = []
    for split in CorpusSplit.allCases {
      guard let s = splits[split] else { continue }
      splitFields.append(
        (
          split.rawValue,
          .object([
            ("packages", .int(s.packages)), ("candidate_files", .int(s.candidateFiles)),
            ("skipped", .object(s.skipped.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("files", .int(s.files)), ("typescript_files", .int(s.typeScriptFiles)), ("lines", .int(s.lines)),
            ("bytes", .int(s.bytes)), ("functions_before_dedup", .int(s.functionsBefore)),
            ("functions_after_dedup", .int(s.functionsAfter)), ("dropped_exact", .int(s.droppedExact)),
            ("dropped_canonical", .int(s.droppedCanonical)), ("dropped_cross_split", .int(s.droppedCrossSplit)),
            ("method_names", .int(s.methodNames)), ("type_files", .int(s.typeFiles)),
            ("deannotation_failures", .int(s.deannotationFailures)),
            ("type_sites", .object(s.sitesByKind.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("any_sites", .int(s.anySites)), ("dropped_duplicate_sites", .int(s.droppedDuplicateSites)),
            ("distinct_types", .int(s.labelCounts.count)),
            ("coverage_top100", .double(coverage(split, top: 100))),
            ("coverage_top1000", .double(coverage(split, top: 1000))), ("clone_pairs", .int(s.clonePairs)),
            ("natural_pairs", .int(s.naturalPairs)), ("natural_pair_problems", .int(s.naturalProblems)),
            ("largest_source_function_share", .double(largestShare(split, \.functionsAfter, total: s.functionsAfter))),
            ("largest_source_type_site_share", .double(largestShare(split, \.typeSites, total: s.typeSites))),
            (
              "name_samples",
              .array(
                s.nameSamples.map {
                  .object([("name", .string($0.name)), ("target", .array($0.target.map(JSONValue.string)))])
                })
            ),
          ])
        ))
    }
    let packages: [JSONValue] = self.packages.map { p in
      .object([
        ("name", .string(p.name)), ("split", .string(p.split.rawValue)), ("language", .string(p.language)),
        ("files", .int(p.files)), ("lines", .int(p.lines)), ("functions", .int(p.functionsAfter)),
        ("type_sites", .int(p.typeSites)),
      ])
    }
    let top: [JSONValue] = vocabulary.prefix(30).map {
      .object([("type", .string($0.label)), ("count", .int($0.count))])
    }
    return .object([
      ("splits", .object(splitFields)), ("packages", .array(packages)), ("top_types_train", .array(top)),
    ])
  }

  // MARK: - Markdown

  /// The tables `docs/DATASETS.md` shows.
  public var markdown: String {
    var out = ""
    let order = CorpusSplit.allCases.filter { splits[$0] != nil }
    func row(_ title: String, _ value: (SplitStatistics) -> String) {
      out += "| \(title) | " + order.map { value(splits[$0]!) }.joined(separator: " | ") + " |\n"
    }
    func coverageRow(_ top: Int) {
      out +=
        "| non-any sites covered by train top \(top) | "
        + order.map { percent(coverage($0, top: top)) }.joined(separator: " | ") + " |\n"
    }
    out += "| | " + order.map(\.rawValue).joined(separator: " | ") + " |\n"
    out += "|---|" + order.map { _ in "---:" }.joined(separator: "|") + "|\n"
    row("packages") { "\($0.packages)" }
    row("JS/TS files seen") { "\($0.candidateFiles)" }
    row("files kept (of them TS)") { "\($0.files) (\($0.typeScriptFiles))" }
    row("lines kept") { "\($0.lines)" }
    row("functions before dedup") { "\($0.functionsBefore)" }
    row("functions after dedup") { "\($0.functionsAfter)" }
    row("  dropped: exact / canonical / in an earlier split") {
      "\($0.droppedExact) / \($0.droppedCanonical) / \($0.droppedCrossSplit)"
    }
    row("method-name examples") { "\($0.methodNames)" }
    row("type files") { "\($0.typeFiles)" }
    for kind in TypeAnnotationSite.Kind.allCases {
      row("type sites: \(kind.rawValue)") { "\($0.sitesByKind[kind.rawValue] ?? 0)" }
    }
    row("type sites: total (of them `any`)") { "\($0.typeSites) (\($0.anySites))" }
    row("distinct type labels") { "\($0.labelCounts.count)" }
    coverageRow(100)
    coverageRow(1000)
    row("augmentation clone pairs") { "\($0.clonePairs)" }
    row("natural clone pairs (problems)") { "\($0.naturalPairs) (\($0.naturalProblems))" }
    out +=
      "| largest package/repository: share of functions | "
      + order.map { largestLabel($0, \.functionsAfter, total: splits[$0]!.functionsAfter) }.joined(separator: " | ")
      + " |\n"
    out +=
      "| largest package/repository: share of type sites | "
      + order.map { largestLabel($0, \.typeSites, total: splits[$0]!.typeSites) }.joined(separator: " | ") + " |\n"
    out += "\nFiles left out, by reason:\n\n| reason | " + order.map(\.rawValue).joined(separator: " | ") + " |\n"
    out += "|---|" + order.map { _ in "---:" }.joined(separator: "|") + "|\n"
    let reasons = Set(order.flatMap { splits[$0]!.skipped.keys }).sorted()
    for reason in reasons { row(reason) { "\($0.skipped[reason] ?? 0)" } }
    out += "\nPer package:\n\n| package | split | language | files | lines | functions | type sites |\n"
    out += "|---|---|---|---:|---:|---:|---:|\n"
    for p in packages.sorted(by: { ($0.split.rank, $0.name) < ($1.split.rank, $1.name) }) {
      out +=
        "| \(p.name) | \(p.split.rawValue) | \(p.language) | \(p.files) | \(p.lines) | \(p.functionsAfter) | \(p.typeSites) |\n"
    }
    out += "\nThe 30 most common type labels in train:\n\n| # | type | sites |\n|---:|---|---:|\n"
    for (i, entry) in vocabulary.prefix(30).enumerated() {
      out += "| \(i + 1) | `\(entry.label.replacingOccurrences(of: "|", with: "\\|"))` | \(entry.count) |\n"
    }
    out += "\nThe 20 most common type labels of each held-out split:\n\n"
    for split in order where split != .train {
      let top = splits[split]!.labelCounts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(20)
      guard !top.isEmpty else { continue }
      out +=
        "- \(split.rawValue): "
        + top.map { "`\($0.key.replacingOccurrences(of: "|", with: "\\|"))` \($0.value)" }.joined(separator: ", ")
        + "\n"
    }
    out += "\nMethod-name examples (name → target):\n\n"
    for split in order {
      for sample in splits[split]!.nameSamples.prefix(8) {
        out += "- \(split.rawValue): `\(sample.name)` → \(sample.target.joined(separator: " "))\n"
      }
    }
    return out
  }

  /// Per source (package or repository; a solution collection's parts in one split add up).
  func perSource(_ split: CorpusSplit, _ value: KeyPath<PackageStatistics, Int>) -> [(String, Int)] {
    var sums: [String: Int] = [:]
    for p in packages where p.split == split { sums[p.name, default: 0] += p[keyPath: value] }
    return sums.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { ($0.key, $0.value) }
  }

  /// The largest source's share of a split's total.
  public func largestShare(_ split: CorpusSplit, _ value: KeyPath<PackageStatistics, Int>, total: Int) -> Double {
    guard total > 0, let top = perSource(split, value).first else { return 0 }
    return Double(top.1) / Double(total)
  }

  func largestLabel(_ split: CorpusSplit, _ value: KeyPath<PackageStatistics, Int>, total: Int) -> String {
    guard total > 0, let top = perSource(split, value).first else { return "-" }
    return "\(percent(Double(top.1) / Double(total))) (\(top.0))"
  }

  private func percent(_ x: Double) -> String {
    let tenths = Int((x * 1000).rounded())
    return "\(tenths / 10).\(tenths % 10)%"
  }
}
