import Foundation
import Syntax

/// Finds clones that differ only in identifier names, whitespace and comments (type-1 and
/// type-2 clones): each function's parameter list and body are reduced to a token stream with
/// every `identifier` replaced by the order of its first appearance, and hashed. Equal hashes are
/// clones with similarity 1. Deterministic and cheap; the embedding index finds the rest later.
public final class CanonicalCloneFinder: CloneLookup, @unchecked Sendable {
  /// Functions with fewer tokens than this are too small to call clones (getters, one-liners).
  public let minTokens: Int

  private struct Entry {
    var uri: String
    var range: LSPRange
    var byteStart: Int
    var name: String?
  }

  private let lock = NSLock()
  private var byHash: [UInt64: [Entry]] = [:]
  private var hashesByURI: [String: [UInt64]] = [:]
  /// Each file's unit hashes by the unit's first byte, so a query on an indexed version is a lookup.
  private var hashByStart: [String: [Int: UInt64]] = [:]
  private var count = 0

  public init(minTokens: Int = 12) {
    self.minTokens = minTokens
  }

  // MARK: - CloneFinder

  public func update(uri: String, tree: Tree) {
    try? update(uri: uri, tree: tree, cancellation: CancellationToken())
  }

  public func update(uri: String, tree: Tree, cancellation: CancellationToken) throws {
    let lines = LineIndex(tree.bytes)
    var entries: [(UInt64, Entry)] = []
    for unit in extractUnits(from: tree) {
      try cancellation.check()
      guard let hash = Self.canonicalHash(of: unit, in: tree, minTokens: minTokens) else { continue }
      let start = lines.utf16Position(ofByte: unit.byteRange.lowerBound)
      let end = lines.utf16Position(ofByte: unit.byteRange.upperBound)
      let range = LSPRange(
        start: Position(line: start.line, character: start.character),
        end: Position(line: end.line, character: end.character))
      entries.append((hash, Entry(uri: uri, range: range, byteStart: unit.byteRange.lowerBound, name: unit.name)))
    }
    lock.lock()
    defer { lock.unlock() }
    removeLocked(uri: uri)
    for (hash, entry) in entries { byHash[hash, default: []].append(entry) }
    hashesByURI[uri] = entries.map(\.0)
    hashByStart[uri] = Dictionary(entries.map { ($0.1.byteStart, $0.0) }, uniquingKeysWith: { a, _ in a })
    count += entries.count
  }

  public func remove(uri: String) {
    lock.lock()
    defer { lock.unlock() }
    removeLocked(uri: uri)
  }

  public func clones(of unit: FunctionUnit, uri: String, tree: Tree, cancellation: CancellationToken) throws
    -> [CloneMatch]
  {
    try cancellation.check()
    lock.lock()
    let indexed = hashByStart[uri]?[unit.byteRange.lowerBound]
    lock.unlock()
    guard let hash = indexed ?? Self.canonicalHash(of: unit, in: tree, minTokens: minTokens) else { return [] }
    lock.lock()
    let entries = byHash[hash] ?? []
    lock.unlock()
    return
      entries
      .filter { !($0.uri == uri && $0.byteStart == unit.byteRange.lowerBound) }
      .sorted { ($0.uri, $0.range.start.line) < ($1.uri, $1.range.start.line) }
      .map { CloneMatch(uri: $0.uri, range: $0.range, name: $0.name, similarity: 1.0) }
  }

  public var indexedFunctionCount: Int {
    lock.lock()
    defer { lock.unlock() }
    return count
  }

  // MARK: - Canonical form

  /// FNV-1a hash of the unit's canonical token stream (parameters and body), or nil when the
  /// unit is smaller than `minTokens` tokens.
  public static func canonicalHash(of unit: FunctionUnit, in tree: Tree, minTokens: Int) -> UInt64? {
    let start = unit.parameters.first?.byteRange.lowerBound ?? unit.bodyRange.lowerBound
    let span = min(start, unit.bodyRange.lowerBound)..<unit.bodyRange.upperBound
    var names: [String: Int] = [:]
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    var tokens = 0
    func mix(_ bytes: some Sequence<UInt8>) {
      for b in bytes {
        hash ^= UInt64(b)
        hash = hash &* 0x0000_0100_0000_01b3
      }
      hash ^= 0xff
      hash = hash &* 0x0000_0100_0000_01b3
    }
    // From the smallest node that covers the unit, not from the root: in a minified file the root has
    // thousands of children, and every unit would visit them all.
    var top = tree.root.descendant(for: span) ?? tree.root
    while top.startByte > span.lowerBound || top.endByte < span.upperBound, let up = top.parent { top = up }
    top.walk { node in
      guard node.endByte > span.lowerBound, node.startByte < span.upperBound else { return false }
      guard node.startByte >= span.lowerBound, node.endByte <= span.upperBound else { return true }
      if node.type == "comment" { return false }
      if node.childCount > 0 && node.type != "string" && node.type != "template_string" { return true }
      tokens += 1
      if node.type == "identifier" || node.type == "shorthand_property_identifier" {
        let text = node.text
        let id = names[text] ?? names.count
        names[text] = id
        mix("$\(id)".utf8)
      } else {
        mix(node.bytes)
      }
      return false
    }
    return tokens >= minTokens ? hash : nil
  }

  private func removeLocked(uri: String) {
    hashByStart[uri] = nil
    guard let hashes = hashesByURI.removeValue(forKey: uri) else { return }
    for h in Set(hashes) {
      byHash[h]?.removeAll { $0.uri == uri }
      if byHash[h]?.isEmpty == true { byHash[h] = nil }
    }
    count -= hashes.count
  }
}
