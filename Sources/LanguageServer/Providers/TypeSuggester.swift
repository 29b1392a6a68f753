import Foundation
import CodeIntel
import Heads
import Syntax

/// Proposes types for the unannotated bindings, parameters and returns of a file: the deterministic
/// `EvidenceTypeSuggester`, or `ModelTypeSuggester` when a type head is installed.
public protocol TypeSuggester: Sendable {
  /// Suggestions for the file, each with candidates best first. With `bytes`, it may look only at
  /// the bindings and functions that overlap that range (it must include every suggestion whose
  /// anchor or name lies in it). Long work polls `cancellation`.
  func suggestTypes(in tree: Tree, bytes: ClosedRange<Int>?, cancellation: CancellationToken) throws
    -> [TypeEvidence.Suggestion]
  /// The same, with the document's `TypeHeadCache`, which a suggester with a type head uses so that an edit
  /// re-computes only what it changed; the result must be the same as without it.
  func suggestTypes(in tree: Tree, bytes: ClosedRange<Int>?, cache: TypeHeadCache, cancellation: CancellationToken)
    throws -> [TypeEvidence.Suggestion]
  /// The same for the document saved at `path` (nil: unsaved or not a file): a suggester that reads the project's own
  /// annotations (`ModelTypeSuggester`) reads them from the files around it.
  func suggestTypes(
    in tree: Tree, bytes: ClosedRange<Int>?, cache: TypeHeadCache, path: String?, cancellation: CancellationToken
  ) throws -> [TypeEvidence.Suggestion]
  /// The document at `path` was saved with this tree: a suggester holding its project's annotations re-reads its own.
  func saved(path: String, tree: Tree)
  /// The display threshold calibrated for this suggester (nil: none; the server's default applies).
  var displayThreshold: Double? { get }
}

extension TypeSuggester {
  public func suggestTypes(in tree: Tree, bytes: ClosedRange<Int>?, cache: TypeHeadCache, cancellation: CancellationToken)
    throws -> [TypeEvidence.Suggestion]
  {
    try suggestTypes(in: tree, bytes: bytes, cancellation: cancellation)
  }
  public func suggestTypes(
    in tree: Tree, bytes: ClosedRange<Int>?, cache: TypeHeadCache, path: String?, cancellation: CancellationToken
  ) throws -> [TypeEvidence.Suggestion] {
    try suggestTypes(in: tree, bytes: bytes, cache: cache, cancellation: cancellation)
  }
  public func saved(path: String, tree: Tree) {}
  public var displayThreshold: Double? { nil }
}

extension Array where Element == TypeEvidence.Suggestion {
  /// The suggestions whose anchor or name lies in `bytes` (all of them for nil).
  func overlapping(_ bytes: ClosedRange<Int>?) -> [TypeEvidence.Suggestion] {
    guard let bytes else { return self }
    return filter { TypeSuggestions.touches(bytes, anchor: $0.anchor, nameRange: $0.nameRange) }
  }
}

/// Types read off literals, constructors, defaults and returns (`TypeEvidence`): no model needed.
public struct EvidenceTypeSuggester: TypeSuggester {
  public init() {}

  public func suggestTypes(in tree: Tree, bytes: ClosedRange<Int>?, cancellation: CancellationToken) throws
    -> [TypeEvidence.Suggestion]
  {
    try cancellation.check()
    return TypeHoles.evidence(in: tree, bytes: bytes)
  }
}

/// The type head and its name prior combined with the evidence (`TypeSuggestions.suggestions(in:tsx:model:)`:
/// the head folder's learned `TypeRanker`, else `TypeCombination.combine`) for TypeScript;
/// evidence alone for JavaScript. With a byte range the head scores only the sites in it (each in its own
/// window of the file), so a hover or a viewport of inlay hints costs a few windows, not the whole file.
///
/// With a document's path, the annotations of its project's files (`TypeProjectAnnotations`: the folder of the
/// nearest tsconfig.json above it; the document's own, as its buffer holds them, as the rule's `own` says) join a site's candidates
/// at their share, as in `suggest-types`. A project
/// is read once, at the first request of one of its files (`ProjectTables`), and a saved file's own annotations are
/// read again at `didSave`.
public struct ModelTypeSuggester: TypeSuggester {
  public let model: TypeHeadModel
  /// The projects read so far; nil: the project's annotations are not used.
  public let projects: ProjectTables?

  public init(model: TypeHeadModel, projects: Bool = true) {
    self.model = model
    self.projects = projects ? ProjectTables() : nil
  }

  /// The project tables of one server: one per project root, read at first use, guarded by a lock.
  public final class ProjectTables: @unchecked Sendable {
    private let lock = NSLock()
    private var tables: [String: TypeProjectAnnotations] = [:]
    /// Where each file asked about belongs (its project root).
    private var roots: [String: String] = [:]

    public init() {}

    /// The table of the project `path` belongs to, read now if it was not.
    public func table(for path: String) -> TypeProjectAnnotations {
      let root = root(of: path)
      return cached(root, in: \.tables) {
        let read = TypeProjectAnnotations.read(root: root)
        Log.info("read the type annotations of \(read.fileCount) files of the project \(root)")
        return read
      }
    }

    /// Replaces a saved file's annotations in its project's table, when that project was read.
    public func saved(path: String, tree: Tree) {
      let root = root(of: path)
      lock.lock()
      defer { lock.unlock() }
      guard tables[root] != nil else { return }
      tables[root]?.add(file: URL(fileURLWithPath: path).standardizedFileURL.path, tree: tree)
    }

    private func root(of path: String) -> String {
      cached(path, in: \.roots) { TypeProjectAnnotations.projectRoot(of: path) }
    }

    /// `key`'s value in one of the maps, computed outside the lock when missing (the first one stored wins).
    private func cached<Value>(
      _ key: String, in map: ReferenceWritableKeyPath<ProjectTables, [String: Value]>, compute: () -> Value
    ) -> Value {
      lock.lock()
      if let v = self[keyPath: map][key] {
        lock.unlock()
        return v
      }
      lock.unlock()
      let v = compute()
      lock.lock()
      defer { lock.unlock() }
      if let stored = self[keyPath: map][key] { return stored }
      self[keyPath: map][key] = v
      return v
    }
  }

  /// The head folder's calibrated threshold (`type-calibration.json`), if it has one.
  public var displayThreshold: Double? { model.calibration?.threshold }

  public func suggestTypes(in tree: Tree, bytes: ClosedRange<Int>?, cancellation: CancellationToken) throws
    -> [TypeEvidence.Suggestion]
  {
    try suggest(in: tree, bytes: bytes, cache: nil, cancellation: cancellation)
  }

  public func suggestTypes(in tree: Tree, bytes: ClosedRange<Int>?, cache: TypeHeadCache, cancellation: CancellationToken)
    throws -> [TypeEvidence.Suggestion]
  {
    try suggest(in: tree, bytes: bytes, cache: cache, cancellation: cancellation)
  }

  public func suggestTypes(
    in tree: Tree, bytes: ClosedRange<Int>?, cache: TypeHeadCache, path: String?, cancellation: CancellationToken
  ) throws -> [TypeEvidence.Suggestion] {
    try suggest(in: tree, bytes: bytes, cache: cache, path: path, cancellation: cancellation)
  }

  public func saved(path: String, tree: Tree) { projects?.saved(path: path, tree: tree) }

  private func suggest(
    in tree: Tree, bytes: ClosedRange<Int>?, cache: TypeHeadCache?, path: String? = nil,
    cancellation: CancellationToken
  ) throws -> [TypeEvidence.Suggestion] {
    try cancellation.check()
    guard tree.language.isTypeScript else { return TypeHoles.evidence(in: tree, bytes: bytes) }
    let standardized = path.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
    let project = standardized.flatMap { p in projects?.table(for: p) }
    try cancellation.check()
    return TypeSuggestions.suggestions(
      in: tree, tsx: tree.language == .tsx, model: model, bytes: bytes, cache: cache, project: project,
      path: standardized
    ).overlapping(bytes)
  }
}
