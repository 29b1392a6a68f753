/// Union-find over `0..<count`, with path halving. A union keeps the smaller root, so each set's root is its
/// smallest member. Used to group the top-level statements that reach each other (`TypeCheckScopes`) and the
/// suggestions whose reaches overlap (`TypeChecker`).
struct DisjointSets {
  private var parent: [Int]

  init(count: Int) { parent = Array(0..<count) }

  /// The root of `i`'s set.
  mutating func find(_ i: Int) -> Int {
    var i = i
    while parent[i] != i {
      parent[i] = parent[parent[i]]
      i = parent[i]
    }
    return i
  }

  /// Joins the sets of `a` and `b`.
  mutating func union(_ a: Int, _ b: Int) {
    let (ra, rb) = (find(a), find(b))
    if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
  }
}
