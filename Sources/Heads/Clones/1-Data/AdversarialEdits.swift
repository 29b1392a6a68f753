import Augment
import Syntax

/// ContraCode's adversarial clone protocol (Jain et al. 2020, §5): one side of every pair is rewritten
/// by k random semantics-preserving transforms, N times; a positive pair scores the *minimum* similarity
/// over the N tries and a negative pair the *maximum*, so a scorer only keeps its ranking if no rewrite
/// of a clone pushes it below a rewrite of a non-clone.
///
/// A try is one chain of edits: each edit is a transform drawn uniformly from the pretraining family
/// (`AugmentConfig.semanticsPreserving`: everything but line subsampling) and applied by the `Augment`
/// pipeline, which refuses an output with a new parse error. A draw that is refused or changes nothing
/// is redrawn (up to `maxDrawsPerEdit` times), so an edit counts only when the text changed. The
/// k-edit variant of a try is the chain's text after its first k edits, so the k = 1, 2, 4, 8, 16
/// variants of one try are prefixes of one chain (as in a random walk away from the original).
public struct AdversarialEdits: Sendable {
  /// The numbers of edits reported, ascending (e.g. 1, 2, 4, 8, 16).
  public let edits: [Int]
  /// Tries per pair (N).
  public let tries: Int
  public let seed: UInt64
  /// Draws allowed per edit before the chain stops growing (a text no transform changes any more).
  public var maxDrawsPerEdit = 6

  public init(edits: [Int], tries: Int, seed: UInt64) {
    precondition(tries >= 1 && edits.allSatisfy { $0 >= 1 }, "at least one try and one edit")
    self.edits = Array(Set(edits)).sorted()
    self.tries = tries
    self.seed = seed
  }

  /// The transform family edits are drawn from.
  public static let family: [any Transform] = AugmentConfig.semanticsPreserving.steps.map(\.transform)

  /// The per-thread state a chain needs: one single-transform pipeline per family member.
  public final class Workspace {
    let augmenters: [Augmenter]
    public init() {
      augmenters = AdversarialEdits.family.map {
        Augmenter(config: AugmentConfig(steps: [AugmentConfig.Step($0, probability: 1)]))
      }
    }
  }

  /// One chain's snapshots: `texts[i]` after `edits[i]` accepted edits (or fewer, `applied[i]`, when the
  /// chain ran dry).
  public struct Chain: Sendable, Equatable {
    public var texts: [String]
    public var applied: [Int]
  }

  /// The `tries` chains for `text`. Deterministic in (`seed`, the text): a text gets the same variants
  /// wherever it appears.
  public func chains(of text: String, language: Language, workspace: Workspace) -> [Chain] {
    var master = SeededRandom(seed: seed ^ Self.fnv1a(text) &* 0x9E37_79B9_7F4A_7C15)
    let longest = edits.last ?? 0
    var out: [Chain] = []
    for _ in 0..<tries {
      var rng = master.split()
      var current = text
      var done = 0
      var chain = Chain(texts: [], applied: [])
      var next = 0
      for _ in 0..<longest {
        var accepted = false
        for _ in 0..<maxDrawsPerEdit {
          let pick = Int(rng.next() % UInt64(workspace.augmenters.count))
          var local = rng.split()
          let v = workspace.augmenters[pick].variant(of: current, language: language, rng: &local)
          if !v.applied.isEmpty, v.text != current {
            current = v.text
            done += 1
            accepted = true
            break
          }
        }
        // Ran dry: this try keeps the text it has for every remaining k.
        if !accepted { break }
        while next < edits.count && edits[next] <= done {
          chain.texts.append(current)
          chain.applied.append(done)
          next += 1
        }
      }
      while chain.texts.count < edits.count {
        chain.texts.append(current)
        chain.applied.append(done)
      }
      out.append(chain)
    }
    return out
  }

  /// A positive pair's adversarial score is its lowest over the tries, a negative's its highest.
  public static func adversarialScore(_ tries: some Collection<Double>, positive: Bool) -> Double {
    (positive ? tries.min() : tries.max()) ?? .nan
  }

  static func fnv1a(_ text: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in text.utf8 {
      h ^= UInt64(b)
      h = h &* 0x100_0000_01b3
    }
    return h
  }
}
