import Testing

@testable import Corpus

@Suite struct SHA256Tests {
  @Test func knownVectors() {
    #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(
      SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
  }

  @Test func chunkedUpdatesMatchOneShot() {
    let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    var h = SHA256()
    var i = 0
    for size in [1, 63, 64, 65, 7, 300, 500] where i < bytes.count {
      let end = min(bytes.count, i + size)
      h.update(bytes[i..<end])
      i = end
    }
    #expect(SHA256.hexString(h.finalize()) == SHA256.hex(bytes))
  }
}
