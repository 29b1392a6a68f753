// MARK: - Piece trie

/// A byte trie over the vocabulary's pieces, for finding every piece that starts at a position in one walk.
///
/// The edges live in one open-addressed hash table keyed by (node, byte), the root's 256 children in a direct
/// table; every node records the piece that ends there (or -1). Lookups touch one or two cache lines, and a
/// trie over 8k pieces fits in L2.
struct PieceTrie: @unchecked Sendable {
  /// Owns the buffers below; immutable after `init`, so sharing it across threads is safe.
  private let storage: Storage
  /// Piece index ending at each node, or -1.
  private let terminal: UnsafePointer<Int32>
  /// Child of the root for each first byte, or 0 (the root itself stands for "none").
  private let rootChildren: UnsafePointer<Int32>
  /// Hash table of edges: key is `node << 8 | byte` plus one (0 marks an empty slot).
  private let keys: UnsafePointer<UInt64>
  private let values: UnsafePointer<Int32>
  private let mask: Int
  /// Number of nodes, the root included.
  let nodeCount: Int

  /// Builds the trie over `pieces`; piece `k` is reported as index `k`. Empty pieces are skipped; of two equal
  /// pieces the first wins.
  init(pieces: [[UInt8]]) {
    var terminal: [Int32] = [-1]
    var root = [Int32](repeating: 0, count: 256)
    var edges: [(UInt64, Int32)] = []
    var table: [UInt64: Int32] = [:]
    for (index, piece) in pieces.enumerated() where !piece.isEmpty {
      var node: Int32 = 0
      for (depth, byte) in piece.enumerated() {
        if depth == 0 {
          if root[Int(byte)] == 0 {
            root[Int(byte)] = Int32(terminal.count)
            terminal.append(-1)
          }
          node = root[Int(byte)]
        } else {
          let key = UInt64(node) << 8 | UInt64(byte)
          if let child = table[key] {
            node = child
          } else {
            let child = Int32(terminal.count)
            terminal.append(-1)
            table[key] = child
            edges.append((key, child))
            node = child
          }
        }
      }
      if terminal[Int(node)] < 0 { terminal[Int(node)] = Int32(index) }
    }
    var size = 16
    while size < edges.count * 2 { size <<= 1 }
    let storage = Storage(nodes: terminal.count, slots: size)
    let mask = size - 1
    for (key, child) in edges {
      var slot = PieceTrie.hash(key) & mask
      while storage.keys[slot] != 0 { slot = (slot + 1) & mask }
      storage.keys[slot] = key &+ 1
      storage.values[slot] = child
    }
    for k in 0..<terminal.count { storage.terminal[k] = terminal[k] }
    for k in 0..<256 { storage.root[k] = root[k] }
    self.storage = storage
    self.terminal = UnsafePointer(storage.terminal)
    self.rootChildren = UnsafePointer(storage.root)
    self.keys = UnsafePointer(storage.keys)
    self.values = UnsafePointer(storage.values)
    self.mask = mask
    self.nodeCount = terminal.count
  }

  @inline(__always)
  static func hash(_ key: UInt64) -> Int {
    Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40)
  }

  /// Calls `body(end, pieceIndex)` for every piece that matches `bytes[start...]`, ending at or before `end`,
  /// shortest first.
  @inline(__always)
  func forEachMatch(
    _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, _ body: (Int, Int32) -> Void
  ) {
    guard let base = bytes.baseAddress else { return }
    var node = rootChildren[Int(base[start])]
    if node == 0 { return }
    var j = start + 1
    while true {
      let piece = terminal[Int(node)]
      if piece >= 0 { body(j, piece) }
      if j >= end { return }
      let key = UInt64(node) << 8 | UInt64(base[j])
      var slot = PieceTrie.hash(key) & mask
      let stored = key &+ 1
      var found: Int32 = 0
      while true {
        let k = keys[slot]
        if k == stored {
          found = values[slot]
          break
        }
        if k == 0 { break }
        slot = (slot + 1) & mask
      }
      if found == 0 { return }
      node = found
      j += 1
    }
  }

  // MARK: Storage

  private final class Storage {
    let terminal: UnsafeMutablePointer<Int32>
    let root: UnsafeMutablePointer<Int32>
    let keys: UnsafeMutablePointer<UInt64>
    let values: UnsafeMutablePointer<Int32>
    let nodes: Int
    let slots: Int

    init(nodes: Int, slots: Int) {
      self.nodes = nodes
      self.slots = slots
      terminal = .allocate(capacity: nodes)
      root = .allocate(capacity: 256)
      keys = .allocate(capacity: slots)
      keys.initialize(repeating: 0, count: slots)
      values = .allocate(capacity: slots)
      values.initialize(repeating: 0, count: slots)
      terminal.initialize(repeating: -1, count: nodes)
      root.initialize(repeating: 0, count: 256)
    }

    deinit {
      terminal.deallocate()
      root.deallocate()
      keys.deallocate()
      values.deallocate()
    }
  }
}
