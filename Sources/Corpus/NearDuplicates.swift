/// File-level near-duplicate detection: token-shingle MinHash with banded locality-sensitive
/// hashing. A file whose estimated Jaccard similarity (over 5-token shingles) to an earlier kept
/// file is at least `threshold` is a near duplicate: a fork's lightly edited copy, a vendored
/// library under another folder name, a copied utility module.
///
/// Memory: one signature of `permutations` 32-bit values per kept file (64 × 4 bytes) and one
/// bucket entry per band; the texts are never kept.
public struct NearDuplicateIndex {
  public let permutations = 64
  public let bands = 16
  public let shingleSize = 5
  /// Estimated Jaccard at or above which a file is a near duplicate.
  public var threshold = 0.8
  /// Files with fewer shingles than this are left to the exact checks (tiny files share shingles
  /// by chance: a two-line re-export is not a copy).
  public var minimumShingles = 20

  private var signatures: [[UInt32]] = []
  private var owners: [String] = []
  private var buckets: [UInt64: [Int32]] = [:]
  private let seeds: [UInt64]

  public init(seed: UInt64 = 0x5EED_0F_5A1E) {
    var s = seed
    var out: [UInt64] = []
    for _ in 0..<64 {
      s = SeededDraw.mix(s)
      out.append(s | 1)
    }
    seeds = out
  }

  /// The MinHash signature of a file's tokens, nil when it has too few shingles.
  public func signature(of bytes: [UInt8]) -> [UInt32]? {
    let tokens = Self.tokenHashes(bytes)
    guard tokens.count >= shingleSize + minimumShingles - 1 else { return nil }
    var mins = [UInt32](repeating: .max, count: permutations)
    var seen = Set<UInt64>()
    for start in 0...(tokens.count - shingleSize) {
      var h: UInt64 = 0x8422_2325_cbf2_9ce4
      for t in tokens[start..<(start + shingleSize)] { h = (h ^ t) &* 0x0000_0100_0000_01b3 }
      guard seen.insert(h).inserted else { continue }
      for i in 0..<permutations {
        let v = UInt32(truncatingIfNeeded: SeededDraw.mix(h ^ seeds[i]) >> 32)
        if v < mins[i] { mins[i] = v }
      }
    }
    return mins
  }

  /// The estimated Jaccard similarity of two signatures.
  public static func similarity(_ a: [UInt32], _ b: [UInt32]) -> Double {
    var same = 0
    for i in a.indices where a[i] == b[i] { same += 1 }
    return Double(same) / Double(a.count)
  }

  /// If the file near-duplicates a file already added, that file's owner; otherwise adds the file
  /// (under `owner`) and returns nil.
  public mutating func check(_ bytes: [UInt8], owner: String) -> String? {
    guard let sig = signature(of: bytes) else { return nil }
    let keys = bandKeys(sig)
    var best: (Int, Double)?
    for h in keys {
      for candidate in buckets[h] ?? [] {
        let s = Self.similarity(sig, signatures[Int(candidate)])
        if s >= threshold, s > (best?.1 ?? 0) { best = (Int(candidate), s) }
      }
    }
    if let best { return owners[best.0] }
    add(sig, owner: owner, keys: keys)
    return nil
  }

  /// The bucket key of each band of a signature.
  private func bandKeys(_ sig: [UInt32]) -> [UInt64] {
    let rows = permutations / bands
    return (0..<bands).map { band in
      var h = UInt64(band) &* 0x9E37_79B9_7F4A_7C15
      for r in 0..<rows { h = SeededDraw.mix(h ^ UInt64(sig[band * rows + r])) }
      return h
    }
  }

  private mutating func add(_ sig: [UInt32], owner: String, keys: [UInt64]) {
    let index = Int32(signatures.count)
    signatures.append(sig)
    owners.append(owner)
    for key in keys { buckets[key, default: []].append(index) }
  }

  // MARK: - Checkpoint

  /// Writes the kept files' signatures and owners (the buckets follow from them).
  func save(to out: inout CheckpointWriter) {
    out.int(signatures.count)
    for (sig, owner) in zip(signatures, owners) {
      out.string(owner)
      for v in sig { out.u32(v) }
    }
  }

  /// Reads what `save` wrote into an empty index, rebuilding the buckets in the same order.
  mutating func load(from input: inout CheckpointReader) throws {
    let n = try input.count()
    for _ in 0..<n {
      let owner = try input.string()
      var sig = [UInt32](repeating: 0, count: permutations)
      for i in 0..<permutations { sig[i] = try input.u32() }
      add(sig, owner: owner, keys: bandKeys(sig))
    }
  }

  /// Hashes of the file's tokens: identifier/number runs, string and template contents are kept
  /// as written, every other non-space byte is a token of its own; comments are skipped.
  static func tokenHashes(_ b: [UInt8]) -> [UInt64] {
    var out: [UInt64] = []
    out.reserveCapacity(b.count / 4)
    var i = 0
    let n = b.count
    @inline(__always) func isWord(_ c: UInt8) -> Bool {
      (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x24
        || c >= 0x80
    }
    @inline(__always) func hash(_ r: Range<Int>) -> UInt64 {
      var h: UInt64 = 0xcbf2_9ce4_8422_2325
      for k in r { h = (h ^ UInt64(b[k])) &* 0x0000_0100_0000_01b3 }
      return h
    }
    while i < n {
      let c = b[i]
      if c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D {
        i += 1
      } else if c == 0x2F, i + 1 < n, b[i + 1] == 0x2F {
        while i < n && b[i] != 0x0A { i += 1 }
      } else if c == 0x2F, i + 1 < n, b[i + 1] == 0x2A {
        i += 2
        while i + 1 < n && !(b[i] == 0x2A && b[i + 1] == 0x2F) { i += 1 }
        i += 2
      } else if isWord(c) {
        let start = i
        while i < n && isWord(b[i]) { i += 1 }
        out.append(hash(start..<i))
      } else if c == 0x22 || c == 0x27 || c == 0x60 {
        let start = i
        i += 1
        while i < n && b[i] != c {
          if b[i] == 0x5C { i += 1 }
          if c != 0x60 && i < n && b[i] == 0x0A { break }
          i += 1
        }
        i = min(i + 1, n)
        out.append(hash(start..<i))
      } else {
        out.append(UInt64(c) &* 0x9E37_79B9_7F4A_7C15)
        i += 1
      }
    }
    return out
  }
}
