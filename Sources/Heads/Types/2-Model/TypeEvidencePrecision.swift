import Foundation
import Model

/// Each evidence rule's measured precision on the valid splits, used as the confidence of its candidates.
///
/// The evidence rules have fixed confidences (`TypeEvidence.Confidence`: a literal 0.95, a constructor 0.9, …)
/// that say how sure the rule is in principle, not how often its type is the one a developer wrote: a variable
/// initialised with a string literal is annotated `string` far less often than 95 % of the time (a string-literal
/// union, an enum). Those fixed values made the precision curve jagged (session 6: 57 sites at exactly 0.95 were
/// right about 77 % of the time). This table holds, per site kind and rule (`TypeEvidence.Suggestion.Candidate
/// .rule`), how many valid sites the rule's candidate was given for and how many it was right at; a candidate's
/// confidence becomes the smoothed share `(right + 1) / (sites + 2)` where the rule has at least `minimumSites`
/// sites, else it keeps its fixed value. `codeintel finetune type-threshold` writes it
/// (`evidence-precision.json` in the head folder) before fitting the display bar.
public struct TypeEvidencePrecision: Codable, Sendable, Equatable {
  public static let fileName = "evidence-precision.json"
  public static let formatName = "codeintel-evidence-precision"

  public struct Count: Codable, Sendable, Equatable {
    public var sites: Int
    public var right: Int
  }

  public var format: String = formatName
  public var version: Int = 1
  /// The splits it was measured on.
  public var splits: [String]
  /// A rule with fewer sites keeps its fixed confidence.
  public var minimumSites: Int
  /// "kind rule" (`variable string-literal`, `return returns number-literal async`) → counts.
  public var rules: [String: Count]

  public init(splits: [String], minimumSites: Int, rules: [String: Count]) {
    self.splits = splits
    self.minimumSites = minimumSites
    self.rules = rules
  }

  static func key(kind: String, rule: String) -> String { "\(kind) \(rule)" }

  /// The measured confidence of a rule at a site kind (dataset spelling), or nil where it has too few sites.
  public func confidence(kind: String, rule: String) -> Double? {
    guard !rule.isEmpty, let c = rules[Self.key(kind: kind, rule: rule)], c.sites >= minimumSites else { return nil }
    return Double(c.right + 1) / Double(c.sites + 2)
  }

  /// The candidates with their rules' measured confidences (others unchanged), best first.
  public func calibrated(_ candidates: [TypeEvidence.Suggestion.Candidate], kind: String)
    -> [TypeEvidence.Suggestion.Candidate]
  {
    let out = candidates.map { c -> TypeEvidence.Suggestion.Candidate in
      guard let p = confidence(kind: kind, rule: c.rule) else { return c }
      var c = c
      c.confidence = p
      return c
    }
    return out.enumerated().sorted {
      $0.element.confidence != $1.element.confidence
        ? $0.element.confidence > $1.element.confidence : $0.offset < $1.offset
    }.map(\.element)
  }

  /// A ranked list with the evidence's confidences replaced by the measured ones, order kept: the ranking uses the
  /// rules' fixed confidences (on valid they rank better: acc@1 36.1 against 35.8 with the measured ones), the
  /// shown confidence is the measured precision. A candidate the evidence proposed (alone or `combined`) gets the
  /// highest of its rule's measured confidence and the other sources' confidences for the same type (`model`,
  /// `prior`); others are unchanged.
  public func displayed(
    _ ranked: [TypeCombination.Candidate], evidence: [TypeEvidence.Suggestion.Candidate], kind: String,
    model: [(type: String, probability: Float)], prior: [TypeNamePrior.Candidate]
  ) -> [TypeCombination.Candidate] {
    var measured: [String: Double] = [:]
    for c in evidence {
      let key = TypeAccuracy.normalize(c.type)
      if measured[key] == nil { measured[key] = confidence(kind: kind, rule: c.rule) ?? c.confidence }
    }
    guard !measured.isEmpty else { return ranked }
    var others: [String: Double] = [:]
    for m in model {
      others[TypeAccuracy.normalize(m.type)] = max(others[TypeAccuracy.normalize(m.type)] ?? 0, Double(m.probability))
    }
    for p in prior {
      others[TypeAccuracy.normalize(p.type)] = max(others[TypeAccuracy.normalize(p.type)] ?? 0, p.confidence)
    }
    return ranked.map { c in
      guard c.source == .evidence || c.source == .combined, let m = measured[TypeAccuracy.normalize(c.type)] else {
        return c
      }
      var c = c
      c.confidence = c.source == .evidence ? m : max(m, others[TypeAccuracy.normalize(c.type)] ?? 0)
      return c
    }
  }

  /// Counts each rule's first candidate at every scored site (`any` excluded) of `files`, given each file's
  /// evidence candidates per site (`TypeEvaluation.evidenceCandidates`).
  public static func measure(
    files: [TypeEvaluation.File], evidence: [[[TypeEvidence.Suggestion.Candidate]]], splits: [String],
    minimumSites: Int = 10
  ) -> TypeEvidencePrecision {
    var rules: [String: Count] = [:]
    for (file, perSite) in zip(files, evidence) {
      for (site, candidates) in zip(file.sites, perSite) where !site.any {
        guard let first = candidates.first, !first.rule.isEmpty else { continue }
        let key = Self.key(kind: site.kind, rule: first.rule)
        var c = rules[key] ?? Count(sites: 0, right: 0)
        c.sites += 1
        if TypeAccuracy.normalize(first.type) == TypeAccuracy.normalize(site.label) { c.right += 1 }
        rules[key] = c
      }
    }
    return TypeEvidencePrecision(splits: splits, minimumSites: minimumSites, rules: rules)
  }

  /// Reads `evidence-precision.json` from a head folder; nil when there is none.
  public static func load(directory: URL) throws -> TypeEvidencePrecision? {
    let folder = ModelFolder(url: directory, kind: "type head")
    guard folder.has(fileName) else { return nil }
    let t = try folder.json(TypeEvidencePrecision.self, file: fileName)
    guard t.format == formatName, t.version == 1 else {
      throw folder.unusable("\(fileName) is format \(t.format) v\(t.version), expected \(formatName) v1")
    }
    return t
  }

  public func write(to directory: URL) throws {
    try ModelFolder(url: directory, kind: "type head").writeJSON(self, to: Self.fileName)
  }
}
