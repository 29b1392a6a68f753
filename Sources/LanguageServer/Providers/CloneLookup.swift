import Syntax

/// A function elsewhere in the workspace that does the same thing as the one asked about.
public struct CloneMatch: Sendable, Hashable, Codable {
  public var uri: String
  /// The other function's range.
  public var range: LSPRange
  public var name: String?
  /// In [0, 1]; 1 for a clone that differs only in names; the scorer's probability for `.scorer`, the
  /// hashed-feature cosine for `.cosine`.
  public var similarity: Double
  /// What decided the match.
  public var basis: Basis

  /// What decided a match, and so which bar the server applies to it.
  public enum Basis: String, Sendable, Hashable, Codable {
    /// The same function after renaming identifiers (`CanonicalCloneFinder`); shown as is.
    case renamed
    /// The learned pair scorer at its calibrated threshold, as `codeintel clones` decides a functional pair;
    /// shown as is.
    case scorer
    /// Hashed-feature cosine, the fallback without a scorer: shown at or above `diagnostics.minSimilarity`.
    case cosine
  }

  public init(uri: String, range: LSPRange, name: String?, similarity: Double, basis: Basis = .renamed) {
    self.uri = uri
    self.range = range
    self.name = name
    self.similarity = similarity
    self.basis = basis
  }

  /// How the editor words its strength: "similarity 1.00", "scorer 0.97".
  public var strength: String {
    (basis == .scorer ? "scorer " : "similarity ") + format(similarity)
  }

  /// Whether the server shows it under `minSimilarity` (which bars only the cosine fallback).
  public func shown(minSimilarity: Double) -> Bool { basis != .cosine || similarity >= minSimilarity }
}

/// Finds the functions of the workspace that are clones of a given one. The server feeds it every
/// file (from the background indexing and from open documents); `CanonicalCloneFinder` ships now,
/// and the embedding-based clone index plugs in here later. Must be safe to call from any thread.
public protocol CloneLookup: AnyObject, Sendable {
  /// Indexes (or re-indexes) the functions of one file.
  func update(uri: String, tree: Tree)
  /// The same, stopping (and leaving the file as it was) when `cancellation` fires: a huge file takes long.
  func update(uri: String, tree: Tree, cancellation: CancellationToken) throws
  /// Forgets one file.
  func remove(uri: String)
  /// Clones of `unit` (a function of `tree`, the file at `uri`) in the other indexed functions,
  /// best first.
  func clones(of unit: FunctionUnit, uri: String, tree: Tree, cancellation: CancellationToken) throws -> [CloneMatch]
  /// Number of functions indexed.
  var indexedFunctionCount: Int { get }
}

extension CloneLookup {
  public func update(uri: String, tree: Tree, cancellation: CancellationToken) throws {
    try cancellation.check()
    update(uri: uri, tree: tree)
  }
}
