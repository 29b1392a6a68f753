import CodeIntel
import Foundation
import Syntax

/// Type suggestions for one file, and the writer that turns accepted ones into annotations.
///
/// The suggestions come from `TypeEvidence` (deterministic evidence: literals, `new C()`, defaults,
/// returns of literals) and, with a type head, from the head and its name prior (`TypeCombination`).
public struct TypeSuggestions: Sendable {
  public let file: SourceFile
  public let suggestions: [TypeEvidence.Suggestion]

  /// Suggestions for every unannotated site the evidence covers, best candidate first. With a type head
  /// (`model`) and a TypeScript file, every unannotated parameter, return and variable (`TypeSites`) also
  /// gets the head's candidates and the name prior's (when the head folder has one), combined with the
  /// evidence by `TypeCombination.combine` (evidence first where it is confident, else head and prior ranked
  /// by confidence); each candidate says its `source`.
  /// Only sites where an annotation adds information are kept (`TypeHoles`; `all: true` keeps every site), and
  /// only candidates whose names are types in scope (`TypeNames`).
  /// With `project` (the annotations of the file's project, `TypeProjectAnnotations`), the project's own labels for a
  /// site's name join its candidates at their shares, ranked by confidence, where they pass the table's rule; the
  /// file's own annotated sites (by `file.path`, standardised) count as the rule's `own` says.
  public init(
    file: SourceFile, parser: Parser? = nil, model: TypeHeadModel? = nil, all: Bool = false,
    project: TypeProjectAnnotations? = nil
  ) throws {
    self.file = file
    let parsed = try ParsedFile(file, parser: parser)
    suggestions = TypeHoles.gate(
      model != nil && file.language.isTypeScript
        ? Self.suggestions(
          in: parsed.tree, tsx: file.language == .tsx, model: model, project: project,
          path: URL(fileURLWithPath: file.path).standardizedFileURL.path)
        : TypeHoles.evidence(in: parsed.tree), in: parsed.tree, all: all, path: file.path)
  }

  /// Whether a site (or its suggestion) with this anchor and name lies in `range`, ends included: what a
  /// request for a range must cover.
  public static func touches(_ range: ClosedRange<Int>, anchor: Int, nameRange: Range<Int>) -> Bool {
    range.contains(anchor)
      || range.overlaps(nameRange.lowerBound...Swift.max(nameRange.lowerBound, nameRange.upperBound))
  }

  /// Evidence and, with `model`, the type head's and its name prior's candidates for every unannotated site of
  /// a TypeScript tree. With `bytes`, only the sites whose anchor or name lies in that range get the head
  /// (and the evidence looks only at nodes overlapping it): the head reads each site in its own window of
  /// the file, so a site's candidates are the same as in a whole-file call, and an editor's request for a
  /// few lines costs a few windows instead of the whole file.
  /// With `cache` (one per document, kept across its edits), the head computes only the windows whose input
  /// is not in it (`TypeHeadModel.predict(_:top:cache:)`); the suggestions are the same either way.
  /// Each site keeps at most `pool` candidates: the compiler's search tries them in order (`TypeChecker.check`);
  /// what is listed unchecked is cut to `listed`.
  /// With `project`, the project's own labels for a site's name (`TypeProjectAnnotations.leads`, vetted; the file at
  /// `path` counted as the table's `Rule.own` says, types not in scope at the site left out) join the candidates at
  /// their shares, ranked by confidence (`TypeProjectAnnotations.leading`).
  public static func suggestions(
    in tree: Tree, tsx: Bool, model: TypeHeadModel?, bytes range: ClosedRange<Int>? = nil, cache: TypeHeadCache? = nil,
    pool: Int = searchPool, project: TypeProjectAnnotations? = nil, path: String? = nil
  )
    -> [TypeEvidence.Suggestion]
  {
    let evidence = TypeHoles.evidence(in: tree, bytes: range)
    guard let model else { return evidence }
    var sites = TypeSites.unannotated(in: tree) + TypeHoles.extraSites(in: tree)
    if let range { sites = sites.filter { touches(range, anchor: $0.anchor, nameRange: $0.nameRange) } }
    guard !sites.isEmpty else { return evidence }
    let text = String(decoding: tree.bytes, as: UTF8.self)
    let shapes = TypeShapes.shapes(in: tree, generics: model.namePrior?.generics)
    // The head's ten best per site, as `eval types` ranks them (`TypeEvaluation.systemCandidates`).
    // The head sees each site's name as the dataset spells it (a return site of `const f = () => …` has no
    // name there), so what it reads here matches what it was trained on.
    let predictions = model.predict(
      text: text, tsx: tsx,
      sites: sites.map {
        TypeHeadSite(
          kind: $0.datasetKind, name: $0.datasetName, offset: $0.anchor,
          typeParameters: TypeNames.typeParameters(in: tree, at: $0.anchor).sorted())
      },
      tree: cache == nil ? nil : tree, top: max(10, pool), cache: cache)
    var byKey: [String: TypeEvidence.Suggestion] = [:]
    for s in evidence { byKey["\(s.anchor):\(s.kind.rawValue)"] = s }
    var names: TypeNames?  // made at the first project lead: it reads the file's relative imports
    // The file's own annotations as the tree holds them (an editor's buffer, saved or not), counted once, when the
    // project's rule counts them.
    let ownCounts: [TypeProjectAnnotations.Key: [String: Int]]? =
      project.map { $0.rule.own != .excluded } == true ? TypeProjectAnnotations.counts(in: tree) : nil
    var out: [TypeEvidence.Suggestion] = []
    var used: Set<String> = []
    for (site, predicted) in zip(sites, predictions) {
      let key = "\(site.anchor):\(site.kind.rawValue)"
      let ev = byKey[key]
      used.insert(key)
      let evidenceCandidates = ev?.candidates ?? []
      let shapedModel = shapes.shaped(predicted, anchor: site.anchor, kind: site.datasetKind)
      let shapedPrior = shapes.shaped(
        model.namePrior?.candidates(for: site.datasetName) ?? [], anchor: site.anchor, kind: site.datasetKind)
      var combined = model.rankCandidates(
        evidence: evidenceCandidates, model: shapedModel, prior: shapedPrior, kind: site.datasetKind,
        name: site.datasetName, top: pool,
        modelReason: model.retrieval.map { "type head and its \($0.k) nearest train sites" } ?? "type head")
      // The hand-set rule ranks by the evidence rules' fixed confidences and shows their measured ones; the learned
      // ranker's confidence is its own probability.
      if model.ranker == nil, let table = model.evidencePrecision {
        combined = table.displayed(
          combined, evidence: evidenceCandidates, kind: site.datasetKind, model: shapedModel, prior: shapedPrior)
      }
      if let leads = project?.leads(
        name: site.datasetName, isReturn: site.datasetKind == "return", excluding: path, own: ownCounts,
        shape: shapes.shape(anchor: site.anchor, kind: site.datasetKind)),
        !leads.isEmpty
      {
        let scope = names ?? TypeNames(tree: tree, path: path)
        names = scope
        combined = TypeProjectAnnotations.leading(
          combined, leads: TypeProjectAnnotations.vetted(leads, names: scope, at: site.anchor), top: pool)
      }
      guard !combined.isEmpty else { continue }
      out.append(
        TypeEvidence.Suggestion(
          kind: site.kind, name: site.name, nameRange: site.nameRange, anchor: site.anchor,
          candidates: combined.map {
            .init(
              type: $0.type, confidence: $0.confidence, reason: $0.reason,
              source: $0.source.rawValue)
          }))
    }
    // Evidence at sites `TypeSites` leaves out stays as it was.
    for var s in evidence where !used.contains("\(s.anchor):\(s.kind.rawValue)") {
      if let table = model.evidencePrecision {
        let kind = TypeSites.Site(kind: s.kind, name: s.name, nameRange: s.nameRange, anchor: s.anchor).datasetKind
        s.candidates = table.calibrated(s.candidates, kind: kind)
      }
      out.append(s)
    }
    return out.sorted { ($0.anchor, $0.kind.rawValue) < ($1.anchor, $1.kind.rawValue) }
  }

  /// How many candidates per site the compiler's search may try: ten, the system's ranked list before the
  /// evaluation's cut to five (session 15, docs/TYPES.md: on the valid splits acc@1 +0.5 / +0.3 and acc@5 +0.6 /
  /// +1.0 of the checked ranking against a pool of five).
  public static let searchPool = 10

  /// How many candidates an unchecked listing shows per site (the metric's acc@5).
  public static let listed = 5

  /// The suggestions whose best candidate reaches `minConfidence`.
  public func accepted(minConfidence: Double) -> [TypeEvidence.Suggestion] {
    suggestions.filter { $0.best.confidence >= minConfidence }
  }

  // MARK: - Writing annotations

  /// The result of annotating a file.
  public struct Annotated: Sendable {
    /// The new text.
    public let bytes: [UInt8]
    /// The suggestions written, in source order.
    public let applied: [TypeEvidence.Suggestion]
    /// Suggestions left out because inserting them would have broken the parse.
    public let refused: [TypeEvidence.Suggestion]
  }

  /// Writes `: T` annotations for TypeScript files (JSDoc for JavaScript with `jsdoc: true`) for
  /// the suggestions at or above `minConfidence`. An insertion that would add a syntax error is
  /// refused, so the output never parses worse than the input. Running it again on its own output
  /// changes nothing: annotated sites get no more suggestions.
  public func annotate(minConfidence: Double, jsdoc: Bool = false) throws -> Annotated {
    let chosen = accepted(minConfidence: minConfidence)
    let parser = Parser(language: file.language)
    let baseline = try parser.parse(bytes: file.bytes).errorCount
    func edits(_ s: [TypeEvidence.Suggestion]) -> [ByteEdit] {
      jsdoc
        ? JSDocWriter.edits(for: s, in: file.bytes)
        : s.map { ByteEdit(start: $0.anchor, deletedLength: 0, inserted: $0.annotation) }
    }
    func parsesAsWell(_ bytes: [UInt8]) throws -> Bool { try parser.parse(bytes: bytes).errorCount <= baseline }

    let all = try edits(chosen).apply(to: file.bytes)
    if try parsesAsWell(all) { return Annotated(bytes: all, applied: chosen, refused: []) }
    // Something broke the parse: keep the insertions one at a time that do not.
    var kept: [TypeEvidence.Suggestion] = []
    var refused: [TypeEvidence.Suggestion] = []
    for suggestion in chosen {
      let trial = try edits(kept + [suggestion]).apply(to: file.bytes)
      if try parsesAsWell(trial) { kept.append(suggestion) } else { refused.append(suggestion) }
    }
    return Annotated(bytes: try edits(kept).apply(to: file.bytes), applied: kept, refused: refused)
  }
}

/// Writes suggestions for JavaScript as JSDoc: a `/** @param {T} name */`-style block above each
/// named function that has none yet, listing its parameter and return types.
enum JSDocWriter {
  static func edits(for suggestions: [TypeEvidence.Suggestion], in bytes: [UInt8]) -> [ByteEdit] {
    guard !suggestions.isEmpty, let tree = try? Parser(language: .javascript).parse(bytes: bytes) else { return [] }
    let units = extractUnits(from: tree)
    var byUnit: [Int: [TypeEvidence.Suggestion]] = [:]
    for s in suggestions where s.kind == .parameter || s.kind == .returnType {
      // The innermost unit whose parameter list or name holds the suggestion.
      guard
        let u = units.indices.last(where: {
          units[$0].byteRange.contains(s.anchor) || units[$0].byteRange.lowerBound == s.anchor
        })
      else {
        continue
      }
      byUnit[u, default: []].append(s)
    }
    var out: [ByteEdit] = []
    for (u, list) in byUnit {
      let unit = units[u]
      // Only named functions get a block: a JSDoc comment above an inline callback would attach to
      // the statement around it, not to the callback.
      guard unit.name != nil else { continue }
      // Attach the comment to the statement that holds the function (`const f = …`, `export …`).
      var start = unit.byteRange.lowerBound
      if let node = tree.root.descendant(for: unit.byteRange.lowerBound..<unit.byteRange.upperBound) {
        var top = node
        while let p = top.parent, p.type != "program", p.type != "class_body", p.type != "statement_block",
          p.startPoint.row == node.startPoint.row
        {
          top = p
        }
        start = top.startByte
      }
      // Skip functions that already have a JSDoc block right above them.
      var i = start - 1
      while i >= 0, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i -= 1 }
      if i >= 1, bytes[i] == 0x2F, bytes[i - 1] == 0x2A { continue }
      var lineStart = start
      while lineStart > 0, bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
      let indent = String(decoding: bytes[lineStart..<start].prefix { $0 == 0x20 || $0 == 0x09 }, as: UTF8.self)
      guard lineStart + indent.utf8.count == start else { continue }  // not at the start of its line
      var lines = ["/**"]
      for s in list where s.kind == .parameter { lines.append(" * @param {\(s.best.type)} \(s.name)") }
      for s in list where s.kind == .returnType { lines.append(" * @returns {\(s.best.type)}") }
      lines.append(" */")
      let text = lines.map { indent + $0 }.joined(separator: "\n") + "\n"
      out.append(ByteEdit(start: lineStart, deletedLength: 0, inserted: text))
    }
    return out
  }
}

// MARK: - Diffs

/// A minimal unified diff of two texts whose lines correspond one to one or by insertion only
/// (what the annotation writer produces), for dry runs.
public func unifiedDiff(path: String, old: [UInt8], new: [UInt8]) -> String {
  let a = LineDiff.textLines(old)
  let b = LineDiff.textLines(new)
  // Longest common subsequence on lines (files are small; the writer only inserts).
  let n = a.count
  let m = b.count
  guard n * m <= 25_000_000 else {
    return LineDiff.unified(path: path, old: old, new: new) ?? "--- \(path)\n+++ \(path)\n(diff too large to show)\n"
  }
  var lcs = [[Int32]](repeating: [Int32](repeating: 0, count: m + 1), count: n + 1)
  for i in stride(from: n - 1, through: 0, by: -1) {
    for j in stride(from: m - 1, through: 0, by: -1) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
    }
  }
  var ops: [(Character, String, Int, Int)] = []  // (op, text, old line, new line)
  var i = 0
  var j = 0
  while i < n || j < m {
    if i < n, j < m, a[i] == b[j] {
      ops.append((" ", a[i], i, j))
      i += 1
      j += 1
    } else if i < n, j == m || lcs[i + 1][j] >= lcs[i][j + 1] {
      ops.append(("-", a[i], i, j))  // deletions before insertions, as diff(1) prints them
      i += 1
    } else {
      ops.append(("+", b[j], i, j))
      j += 1
    }
  }
  var out = "--- \(path)\n+++ \(path) (annotated)\n"
  var k = 0
  while k < ops.count {
    guard ops[k].0 != " " else {
      k += 1
      continue
    }
    let from = max(0, k - 2)
    // Extend the hunk while a change lies within the next five lines.
    var to = k
    while to < ops.count, ops[to..<min(ops.count, to + 5)].contains(where: { $0.0 != " " }) { to += 1 }
    to = min(ops.count, to + 2)
    let oldCount = ops[from..<to].filter { $0.0 != "+" }.count
    let newCount = ops[from..<to].filter { $0.0 != "-" }.count
    out += "@@ -\(ops[from].2 + 1),\(oldCount) +\(ops[from].3 + 1),\(newCount) @@\n"
    for op in ops[from..<to] { out += "\(op.0)\(op.1)\n" }
    k = to
  }
  return out
}
