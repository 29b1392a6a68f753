import CloneIndex
import Foundation

/// Group purity of `codeintel clones` on a set of solutions laid out as `<problem>/<author>.js` (the
/// LeetCode set): a group is pure when all its members solve the same problem. The solutions are copied
/// to a temporary folder (the index is written beside the code, and the data folder stays read-only),
/// indexed and grouped with the given options, and the copy is removed.
public struct CloneGroupPurity: Sendable {
  public struct Row: Sendable, Equatable {
    public var kind: CloneKind
    public var groups: Int
    public var pure: Int
    public var members: Int
    /// Pure groups among the first 20 of this kind, and how many there were.
    public var pureFirst20: Int
    public var first20: Int

    public var share: Double { groups == 0 ? .nan : Double(pure) / Double(groups) }
  }

  public var rows: [Row]
  public var files: Int
  public var units: Int

  /// Measures purity of every kind on the `.js` files under `solutions`.
  public static func measure(
    solutions: String, options: CloneOptions, embedder: any Embedder = HashedFeatureEmbedder()
  ) throws -> CloneGroupPurity {
    let fm = FileManager.default
    let scratch = fm.temporaryDirectory.appendingPathComponent("codeintel-purity-\(UUID().uuidString)").path
    try fm.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    defer { try? fm.removeItem(atPath: scratch) }
    guard let problems = try? fm.contentsOfDirectory(atPath: solutions) else {
      throw CodeIntelError("\(solutions): not found; pass the clone set's folder with --data")
    }
    for problem in problems.sorted() {
      let dir = solutions + "/" + problem
      guard let files = try? fm.contentsOfDirectory(atPath: dir) else { continue }
      try fm.createDirectory(atPath: scratch + "/" + problem, withIntermediateDirectories: true)
      for f in files where f.hasSuffix(".js") {
        try fm.copyItem(atPath: dir + "/" + f, toPath: scratch + "/" + problem + "/" + f)
      }
    }
    let report = try CloneFinder(embedder: embedder, options: options).report(root: scratch)
    var rows: [Row] = []
    for kind in CloneKind.allCases {
      let groups = report.groups.filter { $0.kind == kind }
      let pure = groups.map { g in Set(g.members.map { $0.path.split(separator: "/").first ?? "" }).count == 1 }
      rows.append(
        Row(
          kind: kind, groups: groups.count, pure: pure.filter { $0 }.count,
          members: groups.reduce(0) { $0 + $1.members.count }, pureFirst20: pure.prefix(20).filter { $0 }.count,
          first20: min(20, groups.count)))
    }
    return CloneGroupPurity(rows: rows, files: report.files, units: report.units)
  }

  /// A Markdown table, one row per kind.
  public func markdown() -> String {
    var out = "| kind | groups | pure | purity | first 20 pure | members |\n|---|---|---|---|---|---|\n"
    for r in rows {
      let share = r.groups == 0 ? "–" : String(format: "%.1f %%", 100 * r.share)
      out += "| \(r.kind.rawValue) | \(r.groups) | \(r.pure) | \(share) | \(r.pureFirst20)/\(r.first20) | \(r.members) |\n"
    }
    return out
  }
}
