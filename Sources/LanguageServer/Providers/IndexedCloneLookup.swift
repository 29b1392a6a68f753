import CloneIndex
import Foundation
import Syntax

/// Functional clones from the command line's clone index, `<root>/.codeintel/index.sqlite` (built by
/// `codeintel index` / `codeintel clones`), decided the way `codeintel clones` decides a functional pair.
///
/// - **Which functions.** Both sides of a match pass the command line's reviewer rules
///   (`CloneDetector.eligible`: at least `minLines` lines and `minTokens` tokens, no test code unless
///   `includeTests`, no build output unless `includeBuild`, no example app unless `includeExamples`, no benchmark
///   code unless `includeBenchmarks`
///   (`ReviewScope`, judged on the index's files), the `include` / `exclude` globs; the repository's `.codeintel.json` sets them as it does for
///   the command line). The queried function's file must also be one the index would read (not minified or
///   binary, not a `.d.ts`) and, unless `includeBuild`, not generated (`GeneratedCode`, read from the buffer).
/// - **Which pairs.** With a learned pair scorer (`FunctionalPairGate`, the `clone-scorer.json` that
///   `codeintel clones` uses) and an index of its embedder with token streams: the index's functions whose
///   hashed-feature cosine reaches the scorer's candidate floor are candidates, and a candidate is shown only
///   when the scorer's probability reaches its calibrated threshold (and its extra rule, `agrees`). The
///   encoder vectors the scorer reads come from the index (`codeintel clones` keeps them there), else the
///   scorer's own model computes them, as the command line does. IDF weights count over one function per
///   canonical class of the eligible functions, as the command line counts them.
/// - **Beyond the template.** The command line's template rule (`RepositoryTemplates`, unless `templateRule` is
///   off): the repository's template runs are counted once, over the index's outermost functions in scope, and a
///   match must share a run outside them with the queried function (the buffer's tokens against the index's).
/// - **Callable alike, returning alike.** The command line's signature rules (`FunctionInputs`, `OutputKinds`, unless
///   `inputRule` / `outputRule` are off): a match that no number of arguments calls as the queried function is called,
///   or that returns another kind of value, is dropped (both sides read from their syntax; an unknown side passes).
/// - **Worth a refactor.** The command line's `CloneWorth` rules on the pair as a two-member group: a match that
///   is a thin wrapper pair, a mirror pair or a small copy is not shown (unless `allGroups`).
/// - **Outermost only.** The command line's group rule, per pair: a function is not matched with one nested in a
///   copy of itself, nor are two functions matched when both sit inside functions that have copies (the command
///   line reports the outer functions as exact or renamed copies and drops groups of what is inside them).
/// - **The fallback.** Without a scorer (none installed, a broken file, an index of another embedder or
///   without token streams) or when the encoder vectors cannot be had: the nearest neighbours by hashed-feature
///   cosine, which the server then shows at or above `diagnostics.minSimilarity`. `notice` says once why.
///
/// Exact and renamed clones among the files the server sees come from the wrapped `local` lookup (a
/// `CanonicalCloneFinder`), which also receives every `update`; their rules are its own.
///
/// The snapshot is read once, when the server starts; `codeintel index` refreshes it on disk and
/// `codeintel.reindex` reloads it.
public final class IndexedCloneLookup: CloneLookup, @unchecked Sendable {
  public let root: String
  /// The lookup for exact and renamed clones that this one wraps.
  public let local: any CloneLookup
  /// The reviewer rules both sides of a functional match pass.
  public let options: CloneOptions
  private let snapshot: IndexSnapshot
  /// Index positions (into `snapshot.units`) of the eligible functions, and their vectors' index.
  private let eligible: [Int]
  /// The command line's test/build/example rules over the index's files (for the queried function's file).
  private let scope: ReviewScope
  private let index: FlatVectorIndex
  private let embedder: HashedFeatureEmbedder
  /// The learned judge; nil: the cosine fallback from the start.
  private let gate: (any FunctionalPairGate)?
  private let frequencies: TokenDocumentFrequencies?
  /// The repository's template runs (`RepositoryTemplates`); nil when the rule is off or the index has no token
  /// streams in source order.
  private let templates: RepositoryTemplates?
  /// Per unit of the index, the canonical hashes of the functions around it (innermost first), and how many
  /// eligible functions hold each canonical hash: for the command line's outermost-only rule.
  private let enclosing: [[String]]
  private let classSizes: [String: Int]
  private let canonicalizer = UnitCanonicalizer()
  /// Says how functional clones are decided (the editor's log): at start-up and on a fallback.
  private let notice: @Sendable (String) -> Void
  private let lock = NSLock()
  /// One encoder run at a time (the hover and the diagnostics may ask at once; the model is not shared across
  /// threads anywhere else).
  private let encoderLock = NSLock()
  /// Encoder views by key (`encoderID|language|hash of text`): the index's, then the ones computed here.
  private var encoderViews: [String: (asWritten: [Float], blind: [Float])] = [:]
  /// Per indexed file (relative path), its functions' body sizes by byte range, read when a match first needs them.
  private var bodySizes: [String: [Range<Int>: CloneWorth.BodySize]] = [:]
  /// Per indexed file (relative path), the signatures (`FunctionSignature`) of its units by index position, read
  /// with one parse when a match in that file first needs one; and the units of each file, grouped once.
  private var signatures: [String: [Int: FunctionSignature]] = [:]
  private var unitsByPath: [String: [Int]]?
  /// Set when the scorer had to be given up at run time (no encoder vectors); the notice was sent.
  private var fallbackReason: String?
  /// The last tree asked about, its functions (for the test-callback rule on enclosing functions), whether the
  /// index would skip its file (minified, binary) and whether it is generated (`GeneratedCode`: build output).
  private var lastTree: (tree: Tree, units: [FunctionUnit], skipped: Bool, generated: Bool)?

  /// How the functional matches are decided now.
  public enum Decision: Equatable, Sendable {
    /// The learned pair scorer at its threshold.
    case scorer(threshold: Double, candidateCosine: Float)
    /// Hashed-feature cosine (the server applies `diagnostics.minSimilarity`), and why.
    case cosine(reason: String)
  }

  public var decision: Decision {
    lock.lock()
    defer { lock.unlock() }
    if let fallbackReason { return .cosine(reason: fallbackReason) }
    if let gate { return .scorer(threshold: gate.threshold, candidateCosine: gate.candidateThreshold) }
    return .cosine(reason: "no learned pair scorer")
  }

  /// Opens the index of the workspace at `root`, or returns nil (with the reason in `notice`) when
  /// there is none or it was built by an embedder this server cannot reproduce. `gate` is the learned pair
  /// scorer (nil: none could be loaded, and `gateNotice` says why); `options` the reviewer rules, nil: the
  /// command line's defaults with the repository's `.codeintel.json`. `decisionNotice` (default `notice`)
  /// receives the sentences that say how functional clones are decided.
  public init?(
    root: String, local: any CloneLookup, gate: (any FunctionalPairGate)? = nil, gateNotice: String? = nil,
    options: CloneOptions? = nil, notice: @escaping @Sendable (String) -> Void,
    decisionNotice: (@Sendable (String) -> Void)? = nil
  ) {
    let decided = decisionNotice ?? notice
    let trimmed = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    let path = RepositoryIndexer.indexPath(for: trimmed)
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    let snapshot: IndexSnapshot
    var stored: [String: (asWritten: [Float], blind: [Float])] = [:]
    do {
      let store = try IndexStore(path: path, notice: notice)
      // An index of an older hashing lacks flags the rules read (generated files) and hashes as this server no
      // longer does: `codeintel index` rebuilds it; until then it is not used rather than used wrongly.
      if let hashing = try store.meta("hashing"), hashing != RepositoryIndexer.hashingVersion {
        notice(
          "\(path) was built by another codeintel version (\(hashing)); run `codeintel index` to rebuild it. "
            + "Using the server's own clone search only")
        return nil
      }
      snapshot = try store.snapshot()
      if let gate, gate.usesEncoder, !gate.encoderID.isEmpty {
        stored = try store.encoderViews(prefix: gate.encoderID + "|")
      }
    } catch {
      notice("cannot read \(path): \(error); using the server's own clone search only")
      return nil
    }
    let embedder = HashedFeatureEmbedder(dimension: max(snapshot.dimension, 1))
    guard snapshot.dimension > 0, !snapshot.units.isEmpty, snapshot.modelID == embedder.modelID else {
      notice(
        "\(path) holds \(snapshot.units.count) functions embedded by `\(snapshot.modelID)`, which this server "
          + "cannot reproduce; using its own clone search only")
      return nil
    }
    var rules = options ?? CloneOptions()
    var settings: RepositorySettings?
    if options == nil {
      do {
        settings = try RepositorySettings.load(root: trimmed)
        if let settings { rules = settings.applied(to: rules) }
      } catch {
        notice("\(error); using the default clone rules")
      }
    }
    self.root = trimmed
    self.local = local
    self.options = rules
    var kept = snapshot
    kept.vectors = []  // the eligible functions' rows live in `index`; the rest are never searched
    self.snapshot = kept
    self.embedder = embedder
    self.notice = decided
    self.encoderViews = stored
    let scope = ReviewScope(units: snapshot.units)
    let eligible = CloneDetector.eligible(snapshot.units, options: rules, scope: scope)
    self.eligible = eligible
    self.scope = scope
    var byFileOrdinal: [String: Int] = [:]
    for (i, u) in snapshot.units.enumerated() { byFileOrdinal["\(u.fileID)/\(u.ordinal)"] = i }
    self.enclosing = snapshot.units.map { u in
      var out: [String] = []
      var parent = u.parentOrdinal
      while let p = parent, let j = byFileOrdinal["\(u.fileID)/\(p)"], out.count < 64 {
        out.append(snapshot.units[j].canonicalHash)
        parent = snapshot.units[j].parentOrdinal
      }
      return out
    }
    var sizes: [String: Int] = [:]
    for u in eligible { sizes[snapshot.units[u].canonicalHash, default: 0] += 1 }
    self.classSizes = sizes
    var matrix = [Float]()
    matrix.reserveCapacity(eligible.count * snapshot.dimension)
    for u in eligible { matrix += snapshot.vector(u) }
    self.index = FlatVectorIndex(vectors: matrix, dimension: snapshot.dimension)
    self.templates =
      rules.functional && rules.templateRule && snapshot.tokensInSourceOrder
        && snapshot.blindTokens.count == snapshot.units.count
      ? RepositoryTemplates(
        streams: snapshot.blindTokens,
        counted: RepositoryTemplates.countedUnits(snapshot.units, options: rules, scope: scope),
        minFunctions: rules.templateMinFunctions) : nil

    // The scorer applies to an index of its embedder that stores token streams, as in `CloneDetector`.
    var why: String?
    if !rules.functional {
      why = "\(RepositorySettings.fileName) turns functional clones off"
    } else if settings?.threshold != nil {
      // `codeintel clones` uses the file's cosine threshold instead of the scorer.
      why = "\(RepositorySettings.fileName) sets a cosine threshold, which replaces the scorer as in `codeintel clones`"
    } else if gate == nil {
      why = gateNotice ?? "no learned pair scorer is loaded"
    } else if let gate, gate.embedderID != snapshot.modelID {
      why = "the learned pair scorer needs an index of `\(gate.embedderID)`, not `\(snapshot.modelID)`"
    } else if snapshot.rawTokens.count != snapshot.units.count {
      why = "\(path) has no token streams (an old index; run `codeintel index` again)"
    }
    if let why {
      self.gate = nil
      self.frequencies = nil
      decided(
        "functional clones in the editor: \(why)"
          + (rules.functional ? "; showing nearest neighbours by cosine >= diagnostics.minSimilarity" : ""))
    } else {
      self.gate = gate
      // IDF over one function per canonical class of the eligible ones: the collection `codeintel clones` counts.
      var seen: Set<String> = []
      let reps = eligible.filter { seen.insert(snapshot.units[$0].canonicalHash).inserted }
      self.frequencies = TokenDocumentFrequencies(
        rawSets: reps.lazy.map { snapshot.rawTokens[$0] }, blindSets: reps.lazy.map { snapshot.blindTokens[$0] })
      if let gate {
        decided(
          String(
            format: "functional clones in the editor: the learned pair scorer, probability >= %.3f on candidates with "
              + "cosine >= %.2f (%d stored encoder vectors)", gate.threshold, gate.candidateThreshold, stored.count))
      }
    }
    notice("using \(path): \(snapshot.units.count) functions in \(snapshot.fileCount) files")
  }

  // MARK: - CloneLookup

  public func update(uri: String, tree: Tree) { local.update(uri: uri, tree: tree) }
  public func update(uri: String, tree: Tree, cancellation: CancellationToken) throws {
    try local.update(uri: uri, tree: tree, cancellation: cancellation)
  }

  public func remove(uri: String) { local.remove(uri: uri) }

  public var indexedFunctionCount: Int { local.indexedFunctionCount + snapshot.units.count }

  /// How many functional matches are reported per query at most.
  public var neighbours = 10
  /// How many nearest neighbours the scorer judges per query (candidates below its cosine floor are dropped
  /// first); the command line judges every pair above the floor, which a query rarely has more of.
  public var scorerCandidates = 50

  public func clones(of unit: FunctionUnit, uri: String, tree: Tree, cancellation: CancellationToken) throws
    -> [CloneMatch]
  {
    var out = try local.clones(of: unit, uri: uri, tree: tree, cancellation: cancellation)
    try cancellation.check()
    let tokens = UnitTokens(unit: unit, in: tree)
    let ownPath = LanguageServer.path(fromURI: uri).map { relative($0) }
    guard options.functional, eligibleQuery(unit, tokens: tokens, path: ownPath, tree: tree) else { return out }
    let vector = embedder.vector(for: tokens)
    guard vector.count == index.dimension, vector.contains(where: { $0 != 0 }) else { return out }
    let gate = activeGate
    let k = gate == nil ? neighbours + 1 : scorerCandidates + 1
    var hits: [(unit: Int, row: Int, cosine: Float)] = []
    var nesting = QueryNesting(unit: unit, tree: tree, units: facts(of: tree).units)
    for hit in index.search(vector, queryCount: 1, k: k).first ?? [] {
      let u = eligible[hit.id]
      let s = snapshot.units[u]
      // The function itself, or one around or inside it (the index may hold an older version of this file).
      if s.path == ownPath && s.startLine <= unit.endLine && unit.startLine <= s.endLine { continue }
      if outermostRuleDrops(u, &nesting) { continue }
      hits.append((u, hit.id, hit.score))
    }
    // The template rule, as `codeintel clones` applies it to every functional pair.
    if let templates {
      let own = templates.remainder(TokenHash.hashes(tokens.features))
      hits = hits.filter {
        RepositoryTemplates.similarity(own, templates.remainder(snapshot.blindTokens[$0.unit]))
          >= options.templateMinRemainder
      }
    }
    // The signature rules, as `codeintel clones` applies them to every functional pair (on by default since session
    // 20): a match that no number of arguments calls as the queried function is called, or that returns another
    // kind of value, is not a functional clone of it.
    if options.inputRule || options.outputRule, !hits.isEmpty,
      let node = OutputKinds.functionNode(unit.byteRange, in: tree)
    {
      let own = FunctionSignature.of(function: node)
      hits = hits.filter {
        !FunctionSignature.differ(
          own, signature(of: $0.unit), inputRule: options.inputRule, outputRule: options.outputRule)
      }
    }
    var found: [CloneMatch] = []
    // The command line's worth rule on the pair (`CloneWorth`: thin wrappers, mirror pairs and small copies are not
    // shown unless `allGroups`).
    var worth: [Int: Bool] = [:]
    func shown(_ u: Int) -> Bool {
      if let known = worth[u] { return known }
      let w = worthShowing(unit, tokens: tokens, tree: tree, match: u)
      worth[u] = w
      return w
    }
    if let gate {
      let judged = hits.filter { $0.cosine >= gate.candidateThreshold && shown($0.unit) }
      if let scored = try score(unit, tokens: tokens, vector: vector, tree: tree, candidates: judged, gate: gate) {
        found = scored
      } else {
        found = hits.filter { shown($0.unit) }.prefix(neighbours).map {
          match($0.unit, similarity: Double($0.cosine), basis: .cosine)
        }
      }
    } else {
      found = hits.filter { shown($0.unit) }.prefix(neighbours).map {
        match($0.unit, similarity: Double($0.cosine), basis: .cosine)
      }
    }
    for m in found where !out.contains(where: { $0.uri == m.uri && $0.range.start.line == m.range.start.line }) {
      out.append(m)
    }
    return out.sorted(by: Self.bestFirst)
  }

  // MARK: - The signature rules

  /// The signature of index unit `u`, read from its file on disk (all of that file's units with one parse, the first
  /// time one of them is asked for); nil when the file cannot be read or the unit is no longer a function there.
  private func signature(of u: Int) -> FunctionSignature? {
    let path = snapshot.units[u].path
    lock.lock()
    if let known = signatures[path] {
      lock.unlock()
      return known[u]
    }
    if unitsByPath == nil {
      unitsByPath = Dictionary(grouping: snapshot.units.indices, by: { snapshot.units[$0].path })
    }
    let members = unitsByPath?[path] ?? [u]
    lock.unlock()
    let found = OutputKinds.functionNodes(units: members.map { snapshot.units[$0] }, root: root) {
      $0.map(FunctionSignature.of(function:))
    }
    var table: [Int: FunctionSignature] = [:]
    for (i, s) in zip(members, found) where s != nil { table[i] = s }
    lock.lock()
    signatures[path] = table
    lock.unlock()
    return table[u]
  }

  // MARK: - The worth rule

  /// Whether the pair of the queried function and index unit `u` passes `CloneWorth` as a two-member functional
  /// group, as `codeintel clones` judges its groups (always, with `allGroups`; a side that cannot be measured
  /// passes, as the command line leaves an unmeasured group shown).
  private func worthShowing(_ unit: FunctionUnit, tokens: UnitTokens, tree: Tree, match u: Int) -> Bool {
    if options.allGroups { return true }
    let s = snapshot.units[u]
    lock.lock()
    let known = bodySizes[s.path]
    lock.unlock()
    let sizes = known ?? CloneWorth.bodies(path: root + "/" + s.path)
    if known == nil {
      lock.lock()
      bodySizes[s.path] = sizes
      lock.unlock()
    }
    guard let theirs = sizes[s.startByte..<s.endByte], let body = tree.root.namedDescendant(for: unit.bodyRange)
    else { return true }
    let streams = snapshot.tokensInSourceOrder && u < snapshot.rawTokens.count && u < snapshot.blindTokens.count
    let runs =
      streams && !snapshot.rawTokens[u].isEmpty
      ? CloneDetector.lowestRunOverlap([TokenHash.hashes(tokens.exact), snapshot.rawTokens[u]]) : nil
    let blindRuns =
      streams && !snapshot.blindTokens[u].isEmpty
      ? CloneDetector.lowestRunOverlap([TokenHash.hashes(tokens.features), snapshot.blindTokens[u]]) : nil
    return CloneWorth.judge(
      kind: .functional, names: [unit.name, s.name], sizes: [CloneWorth.bodySize(body), theirs], runOverlap: runs,
      blindRunOverlap: blindRuns) == nil
  }

  // MARK: - The decision

  private var activeGate: (any FunctionalPairGate)? {
    lock.lock()
    defer { lock.unlock() }
    return fallbackReason == nil ? gate : nil
  }

  private func match(_ u: Int, similarity: Double, basis: CloneMatch.Basis) -> CloneMatch {
    let s = snapshot.units[u]
    return CloneMatch(
      uri: LanguageServer.uri(fromPath: root + "/" + s.path),
      range: LSPRange(
        start: Position(line: s.startLine - 1, character: 0), end: Position(line: s.endLine - 1, character: 0)),
      name: s.name, similarity: similarity, basis: basis)
  }

  /// The candidates the scorer accepts, best first (at most `neighbours`), or nil when the scorer had to be
  /// given up (no encoder vectors): the caller then falls back to the cosine.
  private func score(
    _ unit: FunctionUnit, tokens: UnitTokens, vector: [Float], tree: Tree,
    candidates: [(unit: Int, row: Int, cosine: Float)], gate: any FunctionalPairGate
  ) throws -> [CloneMatch]? {
    guard !candidates.isEmpty else { return [] }
    var query = PairSide(tokens: tokens, vector: vector, commonRaw: gate.commonRaw, commonBlind: gate.commonBlind)
    var sides = candidates.map { c in
      PairSide(
        raw: snapshot.rawTokens[c.unit], blind: snapshot.blindTokens[c.unit], vector: row(c.row),
        commonRaw: gate.commonRaw, commonBlind: gate.commonBlind)
    }
    if let frequencies {
      frequencies.assign(to: &query)
      for i in sides.indices { frequencies.assign(to: &sides[i]) }
    }
    if gate.usesEncoder {
      let lo = min(max(0, unit.byteRange.lowerBound), tree.bytes.count)
      let hi = min(max(lo, unit.byteRange.upperBound), tree.bytes.count)
      var texts = [UnitText(text: String(decoding: tree.bytes[lo..<hi], as: UTF8.self), language: tree.language)]
      texts += try CloneFinder.texts(of: candidates.map { snapshot.units[$0.unit] }, root: root)
      guard let views = try views(of: texts, gate: gate) else { return nil }
      query.encoder = views[0].asWritten
      query.encoderBlind = views[0].blind
      for i in sides.indices {
        sides[i].encoder = views[i + 1].asWritten
        sides[i].encoderBlind = views[i + 1].blind
      }
    }
    var accepted: [CloneMatch] = []
    for (i, c) in candidates.enumerated() {
      let p = gate.probability(query, sides[i])
      if p >= gate.threshold && gate.agrees(query, sides[i]) {
        accepted.append(match(c.unit, similarity: p, basis: .scorer))
      }
    }
    return Array(accepted.sorted(by: Self.bestFirst).prefix(neighbours))
  }

  /// The encoder views of `texts`: stored in the index, computed before, or computed now by the gate's model.
  /// Nil (after one notice, and the cosine from then on) when the gate gives none.
  private func views(of texts: [UnitText], gate: any FunctionalPairGate) throws -> [(
    asWritten: [Float], blind: [Float]
  )]? {
    let keys = texts.map {
      gate.encoderID + "|" + $0.language.rawValue + "|" + ContentHash.hex(ContentHash.hash($0.text))
    }
    lock.lock()
    var out = keys.map { encoderViews[$0] }
    lock.unlock()
    let missing = keys.indices.filter { out[$0] == nil }
    if !missing.isEmpty {
      let fresh: [(asWritten: [Float], blind: [Float])]
      do {
        encoderLock.lock()
        defer { encoderLock.unlock() }
        fresh = try gate.encode(missing.map { texts[$0] })
      } catch {
        giveUpScorer("the encoder failed (\(error))")
        return nil
      }
      guard fresh.count == missing.count, fresh.allSatisfy({ !$0.asWritten.isEmpty && !$0.blind.isEmpty }) else {
        giveUpScorer(
          "the index holds no encoder vectors for these functions and the scorer's model cannot compute them")
        return nil
      }
      lock.lock()
      for (i, v) in zip(missing, fresh) {
        out[i] = v
        if !gate.encoderID.isEmpty { encoderViews[keys[i]] = v }
      }
      lock.unlock()
    }
    return out.map { $0 ?? ([], []) }
  }

  private func giveUpScorer(_ why: String) {
    lock.lock()
    let first = fallbackReason == nil
    if first { fallbackReason = why }
    lock.unlock()
    if first {
      notice(
        "functional clones in the editor: \(why); showing nearest neighbours by cosine >= diagnostics.minSimilarity")
    }
  }

  // MARK: - Outermost only

  /// What the outermost-only rule needs of the queried function, computed when first asked.
  struct QueryNesting {
    let unit: FunctionUnit
    let tree: Tree
    let units: [FunctionUnit]
    var hash: String?
    var enclosing: [String]?
  }

  /// The command line's outermost-only rule for one pair (`CloneDetector`: a member nested in another member of
  /// its group leaves it, and a group whose every member sits inside a reported function is dropped): a match
  /// is not shown when one of the two functions sits inside a copy of the other (same canonical hash), or when
  /// both sit inside functions that have copies (reported as exact or renamed groups).
  private func outermostRuleDrops(_ u: Int, _ q: inout QueryNesting) -> Bool {
    let around = enclosing[u]
    if !around.isEmpty {
      if q.hash == nil { q.hash = canonicalHash(q.unit, q.tree) }
      if let h = q.hash, around.contains(h) { return true }
    }
    if q.enclosing == nil {
      let r = q.unit.byteRange
      q.enclosing = q.units.filter {
        $0.byteRange.lowerBound <= r.lowerBound && r.upperBound <= $0.byteRange.upperBound && $0.byteRange != r
      }.sorted { $0.byteRange.count < $1.byteRange.count }.map { canonicalHash($0, q.tree) }
    }
    let queryAround = q.enclosing ?? []
    guard !queryAround.isEmpty else { return false }
    if queryAround.contains(snapshot.units[u].canonicalHash) { return true }
    return around.contains { classSizes[$0, default: 0] >= 2 }
      && queryAround.contains { classSizes[$0, default: 0] >= 2 }
  }

  private func canonicalHash(_ unit: FunctionUnit, _ tree: Tree) -> String {
    lock.lock()
    defer { lock.unlock() }
    return canonicalizer.canonicalHash(of: unit, in: tree)
  }

  // MARK: - The reviewer rules on the queried function

  /// Whether the queried function passes the rules its matches pass (`CloneDetector.eligible`), and its file is
  /// one the index would read.
  private func eligibleQuery(_ unit: FunctionUnit, tokens: UnitTokens, path: String?, tree: Tree) -> Bool {
    guard unit.lineCount >= options.minLines, tokens.exact.count >= options.minTokens else { return false }
    if let path {
      if path.hasSuffix(".d.ts") || !PathScope(options).contains(path) { return false }
      if scope.leftOut(path: path, options: options) != nil { return false }
    }
    let file = facts(of: tree)
    if file.skipped || (file.generated && !options.includeBuild) { return false }
    if !options.includeTests {
      // A test callback, or a function nested in one.
      for u in file.units
      where u.byteRange.lowerBound <= unit.byteRange.lowerBound
        && unit.byteRange.upperBound <= u.byteRange.upperBound
      {
        if TestCode.isTestCallback(u, in: tree) { return false }
      }
    }
    return true
  }

  private func facts(of tree: Tree) -> (units: [FunctionUnit], skipped: Bool, generated: Bool) {
    lock.lock()
    if let last = lastTree, last.tree === tree {
      lock.unlock()
      return (last.units, last.skipped, last.generated)
    }
    lock.unlock()
    let units = extractUnits(from: tree)
    let skipped = SourceFilter.skipReason(for: tree.bytes) != nil
    let generated = GeneratedCode.isGenerated(tree.bytes)
    lock.lock()
    lastTree = (tree, units, skipped, generated)
    lock.unlock()
    return (units, skipped, generated)
  }

  /// Higher similarity first; ties by file and line, so the order never depends on the search's.
  static func bestFirst(_ a: CloneMatch, _ b: CloneMatch) -> Bool {
    if a.similarity != b.similarity { return a.similarity > b.similarity }
    return (a.uri, a.range.start.line) < (b.uri, b.range.start.line)
  }

  /// The vector of an eligible function, by its row in `index`.
  private func row(_ r: Int) -> [Float] {
    let d = index.dimension
    return Array(index.vectors[(r * d)..<((r + 1) * d)])
  }

  private func relative(_ path: String) -> String {
    path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
  }
}
