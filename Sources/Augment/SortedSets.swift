/// Overlap of sorted arrays, the measure behind dedup, near-miss clones and the clone baselines: one merge
/// walk, no sets built.
public enum SortedSets {
  /// How many elements two sorted arrays share, counting repeats as a multiset intersection does (for
  /// arrays of distinct elements, the size of the set intersection).
  public static func intersectionCount<T: Comparable>(_ a: [T], _ b: [T]) -> Int {
    var i = 0
    var j = 0
    var n = 0
    while i < a.count && j < b.count {
      if a[i] == b[j] {
        n += 1
        i += 1
        j += 1
      } else if a[i] < b[j] {
        i += 1
      } else {
        j += 1
      }
    }
    return n
  }

  /// |a ∩ b| / |a ∪ b| of two sorted arrays of distinct elements (0 for two empty ones).
  public static func jaccard<T: Comparable>(_ a: [T], _ b: [T]) -> Double {
    let common = intersectionCount(a, b)
    let union = a.count + b.count - common
    return union == 0 ? 0 : Double(common) / Double(union)
  }
}
