import CodeIntel
import Corpus
import Foundation
import Syntax

/// What a project's own files already annotate, by site name: a source of type suggestions read at suggestion time
/// (session 23; the rule was written before its first number, docs/audits/types-s23-project-annotations.md).
///
/// A project names its things consistently (`path: PathLike` across node-memfs, `options: Options`), and a train
/// split of other packages cannot know it. For a site named `path`, the table holds every label the project's *other*
/// files give a site of that name (returns, keyed by the function's name, apart from values: parameters, variables,
/// properties); `leads(name:isReturn:excluding:)` answers its labels most sites first, each holding at least
/// `Rule.minSites` sites in at least `Rule.minFiles` files, at most `Rule.depth`, and none unless the first's share
/// `sites / (all + 1)` reaches `Rule.minShare` (`any` labels count among all, never as an answer). The file being
/// suggested counts as `Rule.own` says (session 24): its holes hold no annotation, its annotated sites may; the
/// evaluation, whose file is all holes, gives it none. Each label joins the site's candidates with its share as
/// its confidence, ranked with the others by confidence (`leading`): the project decides where the head is unsure and
/// is outvoted where it is sure.
public struct TypeProjectAnnotations: Sendable {
  /// A site's key: its name as the dataset spells it, returns apart.
  public struct Key: Hashable, Sendable {
    public var name: String
    public var isReturn: Bool
    public init(name: String, isReturn: Bool) {
      self.name = name
      self.isReturn = isReturn
    }
  }

  /// The guard a project's label must pass to lead a site's candidates.
  public struct Rule: Sendable, Equatable {
    public var minSites: Int
    public var minFiles: Int
    /// The share the name's first label must reach for any of its labels to be used.
    public var minShare: Double
    /// At most this many labels of a name, each holding `minSites` sites in `minFiles` files (amendment 2).
    public var depth: Int
    /// How the asking file's own annotated sites count (session 24, docs/audits/types-s24-own-file.md).
    public var own: Own
    /// What a lead the site's code shape disagrees with becomes (session 24, docs/audits/types-s24-lead-shapes.md).
    public var shapes: LeadShapes
    public init(
      minSites: Int, minFiles: Int, minShare: Double, depth: Int = 1, own: Own = .excluded, shapes: LeadShapes = .keep
    ) {
      self.minSites = minSites
      self.minFiles = minFiles
      self.minShare = minShare
      self.depth = depth
      self.own = own
      self.shapes = shapes
    }
    /// The shipped rule, chosen on the valid splits (docs/audits/types-s23-project-annotations.md; the file's own
    /// annotations with the waiver since session 24, docs/audits/types-s24-own-file.md).
    /// Leads are kept as the project writes them: leaving out those the site's code shape would change was adopted on
    /// the valid splits and withdrawn after the test splits showed it unsound (a named type can be an array or hold
    /// `undefined`: `Report['list']`, `Maybe<T>`; docs/audits/types-s24-lead-shapes.md).
    public static let shipped = Rule(minSites: 2, minFiles: 2, minShare: 0, depth: 3, own: .waiver, shapes: .keep)
  }

  /// How the asking file's own annotations count.
  public enum Own: String, Sendable, Equatable, CaseIterable {
    /// Never (session 23): only the project's other files.
    case excluded
    /// As one more file of the project, under the same rule.
    case file
    /// As `file`, and a label the file itself writes at `minSites` sites of the name qualifies without a second file.
    case waiver
  }

  /// What a lead becomes at a site whose code gives its type a shape (`TypeShapes.Shape`: an array initialiser, an
  /// `async` function's `Promise<…>`, a `null` initialiser's `… | null`).
  public enum LeadShapes: String, Sendable, Equatable, CaseIterable {
    /// As the project writes it (session 23).
    case keep
    /// Left out when the shape would change it.
    case drop
    /// Rewritten by the shape, as the head's candidates are; left out where the shape cannot take it.
    case rewrite
  }

  /// `leads` at a site of this shape, as `rule.shapes` says (nil shape: unchanged). Leads that become one type keep
  /// the first.
  public func shaped(_ leads: [Lead], shape: TypeShapes.Shape?) -> [Lead] {
    guard let shape, rule.shapes != .keep else { return leads }
    var seen: Set<String> = []
    return leads.compactMap { lead in
      let written = TypeAccuracy.normalize(lead.type)
      guard let applied = shape.apply(written) else { return nil }
      if applied != written {
        if rule.shapes == .drop { return nil }
        var rewritten = lead
        rewritten.type = applied
        return seen.insert(applied).inserted ? rewritten : nil
      }
      return seen.insert(applied).inserted ? lead : nil
    }
  }

  /// The answer for one site.
  public struct Lead: Sendable, Equatable {
    /// The label as the project writes it (whitespace-normalised).
    public var type: String
    /// Its counted sites and files (the asking file's only as `Rule.own` says), and every counted site of the key.
    public var sites: Int
    public var files: Int
    public var all: Int
    /// Of `sites`, those in the asking file itself (counted only when `Rule.own` says so; `files` then counts the
    /// file too when it holds any).
    public var ownSites: Int = 0
    /// `sites / (all + 1)`.
    public var share: Double { Double(sites) / Double(all + 1) }
    /// The reason shown with a candidate it leads.
    public var reason: String {
      guard ownSites > 0 else {
        return "the project writes it at \(sites) of \(all) sites of this name in \(files) other files"
      }
      let others = sites - ownSites
      let elsewhere = others > 0 ? " and \(others) in \(files - 1) other files" : ""
      return "written at \(sites) of \(all) sites of this name: \(ownSites) in this file\(elsewhere)"
    }
  }

  private struct Count: Sendable {
    var sites = 0
    var files = 0
  }
  /// Per key: per normalised label, its sites and files; and the key's sites (`any` included).
  private var labels: [Key: [String: Count]] = [:]
  private var totals: [Key: Int] = [:]
  /// Per file: its sites per key and label (what `excluding` subtracts).
  private var byFile: [String: [Key: [String: Int]]] = [:]
  /// Per normalised label, its first spelling.
  private var spelling: [String: String] = [:]
  public var rule: Rule

  public init(rule: Rule = .shipped) { self.rule = rule }

  /// Files read into the table.
  public var fileCount: Int { byFile.count }

  /// Adds one file's annotated sites (kind as the dataset spells it: `return` apart from the rest). A file already in
  /// the table is replaced.
  public mutating func add(file: String, sites: [(kind: String, name: String, label: String)]) {
    remove(file: file)
    let mine = Self.counts(sites)
    for s in sites where !s.name.isEmpty {
      let label = TypeAccuracy.normalize(s.label)
      if spelling[label] == nil { spelling[label] = s.label }
    }
    for (key, counts) in mine {
      for (label, n) in counts {
        labels[key, default: [:]][label, default: Count()].sites += n
        labels[key, default: [:]][label, default: Count()].files += 1
        totals[key, default: 0] += n
      }
    }
    byFile[file] = mine
  }

  /// Annotated sites counted per key and normalised label (nameless sites left out): one file's entry, or the `own`
  /// counts `leads` takes.
  public static func counts(_ sites: [(kind: String, name: String, label: String)]) -> [Key: [String: Int]] {
    var out: [Key: [String: Int]] = [:]
    for s in sites where !s.name.isEmpty {
      out[Key(name: s.name, isReturn: s.kind == "return"), default: [:]][TypeAccuracy.normalize(s.label), default: 0] += 1
    }
    return out
  }

  /// The annotations a parsed file holds now (an editor's buffer, saved or not), counted as `counts` does.
  public static func counts(in tree: Tree) -> [Key: [String: Int]] { counts(sites(in: tree)) }

  /// A parsed file's annotated sites (`TypeAnnotations.sites`, the corpus build's extractor) as the table takes them.
  static func sites(in tree: Tree) -> [(kind: String, name: String, label: String)] {
    TypeAnnotations.sites(in: tree).map { (kind: $0.kind.rawValue, name: $0.name, label: $0.label) }
  }

  /// Takes one file's sites out of the table (an editor's deleted or re-read file).
  public mutating func remove(file: String) {
    guard let mine = byFile.removeValue(forKey: file) else { return }
    for (key, counts) in mine {
      for (label, n) in counts {
        labels[key]?[label]?.sites -= n
        labels[key]?[label]?.files -= 1
        if (labels[key]?[label]?.sites ?? 0) <= 0 { labels[key]?[label] = nil }
        totals[key, default: 0] -= n
      }
      if labels[key]?.isEmpty == true { labels[key] = nil }
      if (totals[key] ?? 0) <= 0 { totals[key] = nil }
    }
  }

  /// Adds a parsed file's own annotations (`TypeAnnotations.sites`, the corpus build's extractor).
  public mutating func add(file: String, tree: Tree) { add(file: file, sites: Self.sites(in: tree)) }

  /// The project's label for a site of this name when it passes the rule (`leads`).
  public func lead(name: String, isReturn: Bool, excluding file: String?, own: [Key: [String: Int]]? = nil) -> Lead? {
    leads(name: name, isReturn: isReturn, excluding: file, own: own).first
  }

  /// The project's labels for a site of this name, most sites first (ties: the lexically first), each holding
  /// `rule.minSites` sites in `rule.minFiles` files, at most `rule.depth`; none unless the first reaches
  /// `rule.minShare`. The table's entry for `excluding` (the asking file) never counts as read; what the file itself
  /// annotates counts as `rule.own` says, from `own` (the file's counts, `counts`: the product counts the parse it
  /// suggests for, `counts(in:)`, an editor's buffer as it stands; the evaluation gives the kept half of a partly
  /// annotated file, or none) or else from the table's entry (the file as read from disk). With `waiver`, a label the
  /// file writes at `rule.minSites` sites qualifies alone. With `shape`, the site's code shape, as `shaped` says.
  public func leads(
    name: String, isReturn: Bool, excluding file: String?, own: [Key: [String: Int]]? = nil,
    shape: TypeShapes.Shape? = nil
  ) -> [Lead] {
    guard !name.isEmpty else { return [] }
    let key = Key(name: name, isReturn: isReturn)
    let mine = file.flatMap { byFile[$0]?[key] } ?? [:]
    let counted: [String: Int] = rule.own == .excluded ? [:] : (own.map { $0[key] ?? [:] } ?? mine)
    let tableCounts = labels[key] ?? [:]
    guard !tableCounts.isEmpty || !counted.isEmpty else { return [] }
    let all = (totals[key] ?? 0) - mine.values.reduce(0, +) + counted.values.reduce(0, +)
    var found: [(label: String, lead: Lead)] = []
    for label in Set(tableCounts.keys).union(counted.keys) where label != "any" {
      let c = tableCounts[label] ?? Count()
      let removed = mine[label] ?? 0
      let added = counted[label] ?? 0
      var lead = Lead(
        type: spelling[label] ?? label, sites: c.sites - removed + added,
        files: c.files - (removed > 0 ? 1 : 0) + (added > 0 ? 1 : 0), all: all)
      lead.ownSites = added
      if lead.sites > 0 { found.append((label, lead)) }
    }
    found.sort { $0.lead.sites != $1.lead.sites ? $0.lead.sites > $1.lead.sites : $0.label < $1.label }
    func qualifies(_ l: Lead) -> Bool {
      (l.sites >= rule.minSites && l.files >= rule.minFiles) || (rule.own == .waiver && l.ownSites >= rule.minSites)
    }
    guard let first = found.first?.lead, qualifies(first), first.share >= rule.minShare else { return [] }
    return shaped(Array(found.map(\.lead).filter(qualifies).prefix(max(1, rule.depth))), shape: shape)
  }

  /// `leads` that are types in scope at `offset` (`TypeNames.vetted`: a type not in scope there, a value or `any` is
  /// left out; a bare generic of the project applied to the site's type parameters), each spelled as vetting leaves it.
  public static func vetted(_ leads: [Lead], names: TypeNames, at offset: Int) -> [Lead] {
    leads.compactMap { lead in
      guard let v = names.vetted(type: lead.type, confidence: lead.share, at: offset) else { return nil }
      var lead = lead
      lead.type = v.type
      return lead
    }
  }

  /// `ranked` with the project's label placed by its confidence, its share `n / (N + 1)` (amendment 1 of
  /// docs/audits/types-s23-project-annotations.md): before the first candidate whose confidence is lower, after those
  /// with equal or higher confidence. Where another source proposes the same type, that candidate takes the larger of
  /// the two confidences (marked `combined`, the project's reason first) and moves to the place it gives. At most `top`.
  public static func leading(_ ranked: [TypeCombination.Candidate], leads: [Lead], top: Int)
    -> [TypeCombination.Candidate]
  {
    var out = ranked
    for lead in leads { out = leading(out, lead: lead, top: top) }
    return out
  }

  /// One label placed as `leading(_:leads:top:)` places each.
  public static func leading(_ ranked: [TypeCombination.Candidate], lead: Lead?, top: Int)
    -> [TypeCombination.Candidate]
  {
    guard let lead else { return ranked }
    let key = TypeAccuracy.normalize(lead.type)
    var candidate = TypeCombination.Candidate(
      type: TypeHeadModel.display(lead.type), confidence: lead.share, source: .project, reason: lead.reason)
    var rest = ranked
    if let i = rest.firstIndex(where: { TypeAccuracy.normalize($0.type) == key }) {
      let other = rest.remove(at: i)
      candidate = TypeCombination.Candidate(
        type: other.type, confidence: max(other.confidence, lead.share), source: .combined,
        reason: lead.reason + "; " + other.reason)
    }
    let at = rest.firstIndex { $0.confidence < candidate.confidence } ?? rest.count
    rest.insert(candidate, at: at)
    return Array(rest.prefix(top))
  }

  // MARK: - A project on disk

  /// The tables of the projects one run meets, each read once, at the first file of it (`suggest-types`, the breakage
  /// harness; the editor's `ProjectTables` is the same under a lock).
  public struct Projects {
    private var tables: [String: TypeProjectAnnotations] = [:]

    public init() {}

    /// The table of the project `file` belongs to (`projectRoot(of:)`), read now if it was not; `reading` hears
    /// the root before a read.
    public mutating func table(forFile file: String, reading: ((String) -> Void)? = nil) -> TypeProjectAnnotations {
      let root = TypeProjectAnnotations.projectRoot(of: file)
      if let table = tables[root] { return table }
      reading?(root)
      let table = TypeProjectAnnotations.read(root: root)
      tables[root] = table
      return table
    }
  }

  /// The folder whose TypeScript files make `file`'s project: the nearest folder above it holding `tsconfig.json`,
  /// else `package.json`, else the file's own folder.
  public static func projectRoot(of file: String) -> String {
    let start = URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent()
    for marker in ["tsconfig.json", "package.json"] {
      var dir = start
      while true {
        if FileManager.default.fileExists(atPath: dir.appendingPathComponent(marker).path) { return dir.path }
        let up = dir.deletingLastPathComponent()
        if up.path == dir.path { break }
        dir = up
      }
    }
    return start.path
  }

  /// The table of every `.ts`/`.tsx` file under `root` (declaration files and `node_modules` left out, as the corpus
  /// build leaves them), at most `maxFiles` of them (the first in path order); a file that cannot be read or parsed
  /// is skipped. The walk stops after `maxEntries` files and folders, so a root that is not a project (a home folder
  /// with a stray package.json) costs a bounded time. Paths are standardised absolute paths, the key `excluding` takes.
  public static func read(root: String, maxFiles: Int = 5_000, maxEntries: Int = 200_000, rule: Rule = .shipped)
    -> TypeProjectAnnotations
  {
    var table = TypeProjectAnnotations(rule: rule)
    let rootURL = URL(fileURLWithPath: root).standardizedFileURL
    guard
      let walker = FileManager.default.enumerator(
        at: rootURL, includingPropertiesForKeys: [.isDirectoryKey], options: [.skipsHiddenFiles])
    else { return table }
    var paths: [String] = []
    var entries = 0
    for case let url as URL in walker {
      entries += 1
      if entries > maxEntries { break }
      let name = url.lastPathComponent
      if (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
        if ["node_modules", "bower_components", "vendor"].contains(name) { walker.skipDescendants() }
        continue
      }
      guard name.hasSuffix(".ts") || name.hasSuffix(".tsx"), !name.hasSuffix(".d.ts") else { continue }
      paths.append(url.standardizedFileURL.path)
    }
    paths.sort()
    let ts = Parser(language: .typescript)
    let tsx = Parser(language: .tsx)
    for path in paths.prefix(maxFiles) {
      guard let data = FileManager.default.contents(atPath: path), data.count <= 2_000_000,
        let tree = try? (path.hasSuffix(".tsx") ? tsx : ts).parse(bytes: [UInt8](data))
      else { continue }
      table.add(file: path, tree: tree)
    }
    return table
  }
}
