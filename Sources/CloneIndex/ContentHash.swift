/// A fast, stable 64-bit hash (the XXH64 construction) for file contents and token streams.
/// Not cryptographic: it identifies content for incremental indexing and clone grouping.
public struct ContentHash: Sendable {
  private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
  private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
  private static let p3: UInt64 = 0x1656_67B1_9E37_79F9
  private static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
  private static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

  // MARK: - One-shot

  /// The hash of `bytes` with `seed`.
  public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
    let n = bytes.count
    var i = 0
    var h: UInt64
    if n >= 32 {
      var v1 = seed &+ p1 &+ p2
      var v2 = seed &+ p2
      var v3 = seed
      var v4 = seed &- p1
      while i + 32 <= n {
        v1 = round(v1, read64(bytes, i))
        v2 = round(v2, read64(bytes, i + 8))
        v3 = round(v3, read64(bytes, i + 16))
        v4 = round(v4, read64(bytes, i + 24))
        i += 32
      }
      h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
      h = merge(h, v1)
      h = merge(h, v2)
      h = merge(h, v3)
      h = merge(h, v4)
    } else {
      h = seed &+ p5
    }
    h &+= UInt64(n)
    while i + 8 <= n {
      h ^= round(0, read64(bytes, i))
      h = rotl(h, 27) &* p1 &+ p4
      i += 8
    }
    if i + 4 <= n {
      h ^= UInt64(read32(bytes, i)) &* p1
      h = rotl(h, 23) &* p2 &+ p3
      i += 4
    }
    while i < n {
      h ^= UInt64(bytes[i]) &* p5
      h = rotl(h, 11) &* p1
      i += 1
    }
    h ^= h >> 33
    h &*= p2
    h ^= h >> 29
    h &*= p3
    h ^= h >> 32
    return h
  }

  /// The hash of a byte array.
  public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
    bytes.withUnsafeBytes { hash($0, seed: seed) }
  }

  /// The hash of a string's UTF-8 bytes.
  public static func hash(_ text: String, seed: UInt64 = 0) -> UInt64 {
    var text = text
    return text.withUTF8 { hash(UnsafeRawBufferPointer($0), seed: seed) }
  }

  /// 16 lowercase hex digits.
  public static func hex(_ value: UInt64) -> String {
    let s = String(value, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
  }

  // MARK: - Internals

  @inline(__always) private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
  @inline(__always) private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
    rotl(acc &+ input &* p2, 31) &* p1
  }
  @inline(__always) private static func merge(_ acc: UInt64, _ v: UInt64) -> UInt64 {
    (acc ^ round(0, v)) &* p1 &+ p4
  }
  @inline(__always) private static func read64(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt64 {
    UInt64(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self))
  }
  @inline(__always) private static func read32(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt32 {
    UInt32(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt32.self))
  }
}

/// An incremental hasher over a stream of tokens: each token is hashed and folded in with its
/// position, so `["ab", "c"]` and `["a", "bc"]` differ.
public struct TokenStreamHasher: Sendable {
  private var state: UInt64 = 0x243F_6A88_85A3_08D3
  private var count: UInt64 = 0

  public init() {}

  /// Folds in one token.
  public mutating func add(_ token: String) {
    let h = ContentHash.hash(token, seed: count)
    state = (state ^ h) &* 0x100_0000_01B3 &+ (state >> 29)
    count += 1
  }

  /// The hash of everything added so far, as 16 hex digits.
  public var hex: String { ContentHash.hex(ContentHash.hash([state, count].withUnsafeBytes { Array($0) })) }
}
