import Dispatch
import Foundation
import Tensor

// MARK: - The fine-tuning loop every head trains with

/// The one fine-tuning loop of the heads: AdamW on each trained part (the encoder and the head's own
/// parameters, each with its learning-rate scale), gradient clipping, the head's learning-rate schedule,
/// training time that spans resumes, checkpoints on a step or minute period, and exact resume (the parts'
/// weights and optimizer moments are saved and restored bit for bit, and the head's data order is a function
/// of (seed, step)). A head gives it its own loss (`run`'s `step`), its schedule, and what it logs and keeps
/// in its checkpoint's `state.json`; `NameFinetuner` and `TypeHeadTraining` are the two callers.
public final class FineTuneLoop {
  /// One trained parameter store with its optimizer and its files in a checkpoint folder.
  public struct Part {
    public let store: ParameterStore
    public let optimizer: AdamW
    /// The part's learning rate is the schedule's times this.
    public let learningRateScale: Float
    /// The weights' file and the optimizer's file in a checkpoint folder.
    public let weightsFile: String
    public let optimizerFile: String

    public init(
      store: ParameterStore, weightDecay: Float, learningRateScale: Float = 1, weightsFile: String,
      optimizerFile: String
    ) {
      self.store = store
      self.optimizer = AdamW(for: store, weightDecay: weightDecay)
      self.learningRateScale = learningRateScale
      self.weightsFile = weightsFile
      self.optimizerFile = optimizerFile
    }
  }

  /// How gradients are clipped before each update.
  public enum Clipping: Sendable {
    /// One norm over every part's gradients together, scaled to at most this (0: no clipping).
    case together(Float)
    /// Each part's gradients on their own (`ParameterStore.clipGradNorm`).
    case each(Float)
  }

  /// When `run` calls its `checkpoint` closure.
  public enum CheckpointPeriod: Sendable {
    case steps(Int)
    case minutes(Double)
  }

  /// What one step did: its loss, the learning rate it used and the gradient norm before clipping.
  public struct Step: Sendable {
    public var loss: Float
    public var learningRate: Float
    public var gradientNorm: Float
  }

  public let parts: [Part]
  public let clipping: Clipping
  /// Optimizer steps taken (across resumes).
  public var step = 0
  /// Training seconds of earlier sessions (restored from a checkpoint's state).
  public var secondsBefore = 0.0
  private var sessionStart = FineTuneLoop.now()

  public init(parts: [Part], clipping: Clipping) {
    self.parts = parts
    self.clipping = clipping
  }

  /// Training seconds so far, earlier sessions included.
  public var elapsedSeconds: Double { secondsBefore + FineTuneLoop.now() - sessionStart }

  /// Seconds of this session.
  public var sessionSeconds: Double { FineTuneLoop.now() - sessionStart }

  /// Steps until `learningRate(step, elapsedSeconds)` returns nil (the schedule is over: steps or time budget
  /// reached) or `step` reaches `stopAt`. Each step: every part's gradients zeroed, `step(i)` runs the forward
  /// and backward of batch `i` and returns the loss, gradients clipped, each part updated with the rate times
  /// its scale, `step` advanced, `after` told; `checkpoint(elapsedSeconds)` when the period comes round.
  /// Returns true when the schedule ended, false when `stopAt` stopped it.
  @discardableResult
  public func run(
    stopAt: Int? = nil, checkpointEvery period: CheckpointPeriod, learningRate: (Int, Double) -> Float?,
    step forwardBackward: (Int) throws -> Float, after: (Step) throws -> Void, checkpoint: (Double) throws -> Void
  ) throws -> Bool {
    sessionStart = FineTuneLoop.now()
    var lastCheckpoint = sessionStart
    while true {
      if let stopAt, step >= stopAt { return false }
      guard let lr = learningRate(step, elapsedSeconds) else { return true }
      for part in parts { part.store.zeroGrad() }
      let loss = try forwardBackward(step)
      let norm = clip()
      for part in parts { part.optimizer.update(part.store, lr: lr * part.learningRateScale) }
      step += 1
      try after(Step(loss: loss, learningRate: lr, gradientNorm: norm))
      switch period {
      case .steps(let n):
        if step % max(n, 1) == 0 { try checkpoint(elapsedSeconds) }
      case .minutes(let m):
        if (FineTuneLoop.now() - lastCheckpoint) / 60 >= m {
          try checkpoint(elapsedSeconds)
          lastCheckpoint = FineTuneLoop.now()
        }
      }
    }
  }

  /// Clips the gradients as `clipping` says; returns the norm before clipping (together: of all parts; each:
  /// of the first part).
  func clip() -> Float {
    switch clipping {
    case .together(let maxNorm):
      var s: Double = 0
      for part in parts {
        let p = part.store
        for i in 0..<p.count { s += Double(p.grad[i]) * Double(p.grad[i]) }
      }
      let norm = Float(s.squareRoot())
      if maxNorm > 0, norm > maxNorm, norm.isFinite {
        let k = maxNorm / (norm + 1e-6)
        for part in parts {
          let p = part.store
          for i in 0..<p.count { p.grad[i] *= k }
        }
      }
      return norm
    case .each(let maxNorm):
      let norms = parts.map { $0.store.clipGradNorm(maxNorm) }
      return norms.first ?? 0
    }
  }

  // MARK: Checkpoints

  /// Writes every part's weights and optimizer state into `dir`, then `state` as `state.json` (last: a folder
  /// without it, interrupted mid-write, is not resumed from).
  public func checkpoint<State: Encodable>(to dir: URL, state: State) throws {
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    for part in parts {
      try part.store.save(to: dir.appendingPathComponent(part.weightsFile).path)
      try part.optimizer.save(to: dir.appendingPathComponent(part.optimizerFile).path)
    }
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    try e.encode(state).write(to: dir.appendingPathComponent(Self.stateFile))
  }

  /// The `state.json` of the checkpoint in `dir` decoded as `State`, or nil when there is none (or it does
  /// not decode).
  public static func state<State: Decodable>(_ type: State.Type, in dir: URL) -> State? {
    guard let data = FileManager.default.contents(atPath: dir.appendingPathComponent(stateFile).path) else {
      return nil
    }
    return try? JSONDecoder().decode(State.self, from: data)
  }

  /// Loads every part's weights and optimizer state from the checkpoint in `dir` (names and shapes must
  /// match), and sets `step` and `secondsBefore`.
  public func restore(from dir: URL, step: Int, seconds: Double) throws {
    for part in parts {
      try part.store.load(from: dir.appendingPathComponent(part.weightsFile).path)
      try part.optimizer.load(from: dir.appendingPathComponent(part.optimizerFile).path)
    }
    self.step = step
    secondsBefore = seconds
  }

  /// The checkpoint's state file.
  public static let stateFile = "state.json"

  static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
