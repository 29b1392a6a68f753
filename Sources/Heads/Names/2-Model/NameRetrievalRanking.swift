import CloneIndex
import Foundation

// MARK: - Retrieved names and how they rank with the decoder's

/// One name among a function's nearest train functions (`NameDatastore`).
public struct RetrievedName: Sendable, Equatable {
  /// Lower-case subtokens.
  public var subtokens: [String]
  /// The share of the neighbours' weight that carries this name, in [0, 1]: neighbour i (cosine sᵢ, best s₀)
  /// weighs `exp((sᵢ − s₀) / temperature)`, normalised over the k neighbours.
  public var vote: Double
  /// The best cosine similarity among the neighbours with this name.
  public var similarity: Double

  public init(subtokens: [String], vote: Double, similarity: Double) {
    self.subtokens = subtokens
    self.vote = vote
    self.similarity = similarity
  }
}

/// How the retrieved names and the decoder's beams become one list (issue 19). Candidates: the decoder's beams
/// and the `candidates` best retrieved names, each scored by the decoder (a retrieved name by teacher forcing: its
/// length-normalised log-probability, the quantity the beam ranks by) and by its retrieval vote (0 when no
/// neighbour has it). Rank: `decoder score + weight · vote` (`combined`), the vote alone with the best similarity
/// then the decoder score breaking ties (`retrieval`), or the decoder score alone (`decoder`). `weight`, `neighbors`
/// and `temperature` are chosen on the valid splits (docs/NAMES.md) and stored as `retrieval` in the head's
/// `config.json`.
public struct NameRetrievalRanking: Codable, Sendable, Equatable {
  public enum Mode: String, Codable, Sendable, CaseIterable {
    case combined, retrieval, decoder
  }

  /// Neighbours searched per function (k).
  public var neighbors: Int
  /// Softmax temperature over the neighbours' cosine similarities.
  public var temperature: Double
  /// Nats of decoder score one whole vote is worth.
  public var weight: Double
  /// Retrieved names added to the decoder's beams.
  public var candidates: Int
  public var mode: Mode
  /// Where the values came from.
  public var chosenOn: String?

  public init(
    neighbors: Int = 10, temperature: Double = 0.05, weight: Double = 2, candidates: Int = 5, mode: Mode = .combined,
    chosenOn: String? = nil
  ) {
    self.neighbors = neighbors
    self.temperature = temperature
    self.weight = weight
    self.candidates = candidates
    self.mode = mode
    self.chosenOn = chosenOn
  }

  /// A short description, e.g. `retrieval combined (k 10, T 0.05, weight 2)`.
  public var summary: String {
    switch mode {
    case .decoder: return "decoder alone"
    case .retrieval: return "retrieval alone (k \(neighbors), T \(NameDecoding.format(temperature)))"
    case .combined:
      return
        "decoder + retrieval (k \(neighbors), T \(NameDecoding.format(temperature)), weight \(NameDecoding.format(weight)))"
    }
  }

  /// The distinct names of `neighbors` (best first), by vote, then best similarity, then name.
  public func retrieved(_ neighbors: [Neighbor], names: (Int) -> [String]) -> [RetrievedName] {
    guard let best = neighbors.map(\.score).max() else { return [] }
    let t = max(temperature, 1e-6)
    var total = 0.0
    var byName: [[String]: (vote: Double, similarity: Double)] = [:]
    for n in neighbors {
      let w = exp((Double(n.score) - Double(best)) / t)
      total += w
      let key = names(n.id)
      let old = byName[key] ?? (0, -2)
      byName[key] = (old.vote + w, max(old.similarity, Double(n.score)))
    }
    return byName.map { RetrievedName(subtokens: $0.key, vote: $0.value.vote / total, similarity: $0.value.similarity) }
      .sorted {
        if $0.vote != $1.vote { return $0.vote > $1.vote }
        if $0.similarity != $1.similarity { return $0.similarity > $1.similarity }
        return $0.subtokens.lexicographicallyPrecedes($1.subtokens)
      }
  }

  /// The final list of one function's `candidates` (`NameHead.candidates`): its first `neighbors` neighbours' names
  /// voted, then ranked with the beams.
  public func rank(_ candidates: NameHead.Candidates, datastore: NameDatastore, top: Int) -> [NamePrediction] {
    guard mode != .decoder else { return Array(candidates.beams.prefix(max(top, 1))) }
    let found = retrieved(Array(candidates.neighbors.prefix(neighbors)), names: datastore.name(ofEntry:))
    return rank(beams: candidates.beams, retrieved: found, top: top) { name in
      candidates.scored[name] ?? NamePrediction(subtokens: name, logProbability: -1e9)
    }
  }

  /// One list from the decoder's `beams` (best first) and the `retrieved` names: each retrieved name not among the
  /// beams is scored by `score` (the decoder's teacher-forced score of those subtokens); every candidate carries
  /// its vote and similarity; ranked by `mode`; the first `top`.
  public func rank(
    beams: [NamePrediction], retrieved: [RetrievedName], top: Int, score: ([String]) -> NamePrediction
  ) -> [NamePrediction] {
    var evidence: [[String]: RetrievedName] = [:]
    for r in retrieved { evidence[r.subtokens] = r }
    var pool: [NamePrediction] = []
    var seen = Set<[String]>()
    for b in beams where seen.insert(b.subtokens.map { $0.lowercased() }).inserted { pool.append(b) }
    if mode != .decoder {
      for r in retrieved.prefix(candidates) where !r.subtokens.isEmpty && seen.insert(r.subtokens).inserted {
        var p = score(r.subtokens)
        p.beamRank = nil
        // the decoder may cut a long name: its evidence goes with what was scored
        if evidence[p.subtokens] == nil { evidence[p.subtokens] = r }
        if p.subtokens == r.subtokens || seen.insert(p.subtokens).inserted { pool.append(p) }
      }
    }
    for i in pool.indices {
      let e = evidence[pool[i].subtokens.map { $0.lowercased() }]
      pool[i].vote = e?.vote ?? 0
      pool[i].similarity = e?.similarity ?? 0
      switch mode {
      case .decoder: pool[i].rank = pool[i].score
      case .retrieval: pool[i].rank = pool[i].vote
      case .combined: pool[i].rank = pool[i].score + weight * pool[i].vote
      }
    }
    pool.sort {
      if $0.rank != $1.rank { return $0.rank > $1.rank }
      if $0.similarity != $1.similarity { return $0.similarity > $1.similarity }
      if $0.score != $1.score { return $0.score > $1.score }
      return $0.name < $1.name
    }
    return Array(pool.prefix(max(top, 1)))
  }
}
