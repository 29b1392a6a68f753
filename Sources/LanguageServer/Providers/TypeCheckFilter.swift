import CodeIntel
import Foundation
import Heads

/// The TypeScript compiler between the type suggester and the editor: one `TypeChecker` (one node process) for
/// the server's workspace, started at the first check, and each document's verdicts kept across edits for as
/// long as what they depend on is unchanged (`TypeCheckScopes`: a verdict is keyed by the texts of the parts of
/// the file its annotation can reach, the file's environment, the site's place there and the candidates checked;
/// docs/LSP.md, "Verdicts across edits"). A suggestion whose candidates all add a compiler diagnostic is not
/// shown; one whose best fails shows the next candidate that passes (`TypeChecker.check`, each suggestion alone:
/// the user accepts hints one by one); one the compiler cannot judge (`TypeChecker.probeType` passes there too:
/// the value is `any`) is not shown either. Only the suggestions asked for without a verdict are checked, so a
/// request for the visible lines checks those lines' hints. Without node or the typescript module, or once the
/// checker has died, suggestions pass unchecked and `warn` hears why once.
public final class TypeCheckFilter: @unchecked Sendable {
  private let lock = NSLock()
  private let start: @Sendable () throws -> TypeChecker
  private var checker: TypeChecker?
  private var unavailable: String?
  private var warned = false
  /// What a check said about one suggestion: the candidate type shown (and whether it is written `name!: T`), or
  /// nothing (dropped or unverifiable).
  enum Verdict: Equatable {
    case kept(String, definite: Bool)
    case dropped
  }
  /// Per path: the verdicts by key. Keys of other environments stay (until the bound), so that undoing a change of
  /// the environment, or fixing a syntax error (whose text is its own environment), finds the earlier verdicts.
  private var verdicts: [String: [TypeCheckScopes.Key: Verdict]] = [:]
  /// More verdicts than this for one file: forget them all before adding (edits leave old keys behind).
  static let maxVerdictsPerFile = 20_000
  /// The anchors of the suggestions the last `filter` call sent to the compiler, in order (for tests).
  public private(set) var lastChecked: [Int] = []
  /// How many compiler runs all checks took (for tests and the debug log).
  public var compilerRuns: Int {
    lock.lock()
    defer { lock.unlock() }
    return checker?.checksRun ?? 0
  }

  public init(start: @escaping @Sendable () throws -> TypeChecker = { try TypeChecker() }) {
    self.start = start
  }

  /// Forgets the verdicts of the file at `path` (nil: the unsaved document's stand-in path): `didClose`.
  public func forget(path: String?) {
    let file = path ?? Self.unsavedPath
    lock.lock()
    defer { lock.unlock() }
    verdicts[file] = nil
  }

  /// How many files have verdicts remembered.
  public var rememberedFiles: Int {
    lock.lock()
    defer { lock.unlock() }
    return verdicts.count
  }

  static let unsavedPath = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-unsaved.ts").path

  /// The suggestions that pass the compiler, each with the candidate that passed. `path` nil (an unsaved
  /// document) checks it as a file in the temporary folder. `scopes` must be of `bytes` (the same version).
  public func filter(
    _ suggestions: [TypeEvidence.Suggestion], path: String?, bytes: [UInt8], scopes: TypeCheckScopes,
    minConfidence: Double, cancellation: CancellationToken, warn: (String) -> Void
  ) throws -> [TypeEvidence.Suggestion] {
    lock.lock()
    defer { lock.unlock() }
    if checker == nil && unavailable == nil {
      do {
        checker = try start()
      } catch {
        unavailable = "\(error)"
      }
    }
    guard let checker else {
      if !warned, let unavailable {
        warned = true
        warn(unavailable)
      }
      return suggestions
    }
    let file = path ?? Self.unsavedPath
    if (verdicts[file]?.count ?? 0) > Self.maxVerdictsPerFile { verdicts[file] = [:] }
    let shown = suggestions.filter { $0.best.confidence >= minConfidence }
    let keys = shown.map { s in
      scopes.key(for: s, types: s.candidates.filter { $0.confidence >= minConfidence }.map(\.type))
    }
    let unchecked = shown.indices.filter { verdicts[file]?[keys[$0]] == nil }
    lastChecked = unchecked.map { shown[$0].anchor }
    if !unchecked.isEmpty {
      let outcome: TypeChecker.Outcome
      do {
        let (runs, start) = (checker.checksRun, DispatchTime.now().uptimeNanoseconds)
        outcome = try checker.check(
          unchecked.map { shown[$0] }, path: file, bytes: bytes, minConfidence: minConfidence, probe: true,
          scopes: scopes, shouldStop: { cancellation.isCancelled })
        Log.debug(
          "type check of \(unchecked.count) of \(shown.count) suggestions: \(outcome.kept.count) kept, "
            + "\(checker.checksRun - runs) compiler runs, \((DispatchTime.now().uptimeNanoseconds - start) / 1_000_000) ms"
        )
      } catch is CancellationError {
        throw ResponseError.cancelled
      } catch {
        // The node process died or answered nonsense: go on unchecked rather than fail every request.
        self.checker = nil
        unavailable = "the type checker stopped: \(error)"
        warned = true
        warn(unavailable ?? "")
        return suggestions
      }
      var kept: [String: Verdict] = [:]
      for s in outcome.kept { kept["\(s.anchor):\(s.kind.rawValue)"] = .kept(s.best.type, definite: s.definite) }
      for i in unchecked {
        let site = "\(shown[i].anchor):\(shown[i].kind.rawValue)"
        verdicts[file, default: [:]][keys[i]] = kept[site] ?? .dropped
      }
    }
    return shown.indices.compactMap { i in
      guard case .kept(let type, let definite)? = verdicts[file]?[keys[i]],
        let candidate = shown[i].candidates.first(where: { $0.type == type && $0.confidence >= minConfidence })
      else { return nil }
      var s = shown[i]
      s.candidates = [candidate]
      s.definite = definite
      return s
    }
  }
}
