import Syntax

/// The two fingerprints deduplication compares.
///
/// TEMPORARY: a stand-in until `Augment`'s `canonicalHash`/`exactHash` land; then these forward to
/// them so that the corpus and the clone index agree on what a duplicate is.
public enum FunctionHashes {
  /// FNV-1a 64 of the exact bytes.
  public static func exact<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes {
      h ^= UInt64(b)
      h = h &* 0x0000_0100_0000_01b3
    }
    return h
  }

  /// FNV-1a 64 of the leaf tokens with comments dropped, whitespace ignored and identifiers
  /// renamed in order of first use (`v0`, `v1`, …).
  public static func canonical(_ node: Node) -> UInt64 {
    var names: [String: Int] = [:]
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    func mix(_ s: String) {
      for b in s.utf8 {
        h ^= UInt64(b)
        h = h &* 0x0000_0100_0000_01b3
      }
      h ^= 0x1F
      h = h &* 0x0000_0100_0000_01b3
    }
    node.walk { n in
      let type = n.type
      if type == "comment" { return false }
      if n.childCount == 0 || type == "string" || type == "template_string" || type == "regex" {
        if type == "identifier" || type == "shorthand_property_identifier" || type == "shorthand_property_identifier_pattern" {
          let text = n.text
          let id = names[text] ?? names.count
          names[text] = id
          mix("v\(id)")
        } else {
          mix(n.text)
        }
        return false
      }
      return true
    }
    return h
  }
}
