import Foundation
import Syntax

/// Whether a near-miss or functional group is worth a reviewer's refactor, or alike but small or parallel.
///
/// Issue 18's audits read most of the default output as "real but not worth it": parallel copies of one
/// pattern that a shared implementation would not improve. Four named rules, fitted on 151 labelled groups of six
/// repositories of the corpus's GitHub train/valid split (`docs/audits/clone-worth-fit.tsv`; docs/CLONES.md),
/// say when a group is *not* worth it; a group no rule names is worth a refactor:
///
/// - `thin`: every member's body is at most `thinStatements` statements, none of them a branch, loop, `switch`,
///   `try` or block (a forwarding call, a `return` of one expression, an assignment and a call): thin wrappers and
///   one-line predicates, however long their signatures.
/// - `mirror`: two members whose names are mirror images (`addX`/`removeX`, `toDOM`/`fromDOM`, `aToB`/`bToA`,
///   `min`/`max`; `mirrorPairs`) and whose bodies are under `mirrorMaxBodyTokens`: the two directions of one
///   operation, which differ throughout and are written side by side on purpose.
/// - `small`: what a shared copy would remove is small: the body tokens of every member but the largest sum to
///   fewer than `minRemovableBodyTokens`.
/// - `unlike` (functional groups): two members share less than `minFunctionalRunOverlap` of their runs of six
///   tokens as written (`CloneGroup.runOverlap`) and less than `minFunctionalBlindRunOverlap` of them
///   identifier-blind (`CloneGroup.blindRunOverlap`): alike in role (the same shape, parallel jobs whose names and
///   literals differ throughout), not copies of one code. A copy with edits keeps runs of its text; a renamed copy
///   keeps its identifier-blind runs. (Session 9; session 8's rule compared single tokens as written, under 0.7.)
///
/// Exact and renamed groups are not judged (whole copies are always worth a look). The rules read each member's
/// body from its file (`measure`), so they see statements and body tokens, not the signature's type parameters.
public enum CloneWorth {
  /// Why a group is alike but not worth a refactor.
  public enum Reason: String, Sendable, Codable, CaseIterable {
    case thin
    case mirror
    case small
    case unlike

    /// The words the text report uses.
    public var phrase: String {
      switch self {
      case .thin: return "thin wrappers"
      case .mirror: return "mirror pairs"
      case .small: return "small"
      case .unlike: return "alike in role only"
      }
    }
  }

  /// `thin`: a group whose every member's body has at most this many statements.
  public static let thinStatements = 2
  /// `mirror`: a mirror pair is not worth it while its larger body has fewer tokens than this.
  public static let mirrorMaxBodyTokens = 200
  /// `small`: a group whose removable body tokens (all members' but the largest) are fewer than this.
  public static let minRemovableBodyTokens = 60
  /// `unlike`: a functional group in which two members share less than this of their runs of six tokens as
  /// written (the lowest pairwise share, of the larger member's runs; `CloneDetector.lowestRunOverlap`)…
  public static let minFunctionalRunOverlap = 0.25
  /// … and less than this of their identifier-blind runs.
  public static let minFunctionalBlindRunOverlap = 0.6

  /// The rule that says a group of `kind` is not worth a refactor, or nil when it is (exact and renamed groups, and
  /// groups whose members could not be measured, are always nil).
  public static func judge(
    kind: CloneKind, members: [CloneLocation], runOverlap: Double? = nil, blindRunOverlap: Double? = nil
  ) -> Reason? {
    var sizes: [BodySize] = []
    for m in members {
      guard let statements = m.statements, let tokens = m.bodyTokens else { return nil }
      sizes.append(BodySize(statements: statements, tokens: tokens, compound: m.compoundStatements ?? 0))
    }
    return judge(
      kind: kind, names: members.map(\.name), sizes: sizes, runOverlap: runOverlap, blindRunOverlap: blindRunOverlap)
  }

  /// The same rules over members' names and body sizes and the group's run overlaps (the editor judges a pair
  /// this way). Without `runOverlap` (no token streams) `unlike` does not apply.
  public static func judge(
    kind: CloneKind, names: [String?], sizes: [BodySize], runOverlap: Double?, blindRunOverlap: Double?
  ) -> Reason? {
    guard kind == .nearMiss || kind == .functional, sizes.count >= 2, names.count == sizes.count else { return nil }
    if sizes.allSatisfy({ $0.statements <= thinStatements && $0.compound == 0 }) { return .thin }
    let largest = sizes.map(\.tokens).max() ?? 0
    if sizes.count == 2, let a = names[0], let b = names[1], mirrored(a, b), largest < mirrorMaxBodyTokens {
      return .mirror
    }
    if sizes.map(\.tokens).reduce(0, +) - largest < minRemovableBodyTokens { return .small }
    if kind == .functional, let runs = runOverlap, runs < minFunctionalRunOverlap,
      (blindRunOverlap ?? 0) < minFunctionalBlindRunOverlap
    {
      return .unlike
    }
    return nil
  }

  /// Judges every group of `report` (`worth`, `notWorth`), measuring members first (`measure`).
  public static func annotate(_ report: inout CloneReport, root: String, cache: SizeCache? = nil) {
    measure(&report.groups, root: root, cache: cache)
    for i in report.groups.indices {
      let g = report.groups[i]
      guard g.kind == .nearMiss || g.kind == .functional else { continue }
      let reason = judge(
        kind: g.kind, members: g.members, runOverlap: g.runOverlap, blindRunOverlap: g.blindRunOverlap)
      report.groups[i].worth = reason == nil
      report.groups[i].notWorth = reason
    }
  }

  // MARK: - Measuring members

  /// A function body's size: its top-level statements, its tokens (comments aside), and how many of its top-level
  /// statements are branches, loops, `switch`, `try` or blocks.
  public struct BodySize: Equatable, Sendable {
    public var statements: Int
    public var tokens: Int
    public var compound: Int

    public init(statements: Int, tokens: Int, compound: Int = 0) {
      self.statements = statements
      self.tokens = tokens
      self.compound = compound
    }
  }

  /// Expression node types that are functions (an arrow's expression body of one of these is measured inside).
  static let functionExpressions: Set<String> = ["arrow_function", "function_expression", "function"]

  /// Statement types that hold other statements: a body of only simple statements forwards or computes one thing.
  static let compoundStatements: Set<String> = [
    "if_statement", "for_statement", "for_in_statement", "while_statement", "do_statement", "switch_statement",
    "try_statement", "statement_block", "labeled_statement", "with_statement",
  ]

  /// Where measured body sizes are kept between runs (the clone index's `body_sizes`): `key` names a member's
  /// function (nil when it cannot be keyed, e.g. a file the index does not hold), `load` returns the sizes kept under
  /// keys, `save` keeps new ones.
  public struct SizeCache {
    public var key: (_ path: String, _ range: Range<Int>) -> String?
    public var load: (_ keys: [String]) -> [String: BodySize]
    public var save: (_ rows: [(key: String, size: BodySize)]) -> Void

    public init(
      key: @escaping (_ path: String, _ range: Range<Int>) -> String?,
      load: @escaping (_ keys: [String]) -> [String: BodySize],
      save: @escaping (_ rows: [(key: String, size: BodySize)]) -> Void
    ) {
      self.key = key
      self.load = load
      self.save = save
    }
  }

  /// Fills `statements` and `bodyTokens` of the near-miss and functional members: from `cache` where it holds them,
  /// else by parsing each member's file once (and keeping what was measured in `cache`). A file that cannot be read
  /// or no longer holds the function leaves its members unmeasured.
  public static func measure(_ groups: inout [CloneGroup], root: String, cache: SizeCache? = nil) {
    var wanted: [(group: Int, member: Int, key: String?)] = []
    for gi in groups.indices where groups[gi].kind == .nearMiss || groups[gi].kind == .functional {
      for mi in groups[gi].members.indices {
        let m = groups[gi].members[mi]
        wanted.append((gi, mi, cache?.key(m.path, m.startByte..<m.endByte)))
      }
    }
    let known = cache.map { $0.load(wanted.compactMap(\.key)) } ?? [:]
    var byPath: [String: [Range<Int>: BodySize]] = [:]
    var fresh: [(key: String, size: BodySize)] = []
    var freshKeys: Set<String> = []
    for w in wanted {
      let m = groups[w.group].members[w.member]
      let size: BodySize
      if let k = w.key, let s = known[k] {
        size = s
      } else {
        if byPath[m.path] == nil { byPath[m.path] = bodies(path: root + "/" + m.path) }
        guard let s = byPath[m.path]?[m.startByte..<m.endByte] else { continue }
        size = s
        if let k = w.key, freshKeys.insert(k).inserted { fresh.append((k, s)) }
      }
      groups[w.group].members[w.member].statements = size.statements
      groups[w.group].members[w.member].bodyTokens = size.tokens
      groups[w.group].members[w.member].compoundStatements = size.compound
    }
    if !fresh.isEmpty { cache?.save(fresh) }
  }

  /// Every function of the file at `path`, by byte range, with its body's size (empty when unreadable).
  public static func bodies(path: String) -> [Range<Int>: BodySize] {
    guard let language = Language(path: path), let bytes = try? FileBytes.read(path),
      let tree = try? Parser(language: language).parse(bytes: bytes)
    else { return [:] }
    var out: [Range<Int>: BodySize] = [:]
    for unit in extractUnits(from: tree) {
      guard let body = tree.root.namedDescendant(for: unit.bodyRange) else { continue }
      out[unit.byteRange] = bodySize(body)
    }
    return out
  }

  /// The size of a body node: a `{ … }` block counts its statements; an arrow's expression body is one, unless that
  /// expression is itself a function (a curried arrow, `(a) => (b) => { … }`), whose body is measured instead.
  public static func bodySize(_ body: Node) -> BodySize {
    if functionExpressions.contains(body.type), let inner = body.child(field: "body") { return bodySize(inner) }
    let top =
      body.type == "statement_block"
      ? body.namedChildren.filter { $0.type != "comment" && $0.type != "empty_statement" } : [body]
    let compound = top.filter { compoundStatements.contains($0.type) }.count
    var tokens = 0
    var stack = [body]
    while let n = stack.popLast() {
      if n.type == "comment" { continue }
      if n.childCount == 0 {
        tokens += 1
      } else {
        for i in 0..<n.childCount { if let c = n.child(i) { stack.append(c) } }
      }
    }
    return BodySize(statements: top.count, tokens: tokens, compound: compound)
  }

  // MARK: - Mirror names

  /// Word pairs whose swap turns one operation into its opposite direction (either order). Since session 20 the two
  /// ends of an order are here too (`min`/`max`, `least`/`greatest`, `floor`/`ceil`): every read that met such a pair
  /// judged it real but not worth a refactor (luxon's `min`/`max` in the fitting set, d3-array's four pairs in session
  /// 16, underscore's in session 20), each library writing its hot loop once per direction on purpose. Other duals that
  /// differ in one operator (`and`/`or`, `every`/`some`) are still not here, nor `parse`/`serialize` (the fitting set's
  /// `parseRef`/`serializeRef` are one reference resolution written twice).
  public static let mirrorPairs: [(String, String)] = [
    ("add", "remove"), ("add", "delete"), ("insert", "remove"), ("insert", "delete"), ("get", "set"), ("to", "from"),
    ("before", "after"), ("start", "stop"), ("start", "end"), ("begin", "end"), ("open", "close"), ("show", "hide"),
    ("next", "previous"), ("next", "prev"), ("push", "pop"), ("shift", "unshift"), ("encode", "decode"),
    ("serialize", "deserialize"), ("up", "down"), ("left", "right"), ("top", "bottom"), ("x", "y"),
    ("horizontal", "vertical"), ("width", "height"), ("row", "column"), ("rows", "columns"), ("in", "out"),
    ("enter", "leave"), ("enter", "exit"), ("on", "off"), ("enable", "disable"), ("activate", "deactivate"),
    ("attach", "detach"), ("subscribe", "unsubscribe"), ("mount", "unmount"), ("bind", "unbind"), ("lock", "unlock"),
    ("register", "unregister"), ("load", "unload"), ("load", "save"), ("read", "write"), ("import", "export"),
    ("first", "last"), ("head", "tail"), ("inc", "dec"), ("increment", "decrement"), ("expand", "collapse"),
    ("forward", "backward"), ("asc", "desc"), ("ascending", "descending"), ("union", "intersection"),
    ("undo", "redo"), ("connect", "disconnect"), ("wrap", "unwrap"), ("pack", "unpack"), ("compress", "decompress"),
    ("encrypt", "decrypt"), ("send", "receive"), ("focus", "blur"), ("select", "deselect"), ("check", "uncheck"),
    ("pause", "resume"), ("acquire", "release"), ("create", "destroy"), ("setup", "teardown"), ("prefix", "suffix"),
    ("leading", "trailing"), ("above", "below"), ("ltr", "rtl"), ("add", "subtract"), ("multiply", "divide"),
    ("min", "max"), ("minimum", "maximum"), ("least", "greatest"), ("smallest", "largest"), ("lowest", "highest"),
    ("floor", "ceil"),
  ]

  private static let mirrorSet: Set<String> = Set(mirrorPairs.flatMap { ["\($0.0)|\($0.1)", "\($0.1)|\($0.0)"] })

  /// The lower-case words of an identifier (`camelCase`, `snake_case`, `kebab-case`, `#private`, `HTTPRequest`).
  public static func words(_ name: String) -> [String] {
    var out: [String] = []
    var cur = ""
    let chars = Array(name)
    for (i, c) in chars.enumerated() {
      if !(c.isLetter || c.isNumber) {
        if !cur.isEmpty { out.append(cur) }
        cur = ""
        continue
      }
      let prev: Character? = i > 0 ? chars[i - 1] : nil
      let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
      let boundary =
        c.isUppercase
        && ((prev.map { $0.isLowercase || $0.isNumber } ?? false)
          || ((prev?.isUppercase ?? false) && (next?.isLowercase ?? false)))
      if boundary && !cur.isEmpty {
        out.append(cur)
        cur = ""
      }
      cur.append(c)
    }
    if !cur.isEmpty { out.append(cur) }
    return out.map { $0.lowercased() }
  }

  /// Whether two names are mirror images: the same words but one pair from `mirrorPairs` in the same place
  /// (`addListener`/`removeListener`), or the two sides of a conversion swapped (`gregorianToWeek`/
  /// `weekToGregorian`).
  public static func mirrored(_ a: String, _ b: String) -> Bool {
    let x = words(a)
    let y = words(b)
    guard x.count == y.count, !x.isEmpty, x != y else { return false }
    let differ = x.indices.filter { x[$0] != y[$0] }
    if differ.count == 1 { return mirrorSet.contains(x[differ[0]] + "|" + y[differ[0]]) }
    // aToB / bToA: the words around one `to` swapped.
    if let t = x.firstIndex(of: "to"), y.firstIndex(of: "to") != nil {
      let left = Array(x[..<t])
      let right = Array(x[(t + 1)...])
      return !left.isEmpty && !right.isEmpty && y == right + ["to"] + left
    }
    // Several words, each difference a mirror pair (`textNodeBefore`/`textNodeAfter` has one; `findNextFocusable`
    // / `findPreviousFocusable` one; `pushLeft`/`popRight` two).
    return differ.allSatisfy { mirrorSet.contains(x[$0] + "|" + y[$0]) }
  }
}
