import CKernels
import Foundation

// MARK: - AdamW

/// Adam with decoupled weight decay (Loshchilov & Hutter), over a whole `ParameterStore` in one pass.
/// Weight decay applies only to entries whose layout says `decay` (matrices by default).
public final class AdamW: @unchecked Sendable {
  public var beta1: Float
  public var beta2: Float
  public var eps: Float
  public var weightDecay: Float
  /// Workers for the update of large tensors (each element is updated on its own, so the result is the
  /// same for every value).
  public var threads = 1
  /// The number of steps taken (the bias correction uses it).
  public private(set) var step = 0
  /// First and second moment estimates, same layout as the parameters.
  public let m: UnsafeMutablePointer<Float>
  public let v: UnsafeMutablePointer<Float>
  private let count: Int
  private let decayMask: [Bool]
  private let entries: [ParameterLayout.Entry]

  /// Optimizer state for `store`'s layout.
  public init(
    for store: ParameterStore, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0.01
  ) {
    self.beta1 = beta1
    self.beta2 = beta2
    self.eps = eps
    self.weightDecay = weightDecay
    count = store.count
    entries = store.layout.entries
    decayMask = entries.map(\.decay)
    m = .allocate(capacity: max(count, 1))
    m.initialize(repeating: 0, count: max(count, 1))
    v = .allocate(capacity: max(count, 1))
    v.initialize(repeating: 0, count: max(count, 1))
  }

  deinit {
    m.deallocate()
    v.deallocate()
  }

  /// Restores the step counter (when resuming from a checkpoint that saved `m` and `v`).
  public func restore(step: Int) { self.step = step }

  // MARK: - Checkpoints

  /// Writes the moments (`m.<name>`, `v.<name>` per parameter) and the step count, so a resumed run
  /// continues exactly.
  public func save(to path: String, metadata: [String: String] = [:]) throws {
    var items = [Safetensors.Item]()
    for e in entries {
      items.append(Safetensors.Item(name: "m." + e.name, shape: e.shape, data: m + e.offset))
      items.append(Safetensors.Item(name: "v." + e.name, shape: e.shape, data: v + e.offset))
    }
    var meta = metadata
    meta["format"] = "codeintel-adamw"
    meta["format_version"] = ParameterStore.formatVersion
    meta["step"] = String(step)
    try Safetensors.write(items, metadata: meta, to: path)
  }

  /// Reads moments and step count written by `save` for the same parameter layout.
  public func load(from path: String) throws {
    let file = try Safetensors.read(path: path)
    let version = file.metadata["format_version"] ?? "none"
    guard version == ParameterStore.formatVersion else {
      throw TensorError.version(path: path, found: version, expected: ParameterStore.formatVersion)
    }
    guard let stepText = file.metadata["step"], let saved = Int(stepText) else {
      throw TensorError.malformed(path: path, reason: "the optimizer state has no step count")
    }
    for e in entries {
      for (prefix, dst) in [("m.", m), ("v.", v)] {
        guard let values = file.values[prefix + e.name], file.shapes[prefix + e.name] == e.shape else {
          throw TensorError.mismatch(
            path: path, reason: "optimizer state for \(e.name) is missing or has another shape")
        }
        for (i, x) in values.enumerated() { dst[e.offset + i] = x }
      }
    }
    step = saved
  }

  /// One update of `store.data` from `store.grad` with learning rate `lr` (the loop runs in CKernels'
  /// `ci_adamw`; `referenceUpdate` is the same arithmetic in Swift, which the tests compare it with).
  ///
  /// With `gradScale`, the update reads each gradient times that factor, as if the gradients had been scaled
  /// in place first (global-norm clipping: `grad[i] *= scale`, then `update`): the same bits, one pass over
  /// the gradients fewer, and the scaling split over `threads` with the rest; `store.grad` is left unscaled.
  public func update(_ store: ParameterStore, lr: Float, gradScale: Float? = nil) {
    precondition(store.count == count, "AdamW: the store's size changed")
    step += 1
    let b1 = beta1
    let b2 = beta2
    let c1 = 1 / (1 - Float(pow(Double(b1), Double(step))))
    let c2 = 1 / (1 - Float(pow(Double(b2), Double(step))))
    let p = store.data
    let g = store.grad
    let m = self.m
    let v = self.v
    let eps = self.eps
    for (e, decay) in zip(entries, decayMask) {
      let wd = decay ? lr * weightDecay : 0
      Parallel.chunks(e.count, threads: threads) { s, end in
        let i = e.offset + s
        if let gradScale {
          ci_adamw_scaled(p + i, g + i, m + i, v + i, end - s, b1, b2, c1, c2, lr, eps, wd, gradScale)
        } else {
          ci_adamw(p + i, g + i, m + i, v + i, end - s, b1, b2, c1, c2, lr, eps, wd)
        }
      }
    }
  }
}

extension AdamW {
  /// `update` as a Swift loop (the kernel before CKernels): the same bits.
  func referenceUpdate(_ store: ParameterStore, lr: Float) {
    step += 1
    let (b1, b2) = (beta1, beta2)
    let c1 = 1 / (1 - Float(pow(Double(b1), Double(step))))
    let c2 = 1 / (1 - Float(pow(Double(b2), Double(step))))
    let (p, g, m, v) = (store.data, store.grad, self.m, self.v)
    for (e, decay) in zip(entries, decayMask) {
      let wd = decay ? lr * weightDecay : 0
      for i in e.offset..<(e.offset + e.count) {
        let gi = g[i]
        let mi = b1 * m[i] + (1 - b1) * gi
        let vi = b2 * v[i] + (1 - b2) * gi * gi
        m[i] = mi
        v[i] = vi
        p[i] -= lr * (mi * c1) / ((vi * c2).squareRoot() + eps) + wd * p[i]
      }
    }
  }
}

// MARK: - Learning-rate schedule

/// Linear warm-up to `peak`, then linear or cosine decay to `floor` at `total` steps (constant after).
public struct LearningRateSchedule: Sendable, Equatable {
  /// How the rate falls after warm-up.
  public enum Decay: String, Sendable, Equatable { case constant, linear, cosine }

  public var peak: Float
  public var floor: Float
  public var warmup: Int
  public var total: Int
  public var decay: Decay

  public init(peak: Float, warmup: Int, total: Int, decay: Decay = .cosine, floor: Float = 0) {
    self.peak = peak
    self.floor = floor
    self.warmup = warmup
    self.total = total
    self.decay = decay
  }

  /// The rate for 0-based `step`.
  public func rate(at step: Int) -> Float {
    if step < warmup { return peak * Float(step + 1) / Float(warmup) }
    let span = max(total - warmup, 1)
    let progress = min(Float(step - warmup) / Float(span), 1)
    switch decay {
    case .constant: return peak
    case .linear: return floor + (peak - floor) * (1 - progress)
    case .cosine: return floor + (peak - floor) * 0.5 * (1 + Float(cos(Double.pi * Double(progress))))
    }
  }
}
