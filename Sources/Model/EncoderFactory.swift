import Foundation
import Tensor

// MARK: - Building encoders from a pretraining config

/// Builds, reseeds, saves and loads either encoder from `PretrainConfig`'s architecture fields.
public enum EncoderFactory {
  /// A freshly initialised encoder for `config` over a vocabulary of `vocab` ids.
  public static func make(_ config: PretrainConfig, vocab: Int, seed: UInt64) -> any SequenceEncoder {
    if config.architecture == "bilstm" {
      return BiLSTMEncoder(
        config: BiLSTMConfig(vocab: vocab, dim: config.dim, layers: config.layers, dropout: config.dropout), seed: seed)
    }
    return TransformerEncoder(
      config: TransformerConfig(
        vocab: vocab, dim: config.dim, layers: config.layers, heads: config.heads,
        ffn: config.ffn, maxLen: config.maxLength, dropout: config.dropout),
      seed: seed)
  }

  /// A new encoder of the same kind and shape holding a copy of `encoder`'s weights.
  public static func clone(_ encoder: any SequenceEncoder) -> any SequenceEncoder {
    if let t = encoder as? TransformerEncoder { return t.clone() }
    if let l = encoder as? BiLSTMEncoder { return l.clone() }
    preconditionFailure("EncoderFactory.clone: unknown encoder type")
  }

  /// Sets the dropout generator, so each step's masks depend only on (seed, step): a resumed run draws the
  /// same masks as an uninterrupted one.
  public static func reseedDropout(_ encoder: any SequenceEncoder, seed: UInt64) {
    if let t = encoder as? TransformerEncoder { t.rng = TensorRandom(seed: seed) }
    if let l = encoder as? BiLSTMEncoder { l.rng = TensorRandom(seed: seed) }
  }

  /// Writes the encoder's weights (safetensors, config in the metadata).
  public static func save(_ encoder: any SequenceEncoder, to path: String, metadata: [String: String] = [:]) throws {
    if let t = encoder as? TransformerEncoder { try t.save(to: path, metadata: metadata) }
    if let l = encoder as? BiLSTMEncoder { try l.save(to: path, metadata: metadata) }
  }

  /// Reads an encoder written by `save`, of either architecture (from the file's `architecture` metadata).
  public static func load(from path: String) throws -> any SequenceEncoder {
    let file = try Safetensors.read(path: path)
    switch file.metadata["architecture"] {
    case "bilstm": return try BiLSTMEncoder.load(from: path)
    case "transformer": return try TransformerEncoder.load(from: path)
    default: throw PretrainError.invalidModel(path: path, reason: "its metadata names no known architecture")
    }
  }
}

// MARK: - Seed mixing

/// A well-mixed 64-bit value from several (SplitMix64's finaliser over a running combination), for deriving
/// independent seeds per step, item and view.
@inline(__always)
public func mixSeed(_ parts: UInt64...) -> UInt64 {
  var h: UInt64 = 0x243F_6A88_85A3_08D3
  for p in parts {
    h = (h ^ p) &+ 0x9E37_79B9_7F4A_7C15
    h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
    h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
    h ^= h >> 31
  }
  return h
}
