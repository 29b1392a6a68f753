import CodeIntel
import Foundation
import Heads
import Syntax

/// Names from the fine-tuned method-name head (`NameModel`): the top five, decoded with the head's copy bias
/// (`decoding` in its `config.json`, docs/NAMES.md); confidence = the probability the decoder itself gives the
/// whole name (without the copy bonus). `codeintel-lsp` installs it when a head folder loads (docs/LSP.md).
///
/// Results are remembered per function text (with its kind and name, which is all the head reads): the
/// diagnostics that follow every edit ask for every function of the file, and only the edited ones changed,
/// so a large file costs a beam search per edited function instead of one per function.
public struct HeadNameSuggester: NameSuggester {
  public let model: NameModel
  public var top: Int
  private let cache = NameCache()

  public init(model: NameModel, top: Int = 5) {
    self.model = model
    self.top = top
  }

  public func suggestNames(for unit: FunctionUnit, in tree: Tree, cancellation: CancellationToken) throws
    -> [NameSuggestion]
  {
    try suggestNames(for: unit, in: tree, path: nil, cancellation: cancellation)
  }

  /// Names for a function of the file at `path`, which a head trained with `--context path` reads.
  public func suggestNames(for unit: FunctionUnit, in tree: Tree, path: String?, cancellation: CancellationToken)
    throws -> [NameSuggestion]
  {
    (try report(for: unit, in: tree, path: path, rules: [], cancellation: cancellation)?.suggestions ?? []).map {
      NameSuggestion(name: $0.name, confidence: $0.confidence ?? $0.probability)
    }
  }

  /// A head with a `display.json` gates its own suggestions (`NameAnalysis.analyze` holds back the names below
  /// its level, all of them when no level reached the goals on valid).
  public var isCalibrated: Bool { model.head.display != nil }

  /// The same analysis as `codeintel suggest-names --rules …` (`NameAnalysis.analyze`), remembered per function with
  /// every rule's evidence, so other rules re-judge the remembered report without another beam search.
  public func report(
    for unit: FunctionUnit, in tree: Tree, rules: Set<MismatchRule>, cancellation: CancellationToken
  ) throws -> NameReport? {
    try report(for: unit, in: tree, path: nil, rules: rules, cancellation: cancellation)
  }

  /// The same for a function of the file at `path` (read by a head trained with `--context path`, and then part
  /// of the remembered key).
  public func report(
    for unit: FunctionUnit, in tree: Tree, path: String?, rules: Set<MismatchRule>, cancellation: CancellationToken
  ) throws -> NameReport? {
    try cancellation.check()
    let place = model.head.inputContext == nil ? "" : (path ?? "")
    // a head reading the file's other function names gets them from the whole file, and they enter the key
    let functions =
      model.head.inputContext == .pathAndSiblings
      ? NameAnalysis.siblingCandidates(extractUnits(from: tree), in: tree) : nil
    let siblings = functions.map { NameAnalysis.siblingNames(of: unit, among: $0) } ?? []
    // The text enters the key as two 64-bit hashes and its length, not whole: in a minified file the outer
    // functions are nearly the whole file, and thousands of nested copies of it would be kept.
    let text = tree.bytes[unit.byteRange]
    let key =
      "\(unit.kind)\u{0}\(unit.name ?? "")\u{0}\(top)\u{0}\(text.count)\u{0}\(NameCache.digest(text))\u{0}\(place)"
      + "\u{0}\(siblings.joined(separator: ","))"
    if let known = cache.get(key) { return known.report?.applying(rules: rules) }
    let report = NameAnalysis.analyze(
      tree: tree, units: [unit], head: model.head, path: path, top: top, siblingsFrom: functions
    ).first
    cache.set(key, NameCache.Entry(report: report))
    return report?.applying(rules: rules)
  }
}

/// A bounded, thread-safe map from a function's key to its analysis (emptied when full: simple, and the
/// working set of an editing session is far below the bound).
final class NameCache: @unchecked Sendable {
  /// One function's analysis; nil when the function has no name the head can judge (a constructor, `f`).
  struct Entry {
    var report: NameReport?
  }

  private let lock = NSLock()
  private var entries: [String: Entry] = [:]
  let capacity: Int

  init(capacity: Int = 20_000) { self.capacity = capacity }

  func get(_ key: String) -> Entry? { lock.withLock { entries[key] } }

  /// Two independent FNV-1a hashes of `bytes` (different offsets), as one string.
  static func digest(_ bytes: ArraySlice<UInt8>) -> String {
    var a: UInt64 = 0xcbf2_9ce4_8422_2325
    var b: UInt64 = 0x8422_2325_cbf2_9ce4
    for byte in bytes {
      a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
      b = (b ^ UInt64(byte ^ 0x5c)) &* 0x0000_0100_0000_01b3
    }
    return String(a, radix: 16) + String(b, radix: 16)
  }

  var count: Int { lock.withLock { entries.count } }

  func set(_ key: String, _ value: Entry) {
    lock.withLock {
      if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
      entries[key] = value
    }
  }
}
