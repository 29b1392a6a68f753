// MARK: - SHA-1 and git blob ids

/// SHA-1 (FIPS 180-4), only for git blob ids: git names every file version by
/// `sha1("blob <size>\0" + bytes)`, and the corpus manifest pins each GitHub file by that id.
/// (SHA-1 is not collision resistant; the ids only detect corruption and wrong commits, and the
/// dataset fingerprints stay SHA-256.)
public struct SHA1: Sendable {
  private var h0: UInt32 = 0x6745_2301
  private var h1: UInt32 = 0xEFCD_AB89
  private var h2: UInt32 = 0x98BA_DCFE
  private var h3: UInt32 = 0x1032_5476
  private var h4: UInt32 = 0xC3D2_E1F0
  private var buffer: [UInt8] = []
  private var length: UInt64 = 0

  public init() { buffer.reserveCapacity(64) }

  public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
    length &+= UInt64(bytes.count)
    buffer.append(contentsOf: bytes)
    if buffer.count < 64 { return }
    let whole = buffer.count / 64 * 64
    buffer.withUnsafeBufferPointer { p in
      var offset = 0
      while offset < whole {
        compress(UnsafeBufferPointer(rebasing: p[offset..<(offset + 64)]))
        offset += 64
      }
    }
    buffer.removeFirst(whole)
  }

  /// The 20-byte digest. The hasher should not be used after this.
  public mutating func finalize() -> [UInt8] {
    let bitLength = length &* 8
    var tail: [UInt8] = [0x80]
    while (buffer.count + tail.count) % 64 != 56 { tail.append(0) }
    for i in (0..<8).reversed() { tail.append(UInt8(truncatingIfNeeded: bitLength >> (UInt64(i) * 8))) }
    update(tail)
    var out: [UInt8] = []
    for word in [h0, h1, h2, h3, h4] {
      for i in (0..<4).reversed() { out.append(UInt8(truncatingIfNeeded: word >> (UInt32(i) * 8))) }
    }
    return out
  }

  public static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    var h = SHA1()
    h.update(bytes)
    return SHA256.hexString(h.finalize())
  }

  /// Git's blob id of a file's bytes: `sha1("blob <size>\0" + bytes)`, lowercase hex (what
  /// `git hash-object` and `git ls-tree` print).
  public static func gitBlobID<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    var h = SHA1()
    h.update(Array("blob \(bytes.count)".utf8) + [0])
    h.update(bytes)
    return SHA256.hexString(h.finalize())
  }

  private mutating func compress(_ block: UnsafeBufferPointer<UInt8>) {
    var w = [UInt32](repeating: 0, count: 80)
    for i in 0..<16 {
      w[i] =
        UInt32(block[i * 4]) << 24 | UInt32(block[i * 4 + 1]) << 16 | UInt32(block[i * 4 + 2]) << 8
        | UInt32(block[i * 4 + 3])
    }
    for i in 16..<80 { w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1) }
    var a = h0
    var b = h1
    var c = h2
    var d = h3
    var e = h4
    for i in 0..<80 {
      let f: UInt32
      let k: UInt32
      switch i {
      case 0..<20:
        f = (b & c) | (~b & d)
        k = 0x5A82_7999
      case 20..<40:
        f = b ^ c ^ d
        k = 0x6ED9_EBA1
      case 40..<60:
        f = (b & c) | (b & d) | (c & d)
        k = 0x8F1B_BCDC
      default:
        f = b ^ c ^ d
        k = 0xCA62_C1D6
      }
      let t = rotl(a, 5) &+ f &+ e &+ k &+ w[i]
      e = d
      d = c
      c = rotl(b, 30)
      b = a
      a = t
    }
    h0 &+= a
    h1 &+= b
    h2 &+= c
    h3 &+= d
    h4 &+= e
  }

  @inline(__always) private func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 - n)) }
}
