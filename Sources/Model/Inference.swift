import Foundation
import Tensor

// MARK: - Batched inference

/// Pooled embeddings for many token sequences: sorted by length so batches carry little padding, encoded
/// without dropout, returned in the input order.
public enum Inference {
  /// (sequences.count, encoder.dim) row-major pooled embeddings; rows L2-normalised when `normalize`.
  public static func embed(
    encoder: any SequenceEncoder, sequences: [[Int32]], batchSize: Int = 64, normalize: Bool = true
  ) -> [Float] {
    let d = encoder.dim
    var out = [Float](repeating: 0, count: sequences.count * d)
    let was = encoder.training
    encoder.training = false
    defer { encoder.training = was }
    let order = sequences.indices.sorted { sequences[$0].count < sequences[$1].count }
    var start = 0
    while start < order.count {
      let chunk = Array(order[start..<min(start + max(batchSize, 1), order.count)])
      let batch = TokenBatch(sequences: chunk.map { sequences[$0] })
      let pooled = encoder.forward(tokens: batch.tokens, mask: batch.mask, batch: batch.batch, length: batch.length)
        .pooled
      for (r, i) in chunk.enumerated() {
        for j in 0..<d { out[i * d + j] = pooled[r * d + j] }
      }
      start += chunk.count
    }
    if normalize {
      for i in 0..<sequences.count {
        var ss: Float = 0
        for j in 0..<d { ss += out[i * d + j] * out[i * d + j] }
        let inv = 1 / max(ss.squareRoot(), 1e-12)
        for j in 0..<d { out[i * d + j] *= inv }
      }
    }
    return out
  }
}
