import CodeIntel
import Foundation
import Syntax

/// The TypeScript compiler as a filter on type suggestions: `suggest-types --check` and the LSP's hints (when
/// `node` and Debian's `node-typescript` are installed) keep a suggestion only if writing it adds no compiler
/// diagnostic to its file.
///
/// One long-lived node process (`scripts/typecheck/ts-check.js`) runs TypeScript's language service and holds
/// the files' texts in memory: a check sends the edited text, the service re-parses that one file and
/// re-checks it against the lib and imported files it already has, and answers the diagnostics the file's
/// baseline does not have (compared by code and message, so diagnostics that only moved do not count).
///
/// The search is TypeWriter's (Pradel et al. 2020): a suggestion's candidates are tried best first, each alone
/// on the file as it is; the first that adds no diagnostic is kept, the ones before it are dropped, and a
/// suggestion none of whose candidates (above the confidence bar) passes is dropped. For writing a file
/// (`cumulative`), each candidate is tried on top of the annotations already accepted, so the written file
/// as a whole adds nothing either.
public final class TypeChecker: @unchecked Sendable {
  /// The script, relative to the repository root.
  public static let scriptPath = "scripts/typecheck/ts-check.js"

  /// The TypeScript version the process loaded.
  public private(set) var typescriptVersion: String
  private let process: Process
  private let input: FileHandle
  private let output: FileHandle
  private var buffer: [UInt8] = []
  private var nextID = 0
  /// How many texts have been checked against a baseline (`addedDiagnostics`): a compiler run each.
  public private(set) var checksRun = 0
  private let lock = NSLock()

  /// Why a checker could not start: no node, no script, or node without the typescript module.
  public struct Unavailable: Error, CustomStringConvertible {
    public var description: String
  }

  /// Starts the node process. `node` defaults to `$CODEINTEL_NODE`, else `node` on `PATH`; `nodePath` to
  /// `$NODE_PATH`, else Debian's `/usr/share/nodejs`; `script` to `$CODEINTEL_TSCHECK_SCRIPT`, else
  /// `scripts/typecheck/ts-check.js` in the repository that holds the executable (or the current directory).
  public init(node: String? = nil, nodePath: String? = nil, script: String? = nil) throws {
    let environment = ProcessInfo.processInfo.environment
    guard let node = node ?? Self.findNode(environment) else {
      throw Unavailable(description: "node is not installed (apt-get install -y nodejs node-typescript)")
    }
    guard let script = script ?? Self.findScript(environment) else {
      throw Unavailable(
        description: "\(Self.scriptPath) not found next to the executable or in the current directory "
          + "(set CODEINTEL_TSCHECK_SCRIPT)")
    }
    // A node process that dies must make the next request fail with an error, not end this one by SIGPIPE.
    signal(SIGPIPE, SIG_IGN)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: node)
    process.arguments = [script]
    var env = environment
    if let nodePath {
      env["NODE_PATH"] = nodePath
    } else if (env["NODE_PATH"] ?? "").isEmpty {
      env["NODE_PATH"] = "/usr/share/nodejs"
    }
    process.environment = env
    let stdin = Pipe()
    let stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      throw Unavailable(description: "cannot start \(node): \(error.localizedDescription)")
    }
    self.process = process
    input = stdin.fileHandleForWriting
    output = stdout.fileHandleForReading
    typescriptVersion = ""
    let hello: [String: Any]
    do {
      hello = try readAnswer()
    } catch {
      process.terminate()
      throw Unavailable(description: "\(node) \(script) did not start: \(error)")
    }
    guard hello["ready"] as? Bool == true else {
      process.terminate()
      let why = (hello["error"] as? String)?.split(separator: "\n").first.map(String.init) ?? "unknown error"
      throw Unavailable(description: "\(why) (apt-get install -y node-typescript; NODE_PATH=/usr/share/nodejs)")
    }
    typescriptVersion = hello["typescript"] as? String ?? "?"
  }

  deinit {
    try? input.close()
    if process.isRunning { process.terminate() }
  }

  // MARK: - Requests

  /// Remembers the diagnostics of `text` as the baseline of the file at `path`; returns how many there are.
  /// `lazy`: remembers the text only, and the checker computes its diagnostics at the first check whose text
  /// has any (a text without diagnostics adds none), so on a clean file a check is one compiler run; returns 0.
  @discardableResult
  public func baseline(path: String, text: [UInt8], lazy: Bool = false) throws -> Int {
    var body: [String: Any] = [
      "op": "baseline", "file": Self.absolute(path), "text": String(decoding: text, as: UTF8.self),
    ]
    if lazy { body["lazy"] = true }
    let a = try request(body)
    return a["diagnostics"] as? Int ?? 0
  }

  /// The diagnostics `text` has that the file's baseline does not ("TS2322 Type 'boolean' is not …"), each known by
  /// its code and the first line of its message: an annotation that only rewords the explanation under an existing
  /// error (the types it prints) adds nothing. `wholeMessages`: known by the whole message chain instead (stricter:
  /// what the breakage harness counts).
  public func addedDiagnostics(path: String, text: [UInt8], wholeMessages: Bool = false) throws -> [String] {
    checksRun += 1
    var body: [String: Any] = [
      "op": "check", "file": Self.absolute(path), "text": String(decoding: text, as: UTF8.self),
    ]
    if wholeMessages { body["compare"] = "full" }
    let a = try request(body)
    return a["added"] as? [String] ?? []
  }

  /// A diagnostic a checked text adds, with the byte offsets in that text of every diagnostic of the same code and
  /// message (which of them is the new one cannot be told; nil: one without a position).
  public struct AddedDiagnostic: Sendable, Equatable {
    public var message: String
    public var positions: [Int?]
  }

  /// `addedDiagnostics` with where each could be. `names`: strings the baseline cannot hold (a probe's name); when
  /// every one of them is in some diagnostic of `text`, the answer may hold only the diagnostics that name one, and
  /// the baseline's diagnostics are not computed for it.
  /// `wholeMessages`: as in `addedDiagnostics`.
  public func addedDiagnosticsAt(path: String, text: [UInt8], names: [String] = [], wholeMessages: Bool = false) throws
    -> [AddedDiagnostic]
  {
    checksRun += 1
    var body: [String: Any] = [
      "op": "check", "file": Self.absolute(path), "text": String(decoding: text, as: UTF8.self),
    ]
    if !names.isEmpty { body["names"] = names }
    if wholeMessages { body["compare"] = "full" }
    let a = try request(body)
    let at = a["at"] as? [String: [Any]] ?? [:]
    return (a["added"] as? [String] ?? []).map { message in
      AddedDiagnostic(message: message, positions: (at[message] ?? [NSNull()]).map { ($0 as? NSNumber)?.intValue })
    }
  }

  /// The return types the compiler infers, in `text` (the file at `path` as it is given, nothing remembered as a
  /// baseline), for the functions without a return annotation whose parameter list's `)` ends at each of
  /// `anchors` (UTF-8 byte offsets: where a return suggestion's `: T` goes); nil where none closes there.
  public func inferredReturnTypes(path: String, text: [UInt8], anchors: [Int]) throws -> [String?] {
    guard !anchors.isEmpty else { return [] }
    let a = try request([
      "op": "returns", "file": Self.absolute(path), "text": String(decoding: text, as: UTF8.self), "offsets": anchors,
    ])
    let types = a["types"] as? [Any] ?? []
    return anchors.indices.map { i in i < types.count ? types[i] as? String : nil }
  }

  /// Forgets the file's texts.
  public func close(path: String) throws { _ = try request(["op": "close", "file": Self.absolute(path)]) }

  private func request(_ body: [String: Any]) throws -> [String: Any] {
    lock.lock()
    defer { lock.unlock() }
    nextID += 1
    var message = body
    message["id"] = nextID
    var data = try JSONSerialization.data(withJSONObject: message)
    data.append(0x0A)
    do {
      try input.write(contentsOf: data)
    } catch {
      throw CodeIntelError("the type checker stopped: \(error.localizedDescription)")
    }
    let answer = try readAnswer()
    if let error = answer["error"] as? String { throw CodeIntelError("the type checker failed: \(error)") }
    return answer
  }

  private func readAnswer() throws -> [String: Any] {
    while true {
      if let newline = buffer.firstIndex(of: 0x0A) {
        let line = Array(buffer[..<newline])
        buffer.removeSubrange(...newline)
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
          throw CodeIntelError("the type checker answered something that is not JSON")
        }
        return object
      }
      let chunk = output.availableData
      guard !chunk.isEmpty else { throw CodeIntelError("the type checker exited") }
      buffer.append(contentsOf: chunk)
    }
  }

  // MARK: - The search

  /// What checking one file's suggestions gave.
  public struct Outcome: Sendable {
    /// The suggestions kept, each with the candidate that passed first (and nothing after it: unchecked).
    public var kept: [TypeEvidence.Suggestion]
    /// Suggestions none of whose candidates above the bar passed, with the first diagnostic their best added.
    public var dropped: [(suggestion: TypeEvidence.Suggestion, diagnostic: String)]
    /// Kept suggestions whose best candidate failed and a later one passed.
    public var replaced: Int
    /// With `probe`: suggestions whose candidate passed but which the compiler cannot tell from a wrong type
    /// (the probe passed too: the value there is `any`, e.g. from a dependency whose types are not installed,
    /// or nothing in the file constrains it). Not in `kept`.
    public var unverifiable: [TypeEvidence.Suggestion] = []
  }

  /// A type no real value has and `any` has: an object whose required property is `never`. Written where a
  /// suggestion passed, it tells whether the check could have failed there: if the probe adds no diagnostic
  /// either, the compiler accepts any type at that site and the suggestion's pass says nothing.
  public static let probeType = "{ readonly __codeintelProbe: never }"

  /// Checks the suggestions at or above `minConfidence` (the others are left out of the outcome) of the file at
  /// `path` whose text is `bytes`. Alone: each candidate on the file as it is (what listing and hints need: a
  /// developer may accept any subset). `cumulative`: on top of the ones already kept (what writing needs).
  /// `progress` is called after each suggestion with (done, total); `shouldStop` before each, and when it says
  /// true the check throws `CancellationError`.
  /// `probe`: each kept suggestion (when writing: each suggestion, first) is also checked with a probe of
  /// `probeType` in its place, and one that the probe passes too moves to `unverifiable` (group tested: usually
  /// one more compiler run for the file, `partitionByProbe`).
  /// `scopes` (checking alone only; `TypeCheckScopes` of the same text): each check reads only the parts of the file
  /// the checked suggestions can reach (the rest blanked), and a group's new diagnostics are put down to the
  /// suggestions whose reach holds them instead of halving the group blindly (`Scoping`).
  /// `compilerReturns`: return suggestions are first reordered by `preferringCompilerReturns` (the compiler's own
  /// inferred return type, when trustworthy and among the candidates, is tried first).
  /// `wholeMessages`: every check compares diagnostics by their whole message chain (`addedDiagnostics`), as the
  /// breakage harness measures; the product's search compares first lines.
  public func check(
    _ suggestions: [TypeEvidence.Suggestion], path: String, bytes: [UInt8], minConfidence: Double,
    cumulative: Bool = false, probe: Bool = false, scopes: TypeCheckScopes? = nil, compilerReturns: Bool = true,
    wholeMessages: Bool = false, shouldStop: (() -> Bool)? = nil, progress: ((Int, Int) -> Void)? = nil
  ) throws -> Outcome {
    var shown = suggestions.filter { $0.best.confidence >= minConfidence }
    guard !shown.isEmpty else { return Outcome(kept: [], dropped: [], replaced: 0) }
    defer { try? close(path: path) }
    if compilerReturns { shown = preferringCompilerReturns(shown, path: path, bytes: bytes) }
    try baseline(path: path, text: bytes, lazy: !cumulative)
    // Writing probes first, so that what is written was checked without the sites it will not write; listing
    // probes only the suggestions that passed (each is judged alone there).
    var unverifiable: [TypeEvidence.Suggestion] = []
    var searched = shown
    if probe && cumulative {
      (searched, unverifiable) = try partitionByProbe(
        shown, path: path, bytes: bytes, wholeMessages: wholeMessages, shouldStop: shouldStop)
    }
    var outcome =
      cumulative
      ? try checkCumulative(
        searched, path: path, bytes: bytes, minConfidence: minConfidence, wholeMessages: wholeMessages,
        shouldStop: shouldStop, progress: progress)
      : try checkAlone(
        searched, path: path, bytes: bytes, minConfidence: minConfidence,
        scopes: scopes, wholeMessages: wholeMessages, shouldStop: shouldStop, progress: progress)
    if probe && !cumulative {
      (outcome.kept, unverifiable) = try partitionByProbe(
        outcome.kept, path: path, bytes: bytes, scopes: scopes, wholeMessages: wholeMessages, shouldStop: shouldStop)
    }
    outcome.unverifiable = unverifiable
    return outcome
  }

  // MARK: - The compiler's return type first

  /// `suggestions` with each return suggestion's candidates reordered so that the compiler's inferred return type
  /// (`inferredReturnTypes`, on `bytes`) comes first, where `promotingCompilerReturn` allows it. No candidate is added
  /// and no confidence changes: a display bar still judges each candidate by its own confidence. If the compiler
  /// cannot answer, the suggestions come back as they were. (docs/audits/types-s18-compiler-returns.md.)
  public func preferringCompilerReturns(
    _ suggestions: [TypeEvidence.Suggestion], path: String, bytes: [UInt8]
  ) -> [TypeEvidence.Suggestion] {
    let returns = suggestions.indices.filter { suggestions[$0].kind == .returnType && suggestions[$0].candidates.count > 1 }
    guard !returns.isEmpty,
      let types = try? inferredReturnTypes(path: path, text: bytes, anchors: returns.map { suggestions[$0].anchor })
    else { return suggestions }
    var out = suggestions
    for (k, i) in returns.enumerated() {
      out[i] = Self.promotingCompilerReturn(out[i], compilerType: types[k])
    }
    return out
  }

  /// The suggestion with the candidate equal to `compilerType` (after `TypeAccuracy.normalize`) moved first, when the
  /// compiler's type is trustworthy: no `any` or `unknown` anywhere in it (a one-file check makes an unresolved
  /// import's values `any`, so `Promise<any>` says nothing about the awaited value) and not an object-literal type.
  /// Otherwise the suggestion as it is.
  public static func promotingCompilerReturn(
    _ suggestion: TypeEvidence.Suggestion, compilerType: String?
  ) -> TypeEvidence.Suggestion {
    guard let compilerType else { return suggestion }
    let wanted = TypeAccuracy.normalize(compilerType)
    guard !wanted.isEmpty, !wanted.hasPrefix("{"), !mentionsAnyOrUnknown(wanted),
      let at = suggestion.candidates.firstIndex(where: { TypeAccuracy.normalize($0.type) == wanted }), at > 0
    else { return suggestion }
    var s = suggestion
    let candidate = s.candidates.remove(at: at)
    s.candidates.insert(candidate, at: 0)
    return s
  }

  /// Whether `any` or `unknown` appears in `type` as a whole word (not inside `anything` or `Unknowns`).
  static func mentionsAnyOrUnknown(_ type: String) -> Bool {
    !TypeCheckScopes.identifiers(in: type).isDisjoint(with: ["any", "unknown"])
  }

  /// The probe written at the `index`-th suggestion of a batch: `probeType` with the index in its property's name,
  /// so that a diagnostic whose message prints the type names the site that caused it.
  static func probeType(_ index: Int) -> String { "{ readonly __codeintelProbe\(index): never }" }

  /// The compiler's code for a class property whose type excludes `undefined` and that has no initializer and is
  /// not assigned in the constructor (`strictPropertyInitialization`).
  static let notDefinitelyAssigned = "TS2564 "

  /// Whether the suggestion at `anchor` of `bytes` is a class property that may be written `name!: T`: no
  /// initializer follows, and the name carries neither `?` nor `!` already.
  static func mayBeDefinite(_ suggestion: TypeEvidence.Suggestion, bytes: [UInt8]) -> Bool {
    guard suggestion.kind == .property, suggestion.anchor > 0, suggestion.anchor <= bytes.count else { return false }
    var before = suggestion.anchor - 1
    while before > 0, bytes[before] == 0x20 || bytes[before] == 0x09 { before -= 1 }
    if bytes[before] == UInt8(ascii: "?") || bytes[before] == UInt8(ascii: "!") { return false }
    var after = suggestion.anchor
    while after < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[after]) { after += 1 }
    return !(after < bytes.count && bytes[after] == UInt8(ascii: "="))
  }

  /// Whether `type` needs a definite assignment assertion to leave a property uninitialised: not when its top
  /// level already holds `undefined`, `any` or `unknown` (the compiler asks nothing of those).
  static func wantsDefinite(_ type: String) -> Bool {
    !TypeShapes.topLevelMembers(type).contains {
      ["undefined", "any", "unknown"].contains($0.trimmingCharacters(in: .whitespaces))
    }
  }

  /// The annotation a candidate is written as at a suggestion's site: `!: T` when `definite` and the type wants it.
  static func annotation(_ type: String, definite: Bool) -> String {
    TypeEvidence.Suggestion.annotation(type, definite: definite && wantsDefinite(type))
  }

  /// The sites of `group` whose probe `message` names (`__codeintelProbe3:`). An ASCII message is read once for
  /// the probes it names (a round's hundreds of diagnostics times hundreds of probes were each a string search);
  /// another is searched per site, as before (where Unicode's equivalences could matter).
  static func probes(namedBy message: String, among group: [Int]) -> [Int] {
    let bytes = Array(message.utf8)
    guard bytes.allSatisfy({ $0 < 0x80 }) else {
      return group.filter { message.contains("__codeintelProbe\($0):") }
    }
    let marker = Array("__codeintelProbe".utf8)
    var named = Set<Int>()
    var i = 0
    while i + marker.count < bytes.count {
      defer { i += 1 }
      guard bytes[i] == marker[0], bytes[i..<i + marker.count].elementsEqual(marker) else { continue }
      var j = i + marker.count
      var value = 0
      while j < bytes.count, bytes[j] >= 0x30, bytes[j] <= 0x39, value < Int.max / 20 {
        value = value * 10 + Int(bytes[j] - 0x30)
        j += 1
      }
      // `\(index):` is written without leading zeros.
      guard j > i + marker.count, j < bytes.count, bytes[j] == 0x3A,
        bytes[i + marker.count] != 0x30 || j == i + marker.count + 1
      else { continue }
      named.insert(value)
    }
    return group.filter { named.contains($0) }
  }

  /// The suggestions where the probe adds a diagnostic to the file as it is (verifiable), and the others, in their
  /// order. Found by group testing, like `checkAlone`: the probes of a group are written together and checked once;
  /// a diagnostic whose message names a probe (`Type 'number' is not assignable to type '{ readonly
  /// __codeintelProbe3: never; }'`) verifies that site; when every added diagnostic named its site, the group's
  /// other sites added nothing and cannot be judged; a diagnostic that names no site (`TS2362 The left-hand side of
  /// an arithmetic operation must be …`) sends the group's unnamed sites to another round, halved when no site was
  /// named, until a site alone is judged by whether it adds anything. A file whose probes all fail by name costs one
  /// compiler run (a whole file's hints stay one run or a few, not one per hint: docs/benchmarks/lsp.md).
  /// Probes written together could also interact (`a === b` with two probes names both): such a site counts as
  /// verifiable, as it did before the probe existed.
  private func partitionByProbe(
    _ suggestions: [TypeEvidence.Suggestion], path: String, bytes: [UInt8], scopes: TypeCheckScopes? = nil,
    wholeMessages: Bool, shouldStop: (() -> Bool)?
  ) throws -> (verifiable: [TypeEvidence.Suggestion], unverifiable: [TypeEvidence.Suggestion]) {
    var verified = Set<Int>()
    let scoping = Scoping(
      scopes: scopes, bytes: bytes, anchors: suggestions.map(\.anchor), wholeMessages: wholeMessages,
      types: { _ in [] })
    var groups: [[Int]] = suggestions.isEmpty ? [] : [Array(suggestions.indices)]
    while let group = groups.popLast() {
      if shouldStop?() == true { throw CancellationError() }
      let edits = group.map {
        ByteEdit(
          start: suggestions[$0].anchor, deletedLength: 0,
          inserted: Self.annotation(Self.probeType($0), definite: suggestions[$0].definite))
      }
      // When every probe of the group is named by a diagnostic, all are verified: the baseline is not needed.
      let added = try scoping.added(
        by: edits, of: group, checker: self, path: path, names: group.map { "__codeintelProbe\($0):" })
      guard !added.isEmpty else { continue }  // none of the group can be judged
      // A diagnostic that names a probe verifies its site; one that only one site of the group can reach, that
      // site; the others leave their suspects for another round.
      var named = Set<Int>()
      var ambiguous = Set<Int>()
      for diagnostic in added {
        let sites = Self.probes(namedBy: diagnostic.message, among: group)
        if !sites.isEmpty {
          named.formUnion(sites)
          continue
        }
        let suspects = scoping.suspects(of: diagnostic, among: group, edits: edits)
        if suspects.count == 1 { named.formUnion(suspects) } else { ambiguous.formUnion(suspects) }
      }
      verified.formUnion(named)
      // Sites no diagnostic can come from added nothing: unverifiable.
      let rest = group.filter { !named.contains($0) && ambiguous.contains($0) }
      guard !rest.isEmpty else { continue }
      if named.isEmpty && rest.count == group.count {
        let (first, second) = scoping.halves(of: rest)
        groups.append(second)
        groups.append(first)
      } else {
        groups.append(rest)
      }
    }
    var verifiable: [TypeEvidence.Suggestion] = []
    var unverifiable: [TypeEvidence.Suggestion] = []
    for (i, suggestion) in suggestions.enumerated() {
      if verified.contains(i) { verifiable.append(suggestion) } else { unverifiable.append(suggestion) }
    }
    return (verifiable, unverifiable)
  }

  /// Where the checks of a batch look and whom their diagnostics can blame. With `TypeCheckScopes`, a group of
  /// suggestions is checked on the file with only the environment and the components the group reaches (the rest
  /// blanked: offsets unchanged), against that text's own diagnostics; a new diagnostic can come only from a
  /// suggestion whose reach holds one of the places where a diagnostic of its code and message sits. Without
  /// scopes, or for a diagnostic without a place, every suggestion of the group is a suspect (plain halving).
  struct Scoping {
    let scopes: TypeCheckScopes?
    let bytes: [UInt8]
    /// Per suggestion: the components it reaches (nil: the whole file).
    let reach: [Set<Int>?]
    let anchors: [Int]
    /// Checks compare whole message chains (`TypeChecker.check`'s `wholeMessages`).
    let wholeMessages: Bool

    init(scopes: TypeCheckScopes?, bytes: [UInt8], anchors: [Int], wholeMessages: Bool, types: (Int) -> [String]) {
      self.scopes = scopes
      self.bytes = bytes
      self.anchors = anchors
      self.wholeMessages = wholeMessages
      reach = anchors.indices.map { i in scopes?.reach(anchor: anchors[i], types: types(i)) }
    }

    /// Two halves of a group to check apart. With scopes, every cluster of the group (suggestions whose reaches
    /// overlap, linked through others) is halved and the halves of all clusters are checked together: the clusters
    /// cannot reach each other's diagnostics, so one check halves them all. Without scopes, the group in two.
    func halves(of group: [Int]) -> ([Int], [Int]) {
      let middle = group.count / 2
      let plain = (Array(group[..<middle]), Array(group[middle...]))
      guard scopes != nil else { return plain }
      var sets = DisjointSets(count: group.count)
      var siteOf: [Int: Int] = [:]
      for (k, i) in group.enumerated() {
        guard let r = reach[i] else { return plain }
        for c in r {
          if let other = siteOf[c] {
            sets.union(k, other)
          } else {
            siteOf[c] = k
          }
        }
      }
      var clusters: [Int: [Int]] = [:]
      var order: [Int] = []
      for k in group.indices {
        let root = sets.find(k)
        if clusters[root] == nil { order.append(root) }
        clusters[root, default: []].append(group[k])
      }
      var first: [Int] = []
      var second: [Int] = []
      for root in order {
        let members = clusters[root] ?? []
        let half = (members.count + 1) / 2
        first += members[..<half]
        second += members[half...]
      }
      return second.isEmpty ? plain : (first, second)
    }

    /// The file as the group's checks see it.
    func base(of group: [Int]) -> [UInt8] {
      guard let scopes else { return bytes }
      var union = Set<Int>()
      for i in group {
        guard let r = reach[i] else { return bytes }
        union.formUnion(r)
      }
      return scopes.scopedText(keeping: union)
    }

    /// The diagnostics the edits (of the group's suggestions) add to the group's view of the file (`names`: see
    /// `addedDiagnosticsAt`).
    func added(
      by edits: [ByteEdit], of group: [Int], checker: TypeChecker, path: String, names: [String] = []
    ) throws -> [AddedDiagnostic] {
      let base = self.base(of: group)
      try checker.baseline(path: path, text: base, lazy: true)
      return try checker.addedDiagnosticsAt(
        path: path, text: try edits.apply(to: base), names: names, wholeMessages: wholeMessages)
    }

    /// The suggestions of `group` (whose `edits`, one per suggestion in the same order, were checked) that can
    /// have added `diagnostic`: for each place of a diagnostic of its code and message, the suggestion whose inserted
    /// annotation holds it, else those whose reach holds it.
    func suspects(of diagnostic: AddedDiagnostic, among group: [Int], edits: [ByteEdit]) -> [Int] {
      guard let scopes else { return group }
      let order = edits.indices.sorted { edits[$0].start < edits[$1].start }
      var places = Set<Int>()
      // Sites whose own inserted annotation holds a place (`Cannot find name 'Foo'` in `: Foo`).
      var inside = Set<Int>()
      for position in diagnostic.positions {
        guard var p = position else { return group }
        // Back to the unedited file.
        var shift = 0
        var within: Int?
        for k in order {
          let edit = edits[k]
          if p < edit.start + shift { break }
          if p < edit.start + shift + edit.inserted.count {
            within = group[k]
            break
          }
          shift += edit.inserted.count
        }
        if let within {
          inside.insert(within)
          continue
        }
        p -= shift
        guard p < bytes.count, let component = scopes.component(at: p) else { return group }
        places.insert(component)
      }
      return group.filter { i in inside.contains(i) || (reach[i].map { !$0.isDisjoint(with: places) } ?? true) }
    }
  }

  /// Each suggestion on top of the ones already accepted (what writing needs).
  private func checkCumulative(
    _ shown: [TypeEvidence.Suggestion], path: String, bytes: [UInt8], minConfidence: Double, wholeMessages: Bool,
    shouldStop: (() -> Bool)?, progress: ((Int, Int) -> Void)?
  ) throws -> Outcome {
    var outcome = Outcome(kept: [], dropped: [], replaced: 0)
    func addedBy(_ text: [UInt8]) throws -> [String] {
      try addedDiagnostics(path: path, text: text, wholeMessages: wholeMessages)
    }
    // Writing a clean file: all best candidates together add nothing, so the written file adds nothing; one
    // compiler run instead of one per suggestion (`suggest-types --diff`/`--apply` check by default).
    if shown.count > 1 {
      let all = shown.map { ByteEdit(start: $0.anchor, deletedLength: 0, inserted: $0.annotation) }
      if try addedBy(try all.apply(to: bytes)).isEmpty {
        outcome.kept = shown.map {
          var kept = $0
          kept.candidates = [$0.best]
          return kept
        }
        progress?(shown.count, shown.count)
        return outcome
      }
    }
    var accepted: [ByteEdit] = []
    for (done, suggestion) in shown.enumerated() {
      if shouldStop?() == true { throw CancellationError() }
      var firstProblem: String?
      let mayBeDefinite = Self.mayBeDefinite(suggestion, bytes: bytes)
      var definite = suggestion.definite
      for (rank, candidate) in suggestion.candidates.enumerated() where candidate.confidence >= minConfidence {
        var edit = ByteEdit(
          start: suggestion.anchor, deletedLength: 0, inserted: Self.annotation(candidate.type, definite: definite))
        var added = try addedBy(try (accepted + [edit]).apply(to: bytes))
        // Only "not definitely assigned": the same type again, written `name!: T`.
        if mayBeDefinite, !definite, Self.wantsDefinite(candidate.type), !added.isEmpty,
          added.allSatisfy({ $0.hasPrefix(Self.notDefinitelyAssigned) })
        {
          definite = true
          edit = ByteEdit(
            start: suggestion.anchor, deletedLength: 0, inserted: Self.annotation(candidate.type, definite: true))
          added = try addedBy(try (accepted + [edit]).apply(to: bytes))
        }
        if let problem = added.first {
          if firstProblem == nil { firstProblem = problem }
          continue
        }
        var kept = suggestion
        kept.candidates = [candidate]
        kept.definite = definite && Self.wantsDefinite(candidate.type)
        outcome.kept.append(kept)
        if rank > 0 { outcome.replaced += 1 }
        accepted.append(edit)
        try baseline(path: path, text: try accepted.apply(to: bytes))
        firstProblem = nil
        break
      }
      if let firstProblem { outcome.dropped.append((suggestion, firstProblem)) }
      progress?(done + 1, shown.count)
    }
    return outcome
  }

  /// Each suggestion alone on the file as it is, found by group testing: the best candidates of a group of
  /// suggestions are written together and checked once; a group that adds no diagnostic keeps them all. A group
  /// that adds one is split: with `scopes`, each new diagnostic is put down to the suggestions whose reach holds it
  /// (`Scoping.suspects`): the suggestions no diagnostic can come from are kept, one that is the only suspect of a
  /// diagnostic is tried alone, and the other suspects form the next group; a group where every suggestion is a
  /// suspect of every diagnostic (and always without scopes) is split in halves. A suggestion on its own tries its
  /// candidates one by one (as the cumulative search does); the suggestions that were the only suspect of a group's
  /// diagnostic (nothing else could have added it, so their candidate fails alone too) go on to their next candidates
  /// together, as a group of their own. A file with n suggestions of which f fail costs about
  /// 1 + 2·f·log2(n) checks without scopes, and about 1 + 2·f with them when the failures sit in different parts of
  /// the file, instead of n.
  /// A group passes only when no diagnostic's count rises, so annotations that break only together (`a: string`
  /// and `b: number` in `a === b`) are split and judged alone. What grouping could change: an annotation whose
  /// new diagnostic has exactly the code and message of a baseline diagnostic that another annotation of the
  /// group removes; the counts then cancel and the group passes.
  private func checkAlone(
    _ shown: [TypeEvidence.Suggestion], path: String, bytes: [UInt8], minConfidence: Double,
    scopes: TypeCheckScopes? = nil, wholeMessages: Bool, shouldStop: (() -> Bool)?, progress: ((Int, Int) -> Void)?
  ) throws -> Outcome {
    enum Verdict {
      case kept(TypeEvidence.Suggestion, replaced: Bool)
      case dropped(String)
    }
    var verdicts = [Verdict?](repeating: nil, count: shown.count)
    var done = 0
    let scoping = Scoping(
      scopes: scopes, bytes: bytes, anchors: shown.map(\.anchor), wholeMessages: wholeMessages,
      types: { i in shown[i].candidates.filter { $0.confidence >= minConfidence }.map(\.type) })
    // Per suggestion: its candidates at or above the bar, the one being tried, and the first problem seen.
    let candidates = shown.map { $0.candidates.filter { $0.confidence >= minConfidence } }
    var rank = [Int](repeating: 0, count: shown.count)
    var firstProblem = [String?](repeating: nil, count: shown.count)
    // Properties that may be written `name!: T`, and those now written so (after a plain `: T` added `TS2564`).
    let mayBeDefinite = shown.map { Self.mayBeDefinite($0, bytes: bytes) }
    var definite = shown.map(\.definite)
    func edit(_ i: Int) -> ByteEdit {
      ByteEdit(
        start: shown[i].anchor, deletedLength: 0,
        inserted: Self.annotation(candidates[i][rank[i]].type, definite: definite[i]))
    }
    func keep(_ i: Int) {
      var kept = shown[i]
      kept.candidates = [candidates[i][rank[i]]]
      kept.definite = definite[i] && Self.wantsDefinite(kept.best.type)
      verdicts[i] = .kept(kept, replaced: rank[i] > 0)
      done += 1
    }
    /// The candidate tried at `i` adds `problem`: the next one is to be tried (true), or the suggestion is dropped.
    /// A property's "not definitely assigned" tries the same candidate again, written `name!: T` (true).
    func fail(_ i: Int, _ problem: String) -> Bool {
      if mayBeDefinite[i], !definite[i], problem.hasPrefix(Self.notDefinitelyAssigned),
        Self.wantsDefinite(candidates[i][rank[i]].type)
      {
        definite[i] = true
        return true
      }
      if firstProblem[i] == nil { firstProblem[i] = problem }
      rank[i] += 1
      if rank[i] < candidates[i].count { return true }
      verdicts[i] = .dropped(firstProblem[i] ?? problem)
      done += 1
      return false
    }
    var groups: [[Int]] = [shown.indices.filter { !candidates[$0].isEmpty }]
    while let group = groups.popLast() {
      guard !group.isEmpty else { continue }
      if shouldStop?() == true { throw CancellationError() }
      let edits = group.map(edit)
      let added = try scoping.added(by: edits, of: group, checker: self, path: path)
      if group.count == 1, let i = group.first {
        // Alone: its candidates one by one.
        if let problem = added.first {
          if fail(i, problem.message) { groups.append([i]) }
        } else {
          keep(i)
        }
        progress?(done, shown.count)
        continue
      }
      var suspects = Set<Int>()
      // Sites that are the only suspect of a diagnostic (with scopes only): only their annotation reaches where it
      // sits, so written alone it adds it too; their next candidates are tried together in the next group.
      var singles: [Int: String] = [:]
      for diagnostic in added {
        let blamed = scoping.suspects(of: diagnostic, among: group, edits: edits)
        suspects.formUnion(blamed)
        if blamed.count == 1, let i = blamed.first, singles[i] == nil { singles[i] = diagnostic.message }
      }
      for i in group where !suspects.contains(i) { keep(i) }
      if !suspects.isEmpty && singles.isEmpty && suspects.count == group.count {
        let (first, second) = scoping.halves(of: group)
        groups.append(second)
        groups.append(first)
      } else {
        let rest = group.filter { suspects.contains($0) && singles[$0] == nil }
        if !rest.isEmpty { groups.append(rest) }
        let next = group.filter { i in singles[i].map { fail(i, $0) } ?? false }
        if !next.isEmpty { groups.append(next) }
      }
      progress?(done, shown.count)
    }
    var outcome = Outcome(kept: [], dropped: [], replaced: 0)
    for (i, verdict) in verdicts.enumerated() {
      switch verdict {
      case .kept(let s, let replaced)?:
        outcome.kept.append(s)
        if replaced { outcome.replaced += 1 }
      case .dropped(let problem)?:
        outcome.dropped.append((shown[i], problem))
      case nil:
        break
      }
    }
    return outcome
  }

  // MARK: - Finding node and the script

  static func findNode(_ environment: [String: String]) -> String? {
    if let explicit = environment["CODEINTEL_NODE"], !explicit.isEmpty { return explicit }
    for dir in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
      let candidate = "\(dir)/node"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  static func findScript(_ environment: [String: String]) -> String? {
    if let explicit = environment["CODEINTEL_TSCHECK_SCRIPT"], !explicit.isEmpty { return explicit }
    var starts: [URL] = []
    if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      starts.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
    }
    starts.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    for start in starts {
      var dir = start.standardizedFileURL
      for _ in 0..<10 {
        let candidate = dir.appendingPathComponent(scriptPath).path
        if FileManager.default.fileExists(atPath: candidate) { return candidate }
        let parent = dir.deletingLastPathComponent()
        if parent.path == dir.path { break }
        dir = parent
      }
    }
    return nil
  }

  static func absolute(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
  }
}

extension TypeSuggestions {
  /// The same file with other suggestions (the checker's survivors).
  public init(file: SourceFile, suggestions: [TypeEvidence.Suggestion]) {
    self.file = file
    self.suggestions = suggestions
  }
}
