import Corpus
import Tokenizer

// MARK: - What the pointer-generator may copy

/// The copy items of one function for the pointer-generator decoder: each subtoken occurrence `BodySubtokens`
/// finds in the function's `input` (identifiers, property and parameter names, string words; never the hidden name)
/// that the subtoken vocabulary knows, tied to the encoder token covering its first byte. Occurrences cut off by the
/// encoder's window, or outside the vocabulary, are not copyable. The decoder's copy distribution is attention over
/// these items, summed per subtoken id (a word the body repeats collects the attention of each occurrence).
public enum NameCopySource {
  /// At most this many items per function (the first ones), to bound the attention's cost.
  public static let maxItems = 256

  /// The items of `input` under `encoding` (the encoder's tokens of the same text, with byte offsets).
  public static func items(input: String, encoding: Encoding, vocabulary: SubtokenVocabulary)
    -> [(position: Int32, id: Int32)]
  {
    var out: [(position: Int32, id: Int32)] = []
    for (w, byte) in BodySubtokens.located(input) {
      let id = vocabulary.id(w)
      guard id != SubtokenVocabulary.unk, let pos = encoding.tokenIndex(containingByteOffset: byte) else { continue }
      out.append((Int32(pos), id))
      if out.count == maxItems { break }
    }
    return out
  }
}
