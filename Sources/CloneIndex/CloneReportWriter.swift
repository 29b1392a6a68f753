import Foundation

/// Renders a `CloneReport` as text, JSON or SARIF 2.1.0.
public enum CloneReportFormat: String, Sendable, CaseIterable {
  case text
  case json
  case sarif
}

/// Writes clone reports. Excerpts are read from the repository through `source`.
public struct CloneReportWriter: Sendable {
  /// Lines of code shown under each text group.
  public var excerptLines: Int = 4
  /// Whether the text and SARIF reports show every group, also the near-miss and functional groups that
  /// `CloneWorth` judges alike but not worth a refactor (`--all`). JSON always holds every group.
  public var all: Bool = false

  public init(excerptLines: Int = 4, all: Bool = false) {
    self.excerptLines = excerptLines
    self.all = all
  }

  /// The groups the text and SARIF reports show.
  public func shown(_ report: CloneReport) -> [CloneGroup] {
    all ? report.groups : report.groups.filter(\.shownByDefault)
  }

  /// The report in `format`, ending with a newline.
  public func render(_ report: CloneReport, format: CloneReportFormat, root: String) throws -> String {
    switch format {
    case .text: return text(report, root: root)
    case .json: return try json(report)
    case .sarif:
      var shown = report
      shown.groups = self.shown(report)
      return try SARIFWriter().render(shown)
    }
  }

  // MARK: - Text

  /// Groups in report order, each with its members and a short excerpt of the first one.
  public func text(_ report: CloneReport, root: String) -> String {
    var out = ""
    let groups = shown(report)
    let kinds = CloneKind.allCases.map { k in "\(groups.filter { $0.kind == k }.count) \(k.rawValue)" }
      .joined(separator: ", ")
    out += "\(groups.count) clone groups (\(kinds)) in \(report.files) files, \(report.units) functions"
    out += " [min \(report.minLines) lines, threshold \(String(format: "%.2f", report.threshold)), \(report.model)]\n"
    out += "  \(report.model): \(Self.describeEmbedder(report.model))\n"
    if let line = Self.leftOutLine(report.leftOut) { out += "  \(line)\n" }
    if let line = Self.hiddenLine(report, all: all) { out += "  \(line)\n" }
    out +=
      "  exact copies: the same text apart from each function's own name (so `a` and `b` may pair up); "
      + "renamed copies: the same after renaming identifiers; similar functions: "
      + (report.functionalScorer.map { "\($0) (every pair of a group)" } ?? "embeddings at cosine similarity "
        + "≥ the threshold") + (report.templateRule.map { ", \($0)" } ?? "")
      + (report.inputRule.map { ", \($0)" } ?? "") + (report.outputRule.map { ", \($0)" } ?? "") + "\n"
    var cache: [String: [Substring]] = [:]
    let classes = Self.classGroups(report)
    for g in groups {
      let label: String
      switch g.kind {
      case .exact: label = "exact copies"
      case .renamed: label = "renamed copies"
      case .nearMiss: label = "copies with edits"
      case .functional: label = "similar functions"
      }
      out += "\n#\(g.id) \(label): \(g.members.count) functions, \(g.lines) lines (\(g.removableLines) removable), "
      out += "similarity \(String(format: "%.2f", g.similarity))"
      if g.kind == .functional || g.kind == .nearMiss { out += " (min \(String(format: "%.2f", g.minSimilarity)))" }
      if let why = g.notWorth { out += " [hidden by default: \(why.phrase)]" }
      out += "\n"
      let listed = Self.listed(g, classes: classes)
      let width = listed.map { $0.member.label.count }.max() ?? 0
      for (m, copies) in listed {
        let pad = String(repeating: " ", count: width - m.label.count)
        out += "  \(m.label)\(pad)  \(m.name ?? "(anonymous \(m.kind))")"
        if let c = copies {
          let noun = c.kind == .exact ? "exact" : "renamed"
          out += "  (+\(c.count) \(noun) \(c.count == 1 ? "copy" : "copies") of it, #\(c.id))"
        }
        out += "\n"
      }
      let first = g.members[0]
      if cache[first.path] == nil {
        let bytes = (try? FileBytes.read(root + "/" + first.path)) ?? []
        // `"\r\n"` is one `Character`: split at it too, or a CRLF file is one line and shows no excerpt.
        cache[first.path] = String(decoding: bytes, as: UTF8.self).split(
          omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
      }
      if let lines = cache[first.path], first.startLine >= 1, first.startLine <= lines.count {
        let end = min(first.endLine, first.startLine + excerptLines - 1, lines.count)
        for l in first.startLine...end { out += "    | \(lines[l - 1].prefix(100))\n" }
        if first.endLine > end { out += "    | …\n" }
      }
    }
    out +=
      "\nNext: `codeintel search FILE:LINE --repo \(root)` lists the functions most similar to one; "
      + "`--format sarif -o clones.sarif` writes this report for code scanning; in an editor, codeintel-lsp "
      + "(Editors/) shows the same clones as diagnostics.\n"
    return out
  }

  /// Per member label, the exact or renamed group it belongs to (id and kind).
  static func classGroups(_ report: CloneReport) -> [String: (id: Int, kind: CloneKind)] {
    var out: [String: (id: Int, kind: CloneKind)] = [:]
    for g in report.groups where g.kind == .exact || g.kind == .renamed {
      for m in g.members where out[m.label] == nil { out[m.label] = (g.id, g.kind) }
    }
    return out
  }

  /// The members the text lists for a group. A near-miss or functional group holds every member of each exact or
  /// renamed class it joins (session-10 audit: lexical's near-miss #62 repeated the exact pair #119), so it lists
  /// one member per such class, with how many copies of it the group also holds and the group that lists them; the
  /// group's counts and the JSON keep every member. Exact and renamed groups list all.
  static func listed(_ g: CloneGroup, classes: [String: (id: Int, kind: CloneKind)])
    -> [(member: CloneLocation, copies: (count: Int, id: Int, kind: CloneKind)?)]
  {
    var out: [(member: CloneLocation, copies: (count: Int, id: Int, kind: CloneKind)?)] = []
    guard g.kind == .nearMiss || g.kind == .functional else { return g.members.map { ($0, nil) } }
    var at: [Int: Int] = [:]
    for m in g.members {
      guard let c = classes[m.label] else {
        out.append((m, nil))
        continue
      }
      if let i = at[c.id] {
        out[i].copies = (count: (out[i].copies?.count ?? 0) + 1, id: c.id, kind: c.kind)
      } else {
        at[c.id] = out.count
        out.append((m, nil))
      }
    }
    return out
  }

  /// "left out: 12 functions in test code (--include-tests), …", or nil when nothing was left out.
  static func leftOutLine(_ leftOut: CloneReport.LeftOut?) -> String? {
    guard let l = leftOut else { return nil }
    let parts = [
      (l.tests, "in test code", "--include-tests"), (l.build, "in build output", "--include-build"),
      (l.examples, "in example apps", "--include-examples"),
      (l.benchmarks ?? 0, "in benchmark code", "--include-benchmarks"),
    ].filter { $0.0 > 0 }.map { "\($0.0) \($0.0 == 1 ? "function" : "functions") \($0.1) (\($0.2))" }
    return parts.isEmpty ? nil : "left out: " + parts.joined(separator: ", ")
  }

  /// "12 more groups are alike but small or parallel (thin wrappers 5, mirror pairs 2, small 5): --all shows
  /// them", or nil when none is hidden (or all are shown).
  static func hiddenLine(_ report: CloneReport, all: Bool) -> String? {
    let hidden = report.groups.filter { !$0.shownByDefault }
    guard !all, !hidden.isEmpty else { return nil }
    let parts = CloneWorth.Reason.allCases.compactMap { r -> String? in
      let n = hidden.filter { $0.notWorth == r }.count
      return n == 0 ? nil : "\(r.phrase) \(n)"
    }
    return "\(hidden.count) more \(hidden.count == 1 ? "group is" : "groups are") alike but small or parallel ("
      + parts.joined(separator: ", ") + "): --all shows them"
  }

  /// What an embedder's identifier means, for the report's header.
  static func describeEmbedder(_ model: String) -> String {
    if model.hasPrefix("hashed-features") {
      let dims = model.split(separator: "-").last.map(String.init) ?? "?"
      return "the default embedder, not a learned model: a hashed bag of each function's token n-grams and "
        + "syntax, \(dims) dimensions; it finds lightly edited copies, not arbitrary rewrites"
    }
    return "the neural encoder of that model folder (ContraCode pretraining)"
  }

  // MARK: - JSON

  /// The report as pretty-printed JSON with sorted keys (schema in docs/CLONES.md).
  public func json(_ report: CloneReport) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(report)
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}
