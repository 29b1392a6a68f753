// MARK: - Piece trie

/// A byte trie over the vocabulary's pieces, for finding every piece that starts at a position in one walk.
///
/// The edges live in one open-addressed hash table keyed by (node, byte), the root's 256 children in a direct
/// table; every node records the piece that ends there (or -1). Lookups touch one or two cache lines, and a
/// trie over 8k pieces fits in L2.
struct PieceTrie: Sendable {
  /// Piece index ending at each node, or -1.
  private(set) var terminal: [Int32]
  /// Child of the root for each first byte, or 0 (the root itself stands for "none").
  private var rootChildren: [Int32]
  /// Hash table of edges: key is `node << 8 | byte` plus one (0 marks an empty slot).
  private var keys: [UInt64]
  private var values: [Int32]
  private var mask: Int

  /// Builds the trie over `pieces`; piece `k` is reported as index `k`. Empty pieces are skipped.
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
    var keys = [UInt64](repeating: 0, count: size)
    var values = [Int32](repeating: 0, count: size)
    let mask = size - 1
    for (key, child) in edges {
      var slot = PieceTrie.hash(key) & mask
      while keys[slot] != 0 { slot = (slot + 1) & mask }
      keys[slot] = key &+ 1
      values[slot] = child
    }
    self.terminal = terminal
    self.rootChildren = root
    self.keys = keys
    self.values = values
    self.mask = mask
  }

  @inline(__always)
  static func hash(_ key: UInt64) -> Int {
    Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40)
  }

  /// Calls `body(end, pieceIndex)` for every piece that matches `bytes[start...]`, ending before `end`, shortest
  /// first.
  @inline(__always)
  func forEachMatch(
    _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, _ body: (Int, Int32) -> Void
  ) {
    terminal.withUnsafeBufferPointer { term in
      keys.withUnsafeBufferPointer { keys in
        values.withUnsafeBufferPointer { values in
          var node = rootChildren[Int(bytes[start])]
          if node == 0 { return }
          var j = start + 1
          while true {
            let piece = term[Int(node)]
            if piece >= 0 { body(j, piece) }
            if j >= end { return }
            let key = (UInt64(node) << 8 | UInt64(bytes[j])) &+ 1
            var slot = PieceTrie.hash(key &- 1) & mask
            var found: Int32 = 0
            while true {
              let k = keys[slot]
              if k == key {
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
      }
    }
  }
}
