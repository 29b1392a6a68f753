/// ContraCode's "name only" type baseline: an identifier's name predicts the types it was most often
/// annotated with in the training split; names never seen fall back to the globally most frequent
/// types. `any` is never predicted (the protocol does not score `any` sites, so it can only miss).
public struct NameOnlyTypeBaseline: Sendable {
  /// Ranked types per name (at most `depth`).
  public let byName: [String: [String]]
  /// The globally most frequent types, best first.
  public let global: [String]
  /// How many types each prediction holds.
  public let depth: Int

  /// Counts (name, type) pairs of `sites` (true types, `any` included but never predicted).
  /// Ties are broken by global frequency, then by the type text, so the result is deterministic.
  public init(sites: [(name: String, label: String)], global: [String], depth: Int = 5) {
    var counts: [String: [String: Int]] = [:]
    for site in sites {
      let type = TypeAccuracy.normalize(site.label)
      if type == "any" { continue }
      counts[site.name, default: [:]][type, default: 0] += 1
    }
    let globalRank = Dictionary(global.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    var byName: [String: [String]] = [:]
    for (name, types) in counts {
      byName[name] = types.sorted { a, b in
        if a.value != b.value { return a.value > b.value }
        let ra = globalRank[a.key] ?? Int.max
        let rb = globalRank[b.key] ?? Int.max
        return ra != rb ? ra < rb : a.key < b.key
      }.prefix(depth).map(\.key)
    }
    self.byName = byName
    self.global = Array(global.lazy.map(TypeAccuracy.normalize).filter { $0 != "any" }.prefix(depth))
    self.depth = depth
  }

  /// The ranked types for `name`: its own types first, padded with the global ones.
  public func predict(name: String) -> [String] {
    var out = byName[name] ?? []
    for type in global where out.count < depth && !out.contains(type) { out.append(type) }
    return out
  }
}
