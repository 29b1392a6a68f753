import Foundation
import Model

/// Builds a name head's retrieval datastore (`NameDatastore`, `retrieval.bin`) from method-name records: the
/// head's encoder embeds each record's `input` exactly as `NameHead.analyze` embeds a query (same tokens, same
/// masked-mean pooling), and the record's target (cut to the head's `maxSubtokens`, as the decoder writes names)
/// is the entry's name. `codeintel finetune name-retrieval` calls it
/// on the train split the head was fine-tuned on.
public enum NameDatastoreBuilder {
  /// `records` spread evenly over the list so that at most `maxEntries` remain (0: all): the splits are written
  /// repository by repository, so this keeps every repository's share.
  public static func subsample(_ records: [MethodNameRecord], maxEntries: Int) -> [MethodNameRecord] {
    maxEntries > 0 ? MethodNameRecord.spread(records, count: maxEntries) : records
  }

  /// The datastore of `records` under `head`'s encoder. `progress(done, total)` is called after every chunk.
  public static func build(
    head: NameHead, records: [MethodNameRecord], source: String, chunk: Int = 2048,
    progress: (Int, Int) -> Void = { _, _ in }
  ) throws -> NameDatastore {
    let d = head.encoder.dim
    var vectors: [Float] = []
    vectors.reserveCapacity(records.count * d)
    var start = 0
    while start < records.count {
      let part = records[start..<min(start + chunk, records.count)]
      // the text the head reads at a query (with the file's place, and its other names, for a head with a context)
      let sequences = part.map { head.tokens(of: head.modelInput($0.input, path: $0.path, siblings: $0.siblings)) }
      vectors += Inference.embed(encoder: head.encoder, sequences: sequences, batchSize: 32)
      start += part.count
      progress(start, records.count)
    }
    let sha = try NameFinetuner.sha256(ofFile: head.directory.appendingPathComponent(head.info.encoderFile).path)
    return NameDatastore(
      vectors: vectors, dimension: d,
      names: records.map { $0.target.prefix(head.info.maxSubtokens).map { $0.lowercased() } }, encoderSHA256: sha,
      source: source)
  }

  /// The same with the pretrained `model`'s pooled embedding (`embedding: "model"`): what `NameHead` searches
  /// when the head folder sits inside that model's folder.
  public static func build(
    model: PretrainedModel, head: NameHead, records: [MethodNameRecord], source: String, chunk: Int = 2048,
    progress: (Int, Int) -> Void = { _, _ in }
  ) throws -> NameDatastore {
    var vectors: [Float] = []
    vectors.reserveCapacity(records.count * model.dimension)
    var start = 0
    while start < records.count {
      let part = records[start..<min(start + chunk, records.count)]
      let texts = part.map { head.modelInput($0.input, path: $0.path, siblings: $0.siblings) }
      vectors += model.embed(functions: texts).flatMap { $0 }
      start += part.count
      progress(start, records.count)
    }
    let sha = try NameFinetuner.sha256(ofFile: model.directory.appendingPathComponent(model.info.encoder).path)
    return NameDatastore(
      vectors: vectors, dimension: model.dimension,
      names: records.map { $0.target.prefix(head.info.maxSubtokens).map { $0.lowercased() } }, encoderSHA256: sha,
      source: source, embedding: "model")
  }
}
