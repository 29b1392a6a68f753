import CloneIndex
import Foundation
import Syntax

/// Functional clones from the command line's clone index, `<root>/.codeintel/index.sqlite` (built by
/// `codeintel index` / `codeintel clones`): the queried function is embedded the way the index
/// embedded its functions, and the nearest vectors of the index are its clones, with their cosine
/// similarity. Exact and renamed clones among the files the server sees come from the wrapped
/// `local` lookup (a `CanonicalCloneFinder`), which also receives every `update`.
///
/// The snapshot is read once, when the server starts; `codeintel index` refreshes it on disk and
/// `codeintel.reindex` reloads it.
public final class IndexedCloneLookup: CloneLookup, @unchecked Sendable {
  public let root: String
  /// The lookup for exact and renamed clones that this one wraps.
  public let local: any CloneLookup
  private let units: [StoredUnit]
  private let index: FlatVectorIndex
  private let embedder: HashedFeatureEmbedder

  /// Opens the index of the workspace at `root`, or returns nil (with the reason in `notice`) when
  /// there is none or it was built by an embedder this server cannot reproduce.
  public init?(root: String, local: any CloneLookup, notice: (String) -> Void) {
    let trimmed = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    let path = RepositoryIndexer.indexPath(for: trimmed)
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    let snapshot: IndexSnapshot
    do {
      snapshot = try IndexStore(path: path, notice: notice).snapshot()
    } catch {
      notice("cannot read \(path): \(error); using the server's own clone search only")
      return nil
    }
    let embedder = HashedFeatureEmbedder(dimension: max(snapshot.dimension, 1))
    guard snapshot.dimension > 0, !snapshot.units.isEmpty, snapshot.modelID == embedder.modelID else {
      notice(
        "\(path) holds \(snapshot.units.count) functions embedded by `\(snapshot.modelID)`, which this server "
          + "cannot reproduce; using its own clone search only")
      return nil
    }
    self.root = trimmed
    self.local = local
    self.units = snapshot.units
    self.index = FlatVectorIndex(vectors: snapshot.vectors, dimension: snapshot.dimension)
    self.embedder = embedder
    notice("using \(path): \(snapshot.units.count) functions in \(snapshot.fileCount) files")
  }

  // MARK: - CloneLookup

  public func update(uri: String, tree: Tree) { local.update(uri: uri, tree: tree) }
  public func update(uri: String, tree: Tree, cancellation: CancellationToken) throws {
    try local.update(uri: uri, tree: tree, cancellation: cancellation)
  }

  public func remove(uri: String) { local.remove(uri: uri) }

  public var indexedFunctionCount: Int { local.indexedFunctionCount + units.count }

  /// How many neighbours of the index are looked at per query.
  public var neighbours = 10

  public func clones(of unit: FunctionUnit, uri: String, tree: Tree, cancellation: CancellationToken) throws
    -> [CloneMatch]
  {
    var out = try local.clones(of: unit, uri: uri, tree: tree, cancellation: cancellation)
    try cancellation.check()
    let vector = embedder.vector(for: UnitTokens(unit: unit, in: tree))
    guard vector.count == index.dimension, vector.contains(where: { $0 != 0 }) else { return out }
    let ownPath = LanguageServer.path(fromURI: uri).map { relative($0) }
    for hit in index.search(vector, queryCount: 1, k: neighbours + 1).first ?? [] {
      let u = units[hit.id]
      // The function itself (the index may hold an older version of this file).
      if u.path == ownPath && u.startLine <= unit.endLine && unit.startLine <= u.endLine { continue }
      let otherURI = LanguageServer.uri(fromPath: root + "/" + u.path)
      let range = LSPRange(
        start: Position(line: u.startLine - 1, character: 0), end: Position(line: u.endLine - 1, character: 0))
      if out.contains(where: { $0.uri == otherURI && $0.range.start.line == range.start.line }) { continue }
      out.append(CloneMatch(uri: otherURI, range: range, name: u.name, similarity: Double(hit.score)))
    }
    return out.sorted { $0.similarity > $1.similarity }
  }

  private func relative(_ path: String) -> String {
    path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
  }
}
