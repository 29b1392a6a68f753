import Foundation

/// The type head's predictions per window, remembered across edits of one document: the LSP keeps one per open
/// document, so after an edit only the windows whose input changed run through the encoder and the head.
///
/// A window's predictions depend only on what its key holds: the window's token ids, and for each of its sites
/// the token positions before and after it, its kind and name, the pair features of its offers, and the
/// file's candidate types (texts and the tokens of their names). Keys are compared whole (not by hash alone),
/// so an entry is used only for exactly the same input, and a prediction from the cache is the one the head
/// would compute (`TypeHeadModel.predict(_:cache:)` computes every window on its own, cached or not).
///
/// Bounded by bytes (an estimate of keys and values): past `maxBytes` the least recently used entries go.
public final class TypeHeadCache: @unchecked Sendable {
  struct Key: Hashable {
    var tokens: [Int32]
    /// Per site: before, after, kind index.
    var positions: [Int32]
    var names: [String]
    var offers: [Float]
    /// The file's candidate types and their tokens (`Candidates`), as the number `context(_:)` gave them: equal
    /// numbers are equal candidates, so a window's key is hashed and compared without them.
    var candidates: Int

    var bytes: Int {
      64 + tokens.count * 4 + positions.count * 4 + offers.count * 4 + names.reduce(0) { $0 + $1.utf8.count + 16 }
    }
  }

  /// What every window of a file shares: the candidate types (texts, and with a datastore the names in scope)
  /// and the tokens of their names.
  struct Candidates: Hashable {
    var texts: [String]
    var tokens: [Int32]
  }

  /// The numbers given to the candidate sets seen lately. A number is never given to another set (they only
  /// grow), so an entry keyed by a forgotten number is never answered for another file's candidates; it ages out.
  private var contexts: [Candidates: Int] = [:]
  private var nextContext = 0

  typealias Predictions = [[(type: String, probability: Float)]]

  private struct Entry {
    var value: Predictions
    var bytes: Int
    var used: UInt64
  }

  public let maxBytes: Int
  private var entries: [Key: Entry] = [:]
  private var clock: UInt64 = 0
  private let lock = NSLock()
  /// Bytes held now (estimate), lookups answered from the cache, and windows computed.
  public private(set) var bytes = 0
  public private(set) var hits = 0
  public private(set) var misses = 0

  public init(maxBytes: Int = 8 << 20) { self.maxBytes = maxBytes }

  /// Entries held now.
  public var count: Int {
    lock.lock()
    defer { lock.unlock() }
    return entries.count
  }

  /// The number of a file's candidates, the same for equal candidates while they are remembered (the last few
  /// sets: an editor's edits mostly keep a file's candidates, and a set is hashed once per request, not per window).
  func context(_ candidates: Candidates) -> Int {
    lock.lock()
    defer { lock.unlock() }
    if let known = contexts[candidates] { return known }
    if contexts.count >= 8 { contexts.removeAll() }
    nextContext += 1
    contexts[candidates] = nextContext
    return nextContext
  }

  func get(_ key: Key) -> Predictions? {
    lock.lock()
    defer { lock.unlock() }
    clock += 1
    guard var entry = entries[key] else {
      misses += 1
      return nil
    }
    hits += 1
    entry.used = clock
    entries[key] = entry
    return entry.value
  }

  func put(_ key: Key, _ value: Predictions) {
    let size = key.bytes + value.reduce(32) { $0 + $1.reduce(16) { $0 + $1.type.utf8.count + 24 } }
    lock.lock()
    defer { lock.unlock() }
    guard size <= maxBytes else { return }
    clock += 1
    if let old = entries[key] { bytes -= old.bytes }
    entries[key] = Entry(value: value, bytes: size, used: clock)
    bytes += size
    guard bytes > maxBytes else { return }
    // Least recently used first, down to three quarters of the budget (so eviction is not paid per insert).
    for (k, e) in entries.sorted(by: { $0.value.used < $1.value.used }) {
      guard bytes > maxBytes * 3 / 4 else { break }
      entries[k] = nil
      bytes -= e.bytes
    }
  }

  /// Forgets everything.
  public func removeAll() {
    lock.lock()
    defer { lock.unlock() }
    entries = [:]
    contexts = [:]
    bytes = 0
  }
}
