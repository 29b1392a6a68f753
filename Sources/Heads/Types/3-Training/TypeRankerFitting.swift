import Foundation

/// Fitting `TypeRanker` on the valid splits: the sites with their candidates' features, the system's ranking of a
/// site for given scores (the same filtering as `TypeEvaluation.systemCandidates`), and cross-validation grouped by
/// package (`codeintel finetune type-ranker`).
public enum TypeRankerFitting {
  /// One scored site (`any` labels excluded) of a valid split.
  public struct Site: Sendable {
    /// The split (`valid`, `github-valid`) and the package or repository (the cross-validation group).
    public var split: String
    public var group: String
    /// The candidates (the hand-set merge's union, in its order), their feature rows, and the label's index.
    public var types: [String]
    public var rows: [[Double]]
    public var label: Int?
    /// Per candidate: whether the system may show it (not `any`, a type in scope) and whether it contains `any`
    /// (its confidence is capped at `TypeNames.anyCap`).
    public var allowed: [Bool]
    public var containsAny: [Bool]

    public init(
      split: String, group: String, types: [String], rows: [[Double]], label: Int?, allowed: [Bool],
      containsAny: [Bool]
    ) {
      self.split = split
      self.group = group
      self.types = types
      self.rows = rows
      self.label = label
      self.allowed = allowed
      self.containsAny = containsAny
    }
  }

  /// The system's five for candidate `scores` (higher first, ties in list order), as `systemCandidates` makes them:
  /// the top ten, those the system may show, at most five, each with its probability (capped where it contains
  /// `any`), re-sorted by confidence. Returns candidate indices with their confidences.
  public static func system(_ site: Site, scores: [Double], temperature: Double = 1) -> [(
    index: Int, confidence: Double
  )] {
    let p = TypeRanker.probabilities(scores: scores.map { $0 / temperature })
    let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
    var out: [(index: Int, confidence: Double)] = []
    for i in order.prefix(10) where out.count < 5 && site.allowed[i] {
      out.append((i, site.containsAny[i] ? min(p[i], TypeNames.anyCap) : p[i]))
    }
    return out.enumerated().sorted {
      $0.element.confidence != $1.element.confidence
        ? $0.element.confidence > $1.element.confidence : $0.offset < $1.offset
    }.map(\.element)
  }

  /// acc@1 and acc@5 of ranked lists per site (nil: no list) against each site's label.
  public struct Accuracy: Sendable, Equatable {
    public var sites = 0, at1 = 0, at5 = 0
    public var accuracyAt1: Double { sites == 0 ? 0 : Double(at1) / Double(sites) }
    public var accuracyAt5: Double { sites == 0 ? 0 : Double(at5) / Double(sites) }
    public init() {}
    public mutating func add(label: Int?, ranked: [Int]) {
      sites += 1
      guard let label else { return }
      if ranked.first == label { at1 += 1 }
      if ranked.prefix(5).contains(label) { at5 += 1 }
    }
  }

  /// The score of each candidate row under a fitted ranker (bias and weights over `columns`).
  public static func scores(_ rows: [[Double]], columns: [Int], bias: Double, weights: [Double]) -> [Double] {
    rows.map { x in bias + zip(columns, weights).reduce(0) { $0 + x[$1.0] * $1.1 } }
  }

  /// The fold of each group: groups sorted by a stable hash of their name (FNV-1a), then dealt round-robin.
  public static func folds(groups: [String], count: Int) -> [String: Int] {
    func fnv(_ s: String) -> UInt64 {
      var h: UInt64 = 0xcbf2_9ce4_8422_2325
      for b in s.utf8 {
        h ^= UInt64(b)
        h = h &* 0x100_0000_01b3
      }
      return h
    }
    let unique = Array(Set(groups)).sorted { (fnv($0), $0) < (fnv($1), $1) }
    return Dictionary(uniqueKeysWithValues: unique.enumerated().map { ($0.element, $0.offset % count) })
  }

  /// Out-of-fold scores of every site: for each fold, the ranker fitted on the other folds' sites scores this one's.
  /// With `balanced`, each site weighs `sites / (splits × sites of its split)` in the fit (`weights`).
  public static func crossValidatedScores(
    _ sites: [Site], columns: [Int], lambda: Double, folds: Int, balanced: Bool = false
  ) -> [[Double]] {
    let fold = Self.folds(groups: sites.map(\.group), count: folds)
    let weight = weights(sites, balanced: balanced)
    var out = [[Double]](repeating: [], count: sites.count)
    for f in 0..<folds {
      let train = sites.indices.filter { fold[sites[$0].group] != f }.map {
        TypeRanker.Example(rows: sites[$0].rows, label: sites[$0].label, weight: weight[$0])
      }
      let fitted = TypeRanker.fit(train, columns: columns, lambda: lambda)
      for (i, s) in sites.enumerated() where fold[s.group] == f {
        out[i] = scores(s.rows, columns: columns, bias: fitted.bias, weights: fitted.weights)
      }
    }
    return out
  }

  /// Each site's weight in a fit: 1, or with `balanced` `sites / (splits × sites of its split)`, so that every split
  /// weighs the same in the mean log-likelihood.
  public static func weights(_ sites: [Site], balanced: Bool) -> [Double] {
    guard balanced else { return sites.map { _ in 1 } }
    var count: [String: Int] = [:]
    for s in sites { count[s.split, default: 0] += 1 }
    return sites.map { Double(sites.count) / (Double(count.count) * Double(count[$0.split]!)) }
  }

  /// The system's accuracy per split for per-site scores.
  public static func accuracy(_ sites: [Site], scores: [[Double]]) -> [String: Accuracy] {
    var out: [String: Accuracy] = [:]
    for (s, sc) in zip(sites, scores) {
      out[s.split, default: Accuracy()].add(label: s.label, ranked: system(s, scores: sc).map(\.index))
    }
    return out
  }

  /// Each site's best system candidate as (confidence, right), per split: the calibration points.
  public static func points(_ sites: [Site], scores: [[Double]], temperature: Double = 1)
    -> [String: [(confidence: Double, correct: Bool)]]
  {
    var out: [String: [(confidence: Double, correct: Bool)]] = [:]
    for (s, sc) in zip(sites, scores) {
      guard let best = system(s, scores: sc, temperature: temperature).first else { continue }
      out[s.split, default: []].append((best.confidence, best.index == s.label))
    }
    return out
  }

  /// The temperature T that minimises the mean negative log-likelihood of the sites' labels (the outside option
  /// where the label is not a candidate) under `exp(s / T)`: a golden-section search on log T in [0.05, 20].
  public static func temperature(_ sites: [Site], scores: [[Double]]) -> Double {
    func loss(_ logT: Double) -> Double {
      let t = exp(logT)
      var total = 0.0
      for (site, sc) in zip(sites, scores) {
        let z = sc.map { $0 / t }
        let m = max(z.max() ?? 0, 0)
        total += m + log(exp(-m) + z.reduce(0) { $0 + exp($1 - m) }) - (site.label.map { z[$0] } ?? 0)
      }
      return total / Double(max(sites.count, 1))
    }
    var a = log(0.05)
    var b = log(20.0)
    let r = (5.0.squareRoot() - 1) / 2
    var c = b - r * (b - a)
    var d = a + r * (b - a)
    var fc = loss(c)
    var fd = loss(d)
    for _ in 0..<60 {
      if fc < fd {
        b = d
        d = c
        fd = fc
        c = b - r * (b - a)
        fc = loss(c)
      } else {
        a = c
        c = d
        fc = fd
        d = a + r * (b - a)
        fd = loss(d)
      }
    }
    return exp((a + b) / 2)
  }
}
