import Testing

@testable import CloneIndex

@Suite struct VectorIndexTests {
  /// `n` seeded random unit vectors.
  private func vectors(_ n: Int, _ d: Int, seed: UInt64) -> [Float] {
    var state = seed
    var out = [Float](repeating: 0, count: n * d)
    for r in 0..<n {
      var norm: Float = 0
      for c in 0..<d {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let x = Float(Double(z >> 11) * 0x1.0p-53) - 0.5
        out[r * d + c] = x
        norm += x * x
      }
      for c in 0..<d { out[r * d + c] /= norm.squareRoot() }
    }
    return out
  }

  private func dot(_ v: [Float], _ a: Int, _ b: Int, _ d: Int) -> Float {
    var s: Float = 0
    for k in 0..<d { s += v[a * d + k] * v[b * d + k] }
    return s
  }

  @Test func topKMatchesBruteForceAcrossBlocks() {
    let (n, d, k) = (300, 16, 7)
    let v = vectors(n, d, seed: 1)
    var index = FlatVectorIndex(vectors: v, dimension: d)
    index.blockRows = 64  // several blocks
    let q = Array(v[0..<(3 * d)])
    let hits = index.search(q, queryCount: 3, k: k)
    for qi in 0..<3 {
      let expected = (0..<n).map { ($0, dot(v, qi, $0, d)) }.sorted { $0.1 > $1.1 }.prefix(k).map(\.0)
      #expect(hits[qi].map(\.id) == Array(expected))
      #expect(hits[qi][0].id == qi && abs(hits[qi][0].score - 1) < 1e-5)
    }
  }

  @Test func aSingleQueryGivesTheSameAnswerAsABatch() {
    let (n, d, k) = (500, 32, 5)
    let v = vectors(n, d, seed: 3)
    var index = FlatVectorIndex(vectors: v, dimension: d)
    index.blockRows = 128
    let batch = index.search(Array(v[0..<(2 * d)]), queryCount: 2, k: k)
    let single = index.search(Array(v[d..<(2 * d)]), queryCount: 1, k: k)
    #expect(single[0].map(\.id) == batch[1].map(\.id))
  }

  @Test func allPairsMatchesBruteForce() {
    let (n, d) = (150, 8)
    let v = vectors(n, d, seed: 2)
    var index = FlatVectorIndex(vectors: v, dimension: d)
    index.blockRows = 40
    let pairs = index.pairs(atLeast: 0.6).map { "\($0.a)-\($0.b)" }
    var expected: [String] = []
    for a in 0..<n { for b in (a + 1)..<n where dot(v, a, b, d) >= 0.6 { expected.append("\(a)-\(b)") } }
    #expect(!expected.isEmpty)
    #expect(Set(pairs) == Set(expected) && pairs.count == expected.count)
  }

  @Test func theDefaultEmbedderIsNormalisedAndDeterministic() throws {
    let e = HashedFeatureEmbedder()
    let t = try firstUnitTokens("function f(a) { return a.map((x) => x * 2).filter(Boolean) }")
    let a = e.vector(for: t)
    let b = e.vector(for: t)
    #expect(a == b && a.count == e.dimension)
    let norm = a.reduce(0) { $0 + $1 * $1 }
    #expect(abs(norm - 1) < 1e-4)
  }
}
