import CodeIntel
import Heads
import Foundation

/// The TypeScript compiler between the type suggester and the editor: one `TypeChecker` (one node process) for
/// the server's workspace, started at the first check, and each document's verdicts cached until its text
/// changes. A suggestion whose candidates all add a compiler diagnostic is not shown; one whose best fails
/// shows the next candidate that passes (`TypeChecker.check`, each suggestion alone: the user accepts hints
/// one by one); one the compiler cannot judge (`TypeChecker.probeType` passes there too: the value is `any`)
/// is not shown either. Without node or the typescript module, or once the checker has died, suggestions pass
/// unchecked and `warn` hears why once.
public final class TypeCheckFilter: @unchecked Sendable {
  private let lock = NSLock()
  private let start: @Sendable () throws -> TypeChecker
  private var checker: TypeChecker?
  private var unavailable: String?
  private var warned = false
  /// Per path: the text's hash and the verdict per suggestion (nil: dropped).
  private var verdicts: [String: (text: Int, byKey: [String: TypeEvidence.Suggestion?])] = [:]

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
  /// document) checks it as a file in the temporary folder.
  public func filter(
    _ suggestions: [TypeEvidence.Suggestion], path: String?, bytes: [UInt8], minConfidence: Double,
    cancellation: CancellationToken, warn: (String) -> Void
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
    var hasher = Hasher()
    hasher.combine(bytes)
    let text = hasher.finalize()
    if verdicts[file]?.text != text { verdicts[file] = (text, [:]) }
    func key(_ s: TypeEvidence.Suggestion) -> String {
      "\(s.anchor):\(s.kind.rawValue):" + s.candidates.map { "\($0.type)@\($0.confidence)" }.joined(separator: ",")
    }
    let unchecked = suggestions.filter { verdicts[file]?.byKey[key($0)] == nil }
    if !unchecked.isEmpty {
      let outcome: TypeChecker.Outcome
      do {
        let (runs, start) = (checker.checksRun, DispatchTime.now().uptimeNanoseconds)
        outcome = try checker.check(
          unchecked, path: file, bytes: bytes, minConfidence: minConfidence, probe: true,
          shouldStop: { cancellation.isCancelled })
        Log.debug(
          "type check of \(unchecked.count) suggestions: \(outcome.kept.count) kept, \(checker.checksRun - runs) "
            + "compiler runs, \((DispatchTime.now().uptimeNanoseconds - start) / 1_000_000) ms")
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
      var kept: [String: TypeEvidence.Suggestion] = [:]
      for s in outcome.kept { kept["\(s.anchor):\(s.kind.rawValue)"] = s }
      for s in unchecked where s.best.confidence >= minConfidence {
        verdicts[file]?.byKey[key(s)] = .some(kept["\(s.anchor):\(s.kind.rawValue)"])
      }
    }
    return suggestions.compactMap { s in
      guard s.best.confidence >= minConfidence else { return nil }
      return verdicts[file]?.byKey[key(s)] ?? nil
    }
  }
}
