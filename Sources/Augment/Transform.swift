@_exported import Randomness
import Syntax

/// What a transform sees: one parsed program (a whole file, or a function unit wrapped so that it
/// parses on its own) and its language.
public struct TransformInput {
  public let tree: Tree
  public var language: Language { tree.language }
  public var bytes: [UInt8] { tree.bytes }
  /// The bytes a transform may edit. The whole text for a file; for a function unit wrapped in a
  /// context that parses (`(…);`, `(class {…});`), the unit's own bytes, so the wrapper survives.
  public let focus: Range<Int>
  let scopeCache: ScopeCache

  public init(tree: Tree, focus: Range<Int>? = nil) {
    self.init(tree: tree, focus: focus, scopeCache: ScopeCache(tree: tree))
  }

  init(tree: Tree, focus: Range<Int>?, scopeCache: ScopeCache) {
    self.tree = tree
    self.focus = focus ?? 0..<tree.bytes.count
    self.scopeCache = scopeCache
  }

  /// The scope analysis of `tree`, computed on first use and shared by every transform that sees the same
  /// tree (in a pipeline: the transforms after one that changed nothing, and the draws of one function).
  public var scopes: ScopeAnalysis { scopeCache.analysis }
}

/// A tree's scope analysis, computed at most once. `ScopeAnalysis` depends only on the tree.
final class ScopeCache {
  let tree: Tree
  private var computed: ScopeAnalysis?

  init(tree: Tree) { self.tree = tree }

  var analysis: ScopeAnalysis {
    if let computed { return computed }
    let a = ScopeAnalysis(tree: tree)
    computed = a
    return a
  }
}

/// A source-to-source transformation of JavaScript/TypeScript, expressed as byte-range edits against
/// the input text (applied in one pass by `[ByteEdit].apply(to:)`).
///
/// Every transform but line subsampling preserves behaviour: the program prints the same transcript
/// under node before and after. Each conforming type says in its doc comment why.
public protocol Transform: Sendable {
  /// Short stable name used on the command line and in logs, e.g. `rename`, `fold`.
  var name: String { get }
  /// False only for transforms that deliberately change behaviour (line subsampling).
  var preservesSemantics: Bool { get }
  /// The edits to make, or an empty array when the transform has nothing to do on this input.
  /// All randomness comes from `rng`.
  func edits(for input: TransformInput, rng: inout SeededRandom) throws -> [ByteEdit]
}

extension Transform {
  public var preservesSemantics: Bool { true }
}

/// The seeded generator every transform draws from (one SplitMix64 shared by all modules).
public typealias SeededRandom = SplitMix64
