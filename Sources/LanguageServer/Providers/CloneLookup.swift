import Syntax

/// A function elsewhere in the workspace that does the same thing as the one asked about.
public struct CloneMatch: Sendable, Hashable, Codable {
  public var uri: String
  /// The other function's range.
  public var range: LSPRange
  public var name: String?
  /// In [0, 1]; 1 for a clone that differs only in names.
  public var similarity: Double

  public init(uri: String, range: LSPRange, name: String?, similarity: Double) {
    self.uri = uri
    self.range = range
    self.name = name
    self.similarity = similarity
  }
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
