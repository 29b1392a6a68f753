import Foundation
import Model

// MARK: - The fine-tuning recipe

/// How `codeintel finetune names` trains encoder + decoder (kept in the head's `config.json`).
public struct NameFinetuneConfig: Codable, Sendable, Equatable {
  /// Optimiser steps; 0 = until `maxMinutes`.
  public var steps: Int = 0
  /// Wall-clock budget of the training loop in minutes; 0 = until `steps`.
  public var maxMinutes: Double = 0
  public var batchSize: Int = 32
  public var learningRate: Float = 7e-4
  public var warmupSteps: Int = 30
  public var weightDecay: Float = 0.01
  public var gradClip: Float = 1
  public var seed: UInt64 = 1
  /// Train the same encoder architecture from random initialisation (the "without pretraining" row).
  public var randomInit: Bool = false
  /// Encoder input tokens; 0 = the pretrained model's maximum.
  public var maxLength: Int = 0
  public var decoderLayers: Int = 1
  public var decoderFFN: Int = 512
  /// Subtoken vocabulary size, specials included.
  public var subtokenVocab: Int = 4000
  public var maxSubtokens: Int = 6
  /// A pointer-generator decoder (a learned gate between generating and copying an input subtoken). Nil in heads
  /// written before the option existed: off.
  public var pointerGenerator: Bool? = nil
  public var threads: Int = 2
  public var logEvery: Int = 10
  /// Teacher-forced validation loss every this many steps (0 = never) on `evalExamples` valid functions.
  public var evalEvery: Int = 100
  public var evalExamples: Int = 256
  /// Valid functions decoded by beam search at the end (subtoken F1 in the log); 0 = none.
  public var finalEvalExamples: Int = 300
  public var checkpointMinutes: Double = 2
  /// The finished head this run started from (`--init-head`: its encoder, decoder and subtoken vocabulary); nil in
  /// runs from a pretrained (or random) encoder and in heads written before the option existed.
  public var initHead: NameWarmStart? = nil
  /// What the head reads beside the function (`--context`; `NameInputContext`); nil: the function alone, as in
  /// heads written before the option existed.
  public var inputContext: NameInputContext? = nil
  /// The share of training functions given without their context (`--context-dropout`); nil: none.
  public var inputContextDropout: Double? = nil

  public init() {}

  public func validate() throws {
    guard steps > 0 || maxMinutes > 0 else { throw PretrainError.invalidConfig("give --steps or --max-minutes") }
    guard batchSize > 0, learningRate > 0, decoderLayers > 0, subtokenVocab > 8, maxSubtokens > 0 else {
      throw PretrainError.invalidConfig("batch, learning rate, decoder layers and vocabulary must be positive")
    }
  }
}

/// Which finished head a warm-started run began from (recorded in its recipe).
public struct NameWarmStart: Codable, Sendable, Equatable {
  /// The head folder as given.
  public var path: String
  /// Its optimiser steps and functions seen (its own run's, not counting any warm start before it).
  public var steps: Int
  public var examplesSeen: Int
  /// sha256 of its `encoder.safetensors` and `decoder.safetensors`.
  public var encoderSHA256: String
  public var decoderSHA256: String

  public init(path: String, steps: Int, examplesSeen: Int, encoderSHA256: String, decoderSHA256: String) {
    self.path = path
    self.steps = steps
    self.examplesSeen = examplesSeen
    self.encoderSHA256 = encoderSHA256
    self.decoderSHA256 = decoderSHA256
  }
}
