import CloneIndex
import CodeIntel
import Foundation
import Model
import Syntax
import Tensor

/// The pretrained encoder's two views of a function that the pair scorer reads: the function as written and
/// its identifier-blind rendering (`IdentifierBlind`: locals renamed `v0`, `v1`, … in order of first use).
public enum EncoderViews {
  /// Unit vectors of every text as written and identifier-blind (`threads` workers for both steps).
  public static func embed(_ model: PretrainedModel, texts: [String], languages: [Language], threads: Int) throws
    -> [(asWritten: [Float], blind: [Float])]
  {
    guard !texts.isEmpty else { return [] }
    let blind = ParsedTexts.identifierBlind(texts, languages, threads: threads)
    guard case .embedding(let embed, let d) = CloneScorer.encoder(model, name: "").method else { return [] }
    let flat = try embed(texts + blind, languages + languages, threads)
    let n = texts.count
    return (0..<n).map { i in
      (Array(flat[(i * d)..<((i + 1) * d)]), Array(flat[((n + i) * d)..<((n + i + 1) * d)]))
    }
  }
}

/// The learned pair scorer as `codeintel clones` uses it: the scorer file and, when it reads encoder features,
/// the model of the folder it sits in (whose encoder it was trained with; another encoder is refused).
public struct LearnedPairGate: FunctionalPairGate {
  /// The scorer (its threshold and encoder floor may be changed for a sweep; the features may not).
  public var scorer: ClonePairScorer
  public let model: PretrainedModel?
  public var threads: Int
  /// Encoder views already computed, by language and text; shared by copies of the gate (one run of many
  /// settings embeds each unit once).
  public let cache = EncoderViewCache()

  /// `model` is required when `scorer.needsEncoder`, and must be the encoder the scorer names.
  public init(scorer: ClonePairScorer, model: PretrainedModel?, threads: Int = 2) throws {
    if scorer.needsEncoder {
      guard let model else {
        throw CodeIntelError("the clone pair scorer reads encoder features but no model was given to compute them")
      }
      let id = EncoderEmbedder(model: model).modelID
      guard scorer.encoderModel.isEmpty || scorer.encoderModel == id else {
        throw CodeIntelError(
          "\(model.directory.path)/\(ClonePairScorer.fileName): trained with encoder \(scorer.encoderModel), but the"
            + " folder's model is \(id); re-create it with codeintel finetune clones")
      }
    }
    self.scorer = scorer
    self.model = scorer.needsEncoder ? model : nil
    self.threads = threads
  }

  public var embedderID: String { scorer.embedder }
  public var candidateThreshold: Float { scorer.candidateThreshold }
  public var threshold: Double { scorer.threshold }
  public var commonRaw: Set<UInt32> { scorer.commonRaw }
  public var commonBlind: Set<UInt32> { scorer.commonBlind }
  public func probability(_ a: PairSide, _ b: PairSide) -> Double { scorer.probability(a, b) }
  public var usesEncoder: Bool { scorer.needsEncoder }
  public var encoderID: String { model.map { EncoderEmbedder(model: $0).modelID } ?? "" }
  public func agrees(_ a: PairSide, _ b: PairSide) -> Bool { scorer.agrees(a, b) }

  public func encode(_ units: [UnitText]) throws -> [(asWritten: [Float], blind: [Float])] {
    guard let model else { return units.map { _ in ([], []) } }
    let keys = units.map { $0.language.rawValue + "\u{0}" + $0.text }
    let known = cache.lookup(keys)
    let missing = units.indices.filter { known[$0] == nil }
    var out = known
    if !missing.isEmpty {
      let fresh = try EncoderViews.embed(
        model, texts: missing.map { units[$0].text }, languages: missing.map { units[$0].language }, threads: threads)
      cache.store(missing.map { keys[$0] }, fresh)
      for (k, i) in missing.enumerated() { out[i] = fresh[k] }
    }
    return out.map { $0 ?? ([], []) }
  }

  /// The gate `codeintel clones` uses by default: `clone-scorer.json` in the first model folder of
  /// `ModelFolder.searchPaths` that has one (with `$CODEINTEL_MODEL` set, only there), with that folder's
  /// model when the scorer reads encoder features; nil when no folder has a scorer. A broken file is refused
  /// with a sentence, never silently skipped.
  public static func locateDefault(threads: Int = 2) throws -> LearnedPairGate? {
    for dir in ModelFolder.searchPaths(subfolder: nil) {
      if let gate = try load(directory: dir, threads: threads) { return gate }
    }
    return nil
  }

  /// The gate of one model folder: its `clone-scorer.json`, with the folder's model when the scorer reads
  /// encoder features; nil when the folder has no scorer.
  public static func load(directory dir: String, threads: Int = 2) throws -> LearnedPairGate? {
    guard let s = try ClonePairScorer.load(directory: URL(fileURLWithPath: dir)) else { return nil }
    return try LearnedPairGate(
      scorer: s, model: s.needsEncoder ? try PretrainedModel.load(directory: dir) : nil, threads: threads)
  }
}

/// Encoder views by key, safe to share between threads.
public final class EncoderViewCache: @unchecked Sendable {
  private var views: [String: (asWritten: [Float], blind: [Float])] = [:]
  private let lock = NSLock()

  public init() {}

  func lookup(_ keys: [String]) -> [(asWritten: [Float], blind: [Float])?] {
    lock.lock()
    defer { lock.unlock() }
    return keys.map { views[$0] }
  }

  func store(_ keys: [String], _ values: [(asWritten: [Float], blind: [Float])]) {
    lock.lock()
    defer { lock.unlock() }
    for (k, v) in zip(keys, values) { views[k] = v }
  }
}
