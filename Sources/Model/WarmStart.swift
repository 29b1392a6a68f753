import Foundation
import Tensor

// MARK: - Starting from a trained model

/// Copies trained weights into a fresh run: `codeintel pretrain --warm-start MODEL_DIR` (a run whose checkpoint
/// is gone continues from the shipped weights instead of from random ones), and longer inputs from a shorter
/// model.
public enum EncoderWeights {
  /// Copies every parameter of `source` into the parameter of the same name in `target`. Shapes must match,
  /// except the learned position table `embed.positions`: a 128-position model gives a 256-position one its 128
  /// rows, so the longer model embeds every input of ≤ 128 tokens exactly as the shorter one did, and the rows past
  /// them are copies of the source's, repeated (row j gets row j mod 128: Longformer's initialisation, Beltagy et
  /// al. 2020). Fresh rows there stayed near chance in a 1,500-step MLM continuation; copied rows learned
  /// (docs/PRETRAINING.md, "Session 10"). A shorter target keeps the source's first rows.
  public static func copy(from source: ParameterStore, to target: ParameterStore, path: String) throws {
    for e in target.layout.entries {
      guard let s = source.entry(e.name) else {
        throw PretrainError.invalidModel(path: path, reason: "it has no parameter '\(e.name)' (another architecture?)")
      }
      if s.shape == e.shape {
        (target.data + e.offset).update(from: source.data + s.offset, count: e.count)
      } else if e.name == "embed.positions", s.shape.count == 2, e.shape.count == 2, s.shape[1] == e.shape[1] {
        let width = e.shape[1]
        var row = 0
        while row < e.shape[0] {
          let rows = min(s.shape[0], e.shape[0] - row)
          (target.data + e.offset + row * width).update(from: source.data + s.offset, count: rows * width)
          row += rows
        }
      } else {
        throw PretrainError.invalidModel(
          path: path, reason: "'\(e.name)' is \(s.shape) there but \(e.shape) in this run's config")
      }
    }
  }
}

extension MoCo {
  /// Loads the encoder (and the projection head, when the folder has one of this run's shape) of the model
  /// folder `directory` into both the query and the key side. The optimizer, the queue and the step stay
  /// fresh: the learning-rate schedule starts again from its warm-up. Returns a line for the log.
  @discardableResult
  public func warmStart(from directory: String) throws -> String {
    let model = try PretrainedModel.load(directory: directory)
    guard model.tokenizer.vocabSize == vocab else {
      throw PretrainError.invalidModel(
        path: directory,
        reason: "its tokenizer has \(model.tokenizer.vocabSize) ids, this run \(vocab); use its tokenizer.json")
    }
    let encoderPath = model.directory.appendingPathComponent(model.info.encoder).path
    try EncoderWeights.copy(from: model.encoder.parameters, to: queryEncoder.parameters, path: encoderPath)
    keyEncoder.parameters.copyWeights(from: queryEncoder.parameters)
    var what = "encoder"
    if let head = model.info.head {
      let path = model.directory.appendingPathComponent(head).path
      // loaded into a scratch copy first: a head of another shape leaves the fresh one untouched
      let scratch = queryHead.parameters.clone()
      if let file = try? Safetensors.read(path: path), (try? scratch.load(file, path: path)) != nil {
        queryHead.parameters.copyWeights(from: scratch)
        keyHead.parameters.copyWeights(from: scratch)
        what += " and projection head"
      }
    }
    if let mlmHead {
      let path = model.directory.appendingPathComponent(PretrainedModel.mlmHeadFile).path
      let scratch = mlmHead.parameters.clone()
      if FileManager.default.fileExists(atPath: path), let file = try? Safetensors.read(path: path),
        (try? scratch.load(file, path: path)) != nil
      {
        mlmHead.parameters.copyWeights(from: scratch)
        what += " and masked-token head"
      }
    }
    return "warm start: \(what) from \(model.directory.path) (\(model.info.name), \(model.info.steps) steps)"
  }
}
