import CodeIntel
import Foundation
import Model

/// A learned ranking of a site's type candidates (learning to rank), replacing the hand-set merge of
/// `TypeCombination.combine` where a head folder has `type-ranker.json`.
///
/// The candidates are the ones `combine` merges (the evidence rules', the type head's top ten after the code
/// shapes, the name prior's): their union, one entry per normalised type. Each candidate gets a feature vector
/// (`features(…)`: each source's confidence, rank and presence, how many sources agree, the hand-set rule's own
/// rank, the evidence rule's family, the candidate's form, the site's kind, the head's top probability and margin)
/// and a score `bias + w · x`. The model is a **conditional logit with an outside option**: at a site with
/// candidates 1…n the probability that candidate j is the label is `exp(s_j) / (1 + Σ_k exp(s_k))`, and the
/// remaining `1 / (1 + Σ exp(s_k))` is "none of them" (the label is not among the candidates). Candidates are
/// ranked by score, and their probability is the confidence shown and compared with the display bar.
///
/// Fitted by `codeintel finetune type-ranker` on the valid splits (L2-regularised Newton steps on the standardised
/// features, the penalty chosen by cross-validation grouped by package); docs/TYPES.md, "The learned ranker".
public struct TypeRanker: Codable, Sendable, Equatable {
  public static let fileName = "type-ranker.json"
  public static let formatName = "codeintel-type-ranker"
  public static let formatVersion = 1

  public var format: String = formatName
  public var version: Int = formatVersion
  /// The names of the features the weights go with (a subset of `featureNames`; the others weigh 0).
  public var features: [String]
  /// One weight per entry of `features`, on the raw (unstandardised) feature values.
  public var weights: [Double]
  /// The score's constant (the outside option scores 0).
  public var bias: Double
  /// How it was fitted (informational): splits, sites, the penalty, the feature set's name.
  public var splits: [String] = []
  public var sites: Int = 0
  public var lambda: Double = 0
  public var variant: String = ""
  /// The confidence's temperature: a candidate's probability is `exp(s_j / T) / (1 + Σ exp(s_k / T))`. Fitted on
  /// the out-of-fold scores (`TypeRankerFitting.temperature`), so the penalty's flattening of the scores does not
  /// flatten the confidences; the ranking does not depend on it.
  public var temperature: Double = 1

  public init(features: [String], weights: [Double], bias: Double) {
    self.features = features
    self.weights = weights
    self.bias = bias
  }

  // MARK: - Features

  /// Every feature the ranker knows, in vector order.
  public static let featureNames: [String] = [
    // The type head (its shaped top ten).
    "head.present", "head.p", "head.logp", "head.rrank", "head.first",
    // The name prior.
    "prior.present", "prior.conf", "prior.rrank", "prior.logsites",
    // The evidence rules: presence, the rule's fixed confidence, first of the rules, the rule's family.
    "evidence.present", "evidence.conf", "evidence.first",
    "evidence.literal", "evidence.constructor", "evidence.assertion", "evidence.void", "evidence.returns",
    "evidence.array", "evidence.comparison", "evidence.other",
    // Agreement, and the hand-set rule's order (`TypeCombination.combine`).
    "sources.two", "sources.three", "legacy.rrank", "legacy.first",
    // The candidate's form.
    "form.primitive", "form.array", "form.application", "form.union", "form.function", "form.literal",
    "form.object", "form.structured",
    // The site's kind (parameter is the base) with each source.
    "kind.return.head", "kind.return.prior", "kind.return.evidence",
    "kind.variable.head", "kind.variable.prior", "kind.variable.evidence",
    "kind.property.head", "kind.property.prior", "kind.property.evidence",
    // The site as a whole (the same for all its candidates; they move every candidate against "none").
    "site.headtop", "site.headmargin", "site.logcandidates", "site.evidence",
  ]

  /// Named subsets of `featureNames` that `finetune type-ranker` compares by cross-validation.
  public static let variants: [(name: String, features: [String])] = [
    (
      "sources",
      featureNames.filter {
        $0.hasPrefix("head.") || $0.hasPrefix("prior.") || $0.hasPrefix("evidence.") || $0.hasPrefix("sources.")
          || $0.hasPrefix("legacy.")
      }
    ),
    ("no-legacy", featureNames.filter { !$0.hasPrefix("legacy.") }),
    ("all", featureNames),
  ]

  static let primitives: Set<String> = [
    "string", "number", "boolean", "void", "null", "undefined", "never", "unknown", "object", "bigint", "symbol",
  ]

  /// The evidence rule's family, as a feature name.
  static func family(_ rule: String) -> String {
    if rule.hasPrefix("returns") { return "evidence.returns" }
    switch rule {
    case "string-literal", "number-literal", "boolean-literal", "null", "regex", "typeof", "not":
      return "evidence.literal"
    case "constructor": return "evidence.constructor"
    case "assertion": return "evidence.assertion"
    case "void": return "evidence.void"
    case "array", "tuple-rows": return "evidence.array"
    case "comparison": return "evidence.comparison"
    default: return "evidence.other"
    }
  }

  /// The form of a normalised type, as a feature name (nil: a plain named type).
  static func form(_ type: String) -> String? {
    if primitives.contains(type) { return "form.primitive" }
    if type.contains("=>") { return "form.function" }
    if type.contains("|") { return "form.union" }
    if type.hasSuffix("[]") { return "form.array" }
    if type.contains("<") { return "form.application" }
    if type.hasPrefix("{") || type.hasPrefix("[") { return "form.object" }
    if let f = type.first,
      f == "'" || f == "\"" || f == "`" || f.isNumber || f == "-" || type == "true"
        || type == "false"
    {
      return "form.literal"
    }
    return nil
  }

  /// A site's candidates (the union `TypeCombination.combine` builds, in its order) and each one's feature vector
  /// (`featureNames` order). `priorSites`: the name's train sites in the name prior (0 when it has none).
  public static func features(
    evidence: [TypeEvidence.Suggestion.Candidate], model: [(type: String, probability: Float)],
    prior: [TypeNamePrior.Candidate], kind: String, priorSites: Int, modelReason: String = "type head"
  ) -> (candidates: [TypeCombination.Candidate], features: [[Double]]) {
    let legacy = TypeCombination.combine(
      evidence: evidence, model: model, prior: prior, top: Int.max, modelReason: modelReason)
    let index = Dictionary(uniqueKeysWithValues: featureNames.enumerated().map { ($0.element, $0.offset) })
    var head: [String: (p: Double, rank: Int)] = [:]
    for (r, m) in model.enumerated() where head[TypeAccuracy.normalize(m.type)] == nil {
      head[TypeAccuracy.normalize(m.type)] = (Double(m.probability), r + 1)
    }
    var pri: [String: (p: Double, rank: Int)] = [:]
    for (r, c) in prior.enumerated() where pri[TypeAccuracy.normalize(c.type)] == nil {
      pri[TypeAccuracy.normalize(c.type)] = (c.confidence, r + 1)
    }
    var ev: [String: (c: Double, rank: Int, rule: String)] = [:]
    for (r, c) in evidence.enumerated() where ev[TypeAccuracy.normalize(c.type)] == nil {
      ev[TypeAccuracy.normalize(c.type)] = (c.confidence, r + 1, c.rule)
    }
    let probabilities = model.map { Double($0.probability) }.sorted(by: >)
    let top = probabilities.first ?? 0
    let margin = top - (probabilities.count > 1 ? probabilities[1] : 0)
    var rows: [[Double]] = []
    for (r, c) in legacy.enumerated() {
      var x = [Double](repeating: 0, count: featureNames.count)
      func set(_ name: String, _ v: Double) { x[index[name]!] = v }
      let t = TypeAccuracy.normalize(c.type)
      var sources = 0
      if let h = head[t] {
        sources += 1
        set("head.present", 1)
        set("head.p", h.p)
        set("head.logp", log(max(h.p, 1e-4) / 1e-4))  // 0 at p ≤ 1e-4
        set("head.rrank", 1 / Double(h.rank))
        set("head.first", h.rank == 1 ? 1 : 0)
      }
      if let p = pri[t] {
        sources += 1
        set("prior.present", 1)
        set("prior.conf", p.p)
        set("prior.rrank", 1 / Double(p.rank))
        set("prior.logsites", log(1 + Double(priorSites)))
      }
      if let e = ev[t] {
        sources += 1
        set("evidence.present", 1)
        set("evidence.conf", e.c)
        set("evidence.first", e.rank == 1 ? 1 : 0)
        set(family(e.rule), 1)
      }
      if sources >= 2 { set("sources.two", 1) }
      if sources >= 3 { set("sources.three", 1) }
      set("legacy.rrank", 1 / Double(r + 1))
      set("legacy.first", r == 0 ? 1 : 0)
      if let f = form(t) { set(f, 1) }
      if TypeAccuracy.isStructured(t) { set("form.structured", 1) }
      if kind == "return" || kind == "variable" || kind == "property" {
        if head[t] != nil { set("kind.\(kind).head", 1) }
        if pri[t] != nil { set("kind.\(kind).prior", 1) }
        if ev[t] != nil { set("kind.\(kind).evidence", 1) }
      }
      set("site.headtop", top)
      set("site.headmargin", margin)
      set("site.logcandidates", log(Double(legacy.count)))
      set("site.evidence", evidence.isEmpty ? 0 : 1)
      rows.append(x)
    }
    return (legacy, rows)
  }

  // MARK: - Scoring

  /// The weights laid out in `featureNames` order (0 for features the file does not use).
  public var fullWeights: [Double] {
    var w = [Double](repeating: 0, count: Self.featureNames.count)
    let index = Dictionary(uniqueKeysWithValues: Self.featureNames.enumerated().map { ($0.element, $0.offset) })
    for (name, v) in zip(features, weights) { if let i = index[name] { w[i] = v } }
    return w
  }

  /// Each candidate's probability of being the label (the rest is "none of them"), from its feature rows.
  public static func probabilities(scores: [Double]) -> [Double] {
    guard let m = scores.max() else { return [] }
    let top = max(m, 0)
    let e = scores.map { exp($0 - top) }
    let z = exp(-top) + e.reduce(0, +)
    return e.map { $0 / z }
  }

  /// The site's candidates ranked by the learned score, best first (ties keep the hand-set order), at most
  /// `top`; each candidate's confidence is its probability of being the label. Source and reason are the
  /// hand-set merge's (`combined` where two sources agree).
  public func rank(
    evidence: [TypeEvidence.Suggestion.Candidate], model: [(type: String, probability: Float)],
    prior: [TypeNamePrior.Candidate], kind: String, priorSites: Int, top: Int = 5, modelReason: String = "type head"
  ) -> [TypeCombination.Candidate] {
    let (candidates, rows) = Self.features(
      evidence: evidence, model: model, prior: prior, kind: kind, priorSites: priorSites, modelReason: modelReason)
    let w = fullWeights
    let scores = rows.map { x in bias + zip(w, x).reduce(0) { $0 + $1.0 * $1.1 } }
    let p = Self.probabilities(scores: scores.map { $0 / temperature })
    let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
    return order.prefix(top).map {
      var c = candidates[$0]
      c.confidence = p[$0]
      return c
    }
  }

  /// The ranking every path uses (`suggest-types`, the LSP, `eval types`, `finetune type-threshold`): the learned
  /// one with a ranker, else the hand-set `TypeCombination.combine`.
  public static func ranked(
    _ ranker: TypeRanker?, evidence: [TypeEvidence.Suggestion.Candidate],
    model: [(type: String, probability: Float)], prior: [TypeNamePrior.Candidate], kind: String, priorSites: Int,
    threshold: Double = TypeCombination.evidenceThreshold, top: Int = 5, modelReason: String = "type head"
  ) -> [TypeCombination.Candidate] {
    guard let ranker else {
      return TypeCombination.combine(
        evidence: evidence, model: model, prior: prior, threshold: threshold, top: top, modelReason: modelReason)
    }
    return ranker.rank(
      evidence: evidence, model: model, prior: prior, kind: kind, priorSites: priorSites, top: top,
      modelReason: modelReason)
  }

  // MARK: - Fitting

  /// One site for fitting: its candidates' feature rows and the index of the label among them (nil: none is).
  public struct Example: Sendable {
    public var rows: [[Double]]
    public var label: Int?
    /// The site's weight in the mean log-likelihood (1: every site alike).
    public var weight: Double
    public init(rows: [[Double]], label: Int?, weight: Double = 1) {
      self.rows = rows
      self.label = label
      self.weight = weight
    }
  }

  /// Fits the conditional logit with an outside option on `examples`, using the features at `columns` (indices
  /// into the rows), with L2 penalty `lambda` on the scaled weights (each feature divided by its root mean square
  /// over all candidate rows, so zeros stay zeros; the bias is not penalised): minimises the mean negative
  /// log-likelihood plus `lambda / 2 · |w|²` by Newton steps with backtracking. Returns the bias and the weights on
  /// the raw features (in `columns` order).
  public static func fit(_ examples: [Example], columns: [Int], lambda: Double, iterations: Int = 40)
    -> (bias: Double, weights: [Double])
  {
    let d = columns.count
    var sq = [Double](repeating: 0, count: d)
    var count = 0.0  // weighted, so a site of weight 2 counts as the site twice here too
    for e in examples {
      for x in e.rows {
        count += e.weight
        for (j, c) in columns.enumerated() { sq[j] += e.weight * x[c] * x[c] }
      }
    }
    guard count > 0 else { return (0, [Double](repeating: 0, count: d)) }
    // A column that is always 0 gets weight 0.
    let scale = sq.map { $0 > 1e-12 ? 1 / ($0 / count).squareRoot() : 0 }
    // Sparse rows over θ = (bias, w): index 0 is the bias.
    typealias Row = [(i: Int, v: Double)]
    let data: [(rows: [Row], label: Int?, weight: Double)] = examples.map { e in
      (
        e.rows.map { x in
          [(0, 1.0)]
            + columns.indices.compactMap { j in
              let v = x[columns[j]] * scale[j]
              return v != 0 ? (j + 1, v) : nil
            }
        }, e.label, e.weight
      )
    }
    let n = examples.reduce(0) { $0 + $1.weight }
    let k = d + 1
    var theta = [Double](repeating: 0, count: k)
    func scores(_ t: [Double], _ rows: [Row]) -> [Double] { rows.map { $0.reduce(0) { $0 + t[$1.i] * $1.v } } }
    func objective(_ t: [Double]) -> Double {
      var loss = 0.0
      for (rows, y, weight) in data {
        let s = scores(t, rows)
        let m = max(s.max() ?? 0, 0)
        loss += weight * (m + log(exp(-m) + s.reduce(0) { $0 + exp($1 - m) }) - (y.map { s[$0] } ?? 0))
      }
      return loss / n + lambda / 2 * t.dropFirst().reduce(0) { $0 + $1 * $1 }
    }
    var current = objective(theta)
    for _ in 0..<iterations {
      var g = [Double](repeating: 0, count: k)
      var h = [Double](repeating: 0, count: k * k)
      for (rows, y, weight) in data {
        let p = probabilities(scores: scores(theta, rows))
        var px = [Double](repeating: 0, count: k)
        var touched = Set<Int>()
        for (pj, row) in zip(p, rows) {
          for (a, va) in row {
            px[a] += pj * va
            touched.insert(a)
            for (b, vb) in row where b >= a { h[a * k + b] += weight * pj * va * vb }
          }
        }
        if let y { for (a, va) in rows[y] { g[a] -= weight * va } }
        let nz = touched.sorted()
        for a in nz {
          g[a] += weight * px[a]
          for b in nz where b >= a { h[a * k + b] -= weight * px[a] * px[b] }
        }
      }
      for a in 0..<k {
        g[a] /= n
        for b in a..<k {
          h[a * k + b] /= n
          h[b * k + a] = h[a * k + b]
        }
        if a > 0 {
          g[a] += lambda * theta[a]
          h[a * k + a] += lambda
        }
        h[a * k + a] += 1e-9
      }
      guard let step = solve(h, g, k) else { break }
      var t = 1.0
      var next = theta
      var value = current
      while t > 1e-6 {
        next = zip(theta, step).map { $0 - t * $1 }
        value = objective(next)
        if value <= current { break }
        t /= 2
      }
      guard value <= current else { break }
      let gain = current - value
      theta = next
      current = value
      if gain < 1e-9 { break }
    }
    return (theta[0], (0..<d).map { theta[$0 + 1] * scale[$0] })
  }

  /// Solves `A x = b` for a symmetric positive-definite `A` (k × k, row-major) by Cholesky; nil if it is not.
  static func solve(_ a: [Double], _ b: [Double], _ k: Int) -> [Double]? {
    var l = [Double](repeating: 0, count: k * k)
    for i in 0..<k {
      for j in 0...i {
        var s = a[i * k + j]
        for m in 0..<j { s -= l[i * k + m] * l[j * k + m] }
        if i == j {
          guard s > 0 else { return nil }
          l[i * k + i] = s.squareRoot()
        } else {
          l[i * k + j] = s / l[j * k + j]
        }
      }
    }
    var y = [Double](repeating: 0, count: k)
    for i in 0..<k {
      var s = b[i]
      for m in 0..<i { s -= l[i * k + m] * y[m] }
      y[i] = s / l[i * k + i]
    }
    var x = [Double](repeating: 0, count: k)
    for i in stride(from: k - 1, through: 0, by: -1) {
      var s = y[i]
      for m in (i + 1)..<k { s -= l[m * k + i] * x[m] }
      x[i] = s / l[i * k + i]
    }
    return x
  }

  // MARK: - Files

  /// Reads `type-ranker.json` from a head folder; nil when there is none (the hand-set rule), an error with a
  /// one-line reason when it is broken.
  public static func load(directory: URL) throws -> TypeRanker? {
    let folder = ModelFolder(url: directory, kind: "type head")
    guard folder.has(fileName) else { return nil }
    let r = try folder.json(TypeRanker.self, file: fileName)
    let refit = "; refit it with `codeintel finetune type-ranker --out \(directory.path)` or remove it"
    guard r.format == formatName, r.version == formatVersion else {
      throw folder.unusable("\(fileName) is format \(r.format) v\(r.version), expected \(formatName) v\(formatVersion)")
    }
    guard r.features.count == r.weights.count else {
      throw folder.unusable("\(fileName) has \(r.features.count) features but \(r.weights.count) weights" + refit)
    }
    let known = Set(featureNames)
    if let unknown = r.features.first(where: { !known.contains($0) }) {
      throw folder.unusable("\(fileName) names an unknown feature `\(unknown)`" + refit)
    }
    guard r.bias.isFinite, r.weights.allSatisfy(\.isFinite) else {
      throw folder.unusable("\(fileName) has a weight that is not a finite number" + refit)
    }
    guard r.temperature.isFinite, r.temperature > 0 else {
      throw folder.unusable("\(fileName) has temperature \(r.temperature), not a positive number" + refit)
    }
    return r
  }

  public func write(to directory: URL) throws {
    try ModelFolder(url: directory, kind: "type head").writeJSON(self, to: Self.fileName)
  }
}
