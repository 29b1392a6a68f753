import CloneIndex
import CodeIntel
import Foundation

/// The learned functional-clone pair scorer (`clone-scorer.json` in the model folder): a logistic regression
/// (`hidden == 0`) or a one-hidden-layer tanh network over the standardised `PairFeatures` of a pair, trained
/// on natural clone pairs with hard negatives (`ClonePairScorerTraining`), with the decision threshold and
/// the candidate cosine floor chosen on the natural github-valid pairs.
///
///     z = (x − mean) / scale
///     logistic:  p = σ(w · z + b)
///     network:   h = tanh(W₁ z + b₁),  p = σ(w · h + b)
///
/// It is what `codeintel clones` asks about every functional candidate (`FunctionalPairGate`).
public struct ClonePairScorer: Codable, Sendable, Equatable, FunctionalPairGate {
  public static let fileName = "clone-scorer.json"
  public static let formatName = "codeintel-clone-pair-scorer"
  public static let formatVersion = 1

  public var format = formatName
  public var version = formatVersion
  /// The embedder whose cosine is the first feature (`HashedFeatureEmbedder`'s id).
  public var embedder: String
  /// The features it reads, by name (`PairFeatures.names`), in the order of `mean`, `scale` and the weights.
  /// A session-5 file lists the 12 `PairFeatures.legacyNames` and still loads.
  public var features: [String] = PairFeatures.names {
    didSet { columns = Self.columns(features) }
  }
  /// Where each of `features` sits in a `PairFeatures.compute` row (-1: unknown, refused by `problem`).
  public private(set) var columns: [Int] = Self.columns(PairFeatures.names)
  /// The encoder the encoder features were computed with (`EncoderEmbedder.modelID` of the model folder the
  /// file sits in); empty for a scorer without encoder features.
  public var encoderModel: String = ""
  /// The least encoder cosine (as written) an edge also needs, -1 for none: the encoder must agree with the
  /// scorer (a template one author reuses across tasks shares tokens but not behaviour).
  public var minEncoderCosine: Double = -1
  public var mean: [Double]
  public var scale: [Double]
  /// Hidden units (0: logistic regression on `z`).
  public var hidden: Int
  /// hidden × features, row-major; empty for logistic regression.
  public var hiddenWeights: [Double]
  public var hiddenBias: [Double]
  /// Output weights: one per feature (logistic) or per hidden unit.
  public var outputWeights: [Double]
  public var outputBias: Double
  /// Decision threshold on the probability, and the cosine floor of the candidates the index asks about.
  public var decisionThreshold: Double
  public var candidateCosine: Double
  /// Tokens left out of the rare views (`PairSide`): the most common raw and blind tokens of the training
  /// texts.
  public var commonRawTokens: [UInt32]
  public var commonBlindTokens: [UInt32]
  /// Where it came from and how it did on the data its threshold was chosen on.
  public var trainedOn: String
  public var selectedOn: String
  public var command: String
  public var notes: [String]

  public init(
    embedder: String, mean: [Double], scale: [Double], hidden: Int, hiddenWeights: [Double], hiddenBias: [Double],
    outputWeights: [Double], outputBias: Double, decisionThreshold: Double, candidateCosine: Double,
    commonRawTokens: [UInt32], commonBlindTokens: [UInt32], trainedOn: String = "", selectedOn: String = "",
    command: String = "", notes: [String] = [], features: [String] = PairFeatures.names, encoderModel: String = ""
  ) {
    self.features = features
    columns = Self.columns(features)
    self.encoderModel = encoderModel
    self.embedder = embedder
    self.mean = mean
    self.scale = scale
    self.hidden = hidden
    self.hiddenWeights = hiddenWeights
    self.hiddenBias = hiddenBias
    self.outputWeights = outputWeights
    self.outputBias = outputBias
    self.decisionThreshold = decisionThreshold
    self.candidateCosine = candidateCosine
    self.commonRawTokens = commonRawTokens
    self.commonBlindTokens = commonBlindTokens
    self.trainedOn = trainedOn
    self.selectedOn = selectedOn
    self.command = command
    self.notes = notes
    commonRaw = Set(commonRawTokens)
    commonBlind = Set(commonBlindTokens)
  }

  enum CodingKeys: String, CodingKey {
    case format, version, embedder, features, mean, scale, hidden, hiddenWeights, hiddenBias, outputWeights
    case outputBias, decisionThreshold, candidateCosine, commonRawTokens, commonBlindTokens, trainedOn
    case selectedOn, command, notes, encoderModel, minEncoderCosine
  }

  static func columns(_ names: [String]) -> [Int] { names.map { PairFeatures.names.firstIndex(of: $0) ?? -1 } }

  /// Whether it reads the encoder's cosines (then only `LearnedPairGate`, which holds the encoder, can score
  /// index units with it).
  public var needsEncoder: Bool { features.contains { $0.hasPrefix("encoder") } || minEncoderCosine > -1 }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(format, forKey: .format)
    try c.encode(version, forKey: .version)
    try c.encode(embedder, forKey: .embedder)
    try c.encode(features, forKey: .features)
    try c.encode(mean, forKey: .mean)
    try c.encode(scale, forKey: .scale)
    try c.encode(hidden, forKey: .hidden)
    try c.encode(hiddenWeights, forKey: .hiddenWeights)
    try c.encode(hiddenBias, forKey: .hiddenBias)
    try c.encode(outputWeights, forKey: .outputWeights)
    try c.encode(outputBias, forKey: .outputBias)
    try c.encode(decisionThreshold, forKey: .decisionThreshold)
    try c.encode(candidateCosine, forKey: .candidateCosine)
    try c.encode(commonRawTokens, forKey: .commonRawTokens)
    try c.encode(commonBlindTokens, forKey: .commonBlindTokens)
    try c.encode(trainedOn, forKey: .trainedOn)
    try c.encode(selectedOn, forKey: .selectedOn)
    try c.encode(command, forKey: .command)
    try c.encode(notes, forKey: .notes)
    if !encoderModel.isEmpty { try c.encode(encoderModel, forKey: .encoderModel) }
    if minEncoderCosine > -1 { try c.encode(minEncoderCosine, forKey: .minEncoderCosine) }
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    format = try c.decode(String.self, forKey: .format)
    version = try c.decode(Int.self, forKey: .version)
    embedder = try c.decode(String.self, forKey: .embedder)
    features = try c.decode([String].self, forKey: .features)
    columns = Self.columns(features)
    encoderModel = try c.decodeIfPresent(String.self, forKey: .encoderModel) ?? ""
    minEncoderCosine = try c.decodeIfPresent(Double.self, forKey: .minEncoderCosine) ?? -1
    mean = try c.decode([Double].self, forKey: .mean)
    scale = try c.decode([Double].self, forKey: .scale)
    hidden = try c.decode(Int.self, forKey: .hidden)
    hiddenWeights = try c.decode([Double].self, forKey: .hiddenWeights)
    hiddenBias = try c.decode([Double].self, forKey: .hiddenBias)
    outputWeights = try c.decode([Double].self, forKey: .outputWeights)
    outputBias = try c.decode(Double.self, forKey: .outputBias)
    decisionThreshold = try c.decode(Double.self, forKey: .decisionThreshold)
    candidateCosine = try c.decode(Double.self, forKey: .candidateCosine)
    commonRawTokens = try c.decode([UInt32].self, forKey: .commonRawTokens)
    commonBlindTokens = try c.decode([UInt32].self, forKey: .commonBlindTokens)
    trainedOn = try c.decodeIfPresent(String.self, forKey: .trainedOn) ?? ""
    selectedOn = try c.decodeIfPresent(String.self, forKey: .selectedOn) ?? ""
    command = try c.decodeIfPresent(String.self, forKey: .command) ?? ""
    notes = try c.decodeIfPresent([String].self, forKey: .notes) ?? []
    commonRaw = Set(commonRawTokens)
    commonBlind = Set(commonBlindTokens)
  }

  // MARK: - FunctionalPairGate

  public let commonRaw: Set<UInt32>
  public let commonBlind: Set<UInt32>
  public var embedderID: String { embedder }
  public var candidateThreshold: Float { Float(candidateCosine) }
  public var threshold: Double { decisionThreshold }

  public func probability(_ a: PairSide, _ b: PairSide) -> Double { probability(PairFeatures.compute(a, b)) }

  /// The encoder agrees: its cosine (as written) reaches `minEncoderCosine`.
  public func agrees(_ a: PairSide, _ b: PairSide) -> Bool {
    minEncoderCosine <= -1 || PairFeatures.cosine(a.encoder, b.encoder) >= minEncoderCosine
  }

  /// The bare scorer has no encoder: one that reads encoder features is used through `LearnedPairGate`.
  public var usesEncoder: Bool { needsEncoder }
  public func encode(_ units: [UnitText]) throws -> [(asWritten: [Float], blind: [Float])] {
    guard !needsEncoder else {
      throw CodeIntelError("this clone pair scorer reads encoder features; load it with its model (LearnedPairGate)")
    }
    return units.map { _ in ([], []) }
  }

  // MARK: - Scoring

  /// The logit of one full feature row (`PairFeatures.compute`, order `PairFeatures.names`); the scorer reads
  /// its own `features` from it.
  public func logit(_ row: [Double]) -> Double {
    let d = columns.count
    var z = [Double](repeating: 0, count: d)
    for i in 0..<d { z[i] = (row[columns[i]] - mean[i]) / scale[i] }
    if hidden == 0 { return zip(outputWeights, z).reduce(outputBias) { $0 + $1.0 * $1.1 } }
    var out = outputBias
    for h in 0..<hidden {
      var s = hiddenBias[h]
      for i in 0..<d { s += hiddenWeights[h * d + i] * z[i] }
      out += outputWeights[h] * tanh(s)
    }
    return out
  }

  public func probability(_ x: [Double]) -> Double { 1 / (1 + exp(-logit(x))) }

  // MARK: - The file

  /// Whether the stored numbers fit together; a sentence naming what is wrong otherwise.
  func problem() -> String? {
    let d = features.count
    if format != Self.formatName { return "its format is '\(format)', not \(Self.formatName)" }
    if version != Self.formatVersion {
      return "it is version \(version); this codeintel reads version \(Self.formatVersion)"
    }
    let unknown = features.filter { !PairFeatures.names.contains($0) }
    if !unknown.isEmpty || d == 0 || Set(features).count != d {
      return "its features (\(features.joined(separator: ", "))) are not a list of distinct ones this codeintel"
        + " computes (\(PairFeatures.names.joined(separator: ", ")))"
    }
    if mean.count != d || scale.count != d { return "mean and scale need \(d) values each" }
    if scale.contains(where: { !($0 > 0) || !$0.isFinite }) { return "every scale must be a positive number" }
    if hidden < 0 || hidden > 256 { return "hidden must be in 0...256" }
    if hidden == 0 && (outputWeights.count != d || !hiddenWeights.isEmpty || !hiddenBias.isEmpty) {
      return "a logistic scorer needs \(d) output weights and no hidden weights"
    }
    if hidden > 0 && (hiddenWeights.count != hidden * d || hiddenBias.count != hidden || outputWeights.count != hidden)
    {
      return "a network with \(hidden) hidden units needs \(hidden * d) hidden weights, \(hidden) hidden biases and"
        + " \(hidden) output weights"
    }
    let numbers = mean + scale + hiddenWeights + hiddenBias + outputWeights + [outputBias, candidateCosine]
    if numbers.contains(where: { !$0.isFinite }) { return "it holds a number that is not finite" }
    if !(0...1).contains(decisionThreshold) { return "decisionThreshold must be in 0...1" }
    if !(-1...1).contains(candidateCosine) { return "candidateCosine must be in -1...1" }
    if !(-1...1).contains(minEncoderCosine) { return "minEncoderCosine must be in -1...1" }
    return nil
  }

  /// Reads `clone-scorer.json` from a model folder: nil when there is none; a file that does not decode or
  /// whose numbers do not fit together is refused with a sentence.
  public static func load(directory: URL) throws -> ClonePairScorer? {
    let url = directory.appendingPathComponent(fileName)
    guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
    let hint = "re-create it with codeintel finetune clones"
    let scorer: ClonePairScorer
    do {
      scorer = try JSONDecoder().decode(ClonePairScorer.self, from: data)
    } catch {
      throw CodeIntelError("\(url.path): not a clone pair scorer (\(Self.describe(error))); \(hint)")
    }
    if let problem = scorer.problem() { throw CodeIntelError("\(url.path): \(problem); \(hint)") }
    return scorer
  }

  public func save(directory: URL) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    try e.encode(self).write(to: directory.appendingPathComponent(Self.fileName))
  }

  static func describe(_ error: Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, _): return "no '\(key.stringValue)'"
    case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
      return "'\(c.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type"
    case DecodingError.dataCorrupted: return "not JSON"
    default: return "\(error)"
    }
  }
}
