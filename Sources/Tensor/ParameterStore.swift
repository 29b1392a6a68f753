import COpenBLAS

// MARK: - Layout

/// The names and shapes of a model's parameters, in storage order. A model adds its parameters once and
/// keeps the returned offsets; `ParameterStore` then lays them out back to back in one buffer.
public struct ParameterLayout: Sendable, Equatable {
  /// One named parameter: where it starts in the flat buffer and its shape.
  public struct Entry: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public let offset: Int
    public var count: Int { shape.reduce(1, *) }
    /// Whether AdamW applies weight decay (matrices yes; biases, norms and vectors no).
    public let decay: Bool
  }

  /// The parameters in storage order.
  public private(set) var entries: [Entry] = []
  /// The total number of floats.
  public private(set) var count = 0

  public init() {}

  /// Appends a parameter and returns its offset in the flat buffer.
  @discardableResult
  public mutating func add(_ name: String, _ shape: [Int], decay: Bool? = nil) -> Int {
    precondition(!entries.contains { $0.name == name }, "ParameterLayout: duplicate name \(name)")
    let offset = count
    entries.append(Entry(name: name, shape: shape, offset: offset, decay: decay ?? (shape.count >= 2)))
    count += shape.reduce(1, *)
    return offset
  }
}

// MARK: - Storage

/// Every parameter of a model in one contiguous `Float` buffer, with a gradient buffer that mirrors it.
/// Because the buffer is flat, zeroing gradients, clipping, AdamW and the MoCo momentum update are each a
/// single pass (the EMA update is one `saxpby`).
public final class ParameterStore: @unchecked Sendable {
  /// Names, shapes and offsets.
  public let layout: ParameterLayout
  /// The number of floats.
  public var count: Int { layout.count }
  /// The parameters.
  public let data: UnsafeMutablePointer<Float>
  /// The gradients, same layout as `data`.
  public let grad: UnsafeMutablePointer<Float>
  private let index: [String: Int]
  /// The store whose parameters this one reads (nil: it owns `data`).
  public let sharedWith: ParameterStore?

  /// Zero-filled parameters and gradients for `layout`.
  public init(layout: ParameterLayout) {
    self.layout = layout
    let n = max(layout.count, 1)
    data = .allocate(capacity: n)
    data.initialize(repeating: 0, count: n)
    grad = .allocate(capacity: n)
    grad.initialize(repeating: 0, count: n)
    var index = [String: Int]()
    for (i, e) in layout.entries.enumerated() { index[e.name] = i }
    self.index = index
    sharedWith = nil
  }

  /// A store that reads `other`'s parameters (the same memory: an update of `other` is seen here) and has a
  /// zero-filled gradient buffer of its own. A replica of a model built on it computes a slice of a batch
  /// side by side with the others; `setGradients(toSumOf:)` then gathers their gradients into `other`.
  public init(sharingParametersOf other: ParameterStore) {
    let root = other.sharedWith ?? other
    layout = root.layout
    data = root.data
    let n = max(layout.count, 1)
    grad = .allocate(capacity: n)
    grad.initialize(repeating: 0, count: n)
    index = root.index
    sharedWith = root
  }

  deinit {
    if sharedWith == nil { data.deallocate() }
    grad.deallocate()
  }

  /// The entry called `name`, if any.
  public func entry(_ name: String) -> ParameterLayout.Entry? { index[name].map { layout.entries[$0] } }

  /// A view of the parameter called `name` (nil when there is none).
  public func tensor(_ name: String) -> Tensor? {
    entry(name).map { Tensor(view: data + $0.offset, shape: $0.shape, owner: self) }
  }

  /// A view of the gradient of the parameter called `name`.
  public func gradient(_ name: String) -> Tensor? {
    entry(name).map { Tensor(view: grad + $0.offset, shape: $0.shape, owner: self) }
  }

  // MARK: - Whole-buffer operations

  /// Sets every gradient to zero.
  public func zeroGrad() { grad.update(repeating: 0, count: count) }

  /// Copies all parameters from a store with the same layout.
  public func copyWeights(from other: ParameterStore) {
    precondition(other.layout == layout, "ParameterStore.copyWeights: layouts differ")
    data.update(from: other.data, count: count)
  }

  /// A new store with the same layout and a copy of the parameters (gradients zero).
  public func clone() -> ParameterStore {
    let s = ParameterStore(layout: layout)
    s.copyWeights(from: self)
    return s
  }

  /// The momentum (EMA) update: self = momentum · self + (1 - momentum) · other. MoCo's key encoder
  /// follows its query encoder this way.
  ///
  /// With `threads` > 1 a large store is cut into that many ranges, each one `saxpby` call side by side
  /// (OpenBLAS runs a single call on one thread). Every element is computed on its own by the same kernel, and
  /// the cuts fall on multiples of 1,024 elements (4 KiB), so each range starts with the whole buffer's
  /// alignment and the last one ends with its tail: the same bits as one call (tested).
  public func updateEMA(from other: ParameterStore, momentum: Float, threads: Int = 1) {
    precondition(other.layout == layout, "ParameterStore.updateEMA: layouts differ")
    let n = count
    let block = 1024
    let workers = min(max(threads, 1), n / (64 * block))
    guard workers > 1 else {
      cblas_saxpby(Int32(n), 1 - momentum, other.data, 1, momentum, data, 1)
      return
    }
    let (x, y) = (UnsafePointer(other.data), data)
    Parallel.forEachWorker(workers) { w in
      let start = (n / block) * w / workers * block
      let end = w == workers - 1 ? n : (n / block) * (w + 1) / workers * block
      cblas_saxpby(Int32(end - start), 1 - momentum, x + start, 1, momentum, y + start, 1)
    }
  }

  /// grad = Σ stores[s].grad, added in the order given for every element (deterministic whatever `threads`
  /// is: each worker owns a range of elements). The stores must have this layout.
  public func setGradients(toSumOf stores: [ParameterStore], threads: Int = 1) {
    precondition(!stores.isEmpty && stores.allSatisfy { $0.layout == layout }, "setGradients: layouts differ")
    let sources = stores.map { UnsafePointer($0.grad) }
    let g = grad
    Parallel.chunks(count, threads: threads) { s, e in
      (g + s).update(from: sources[0] + s, count: e - s)
      for src in sources.dropFirst() {
        for i in s..<e { g[i] += src[i] }
      }
    }
  }

  /// The Euclidean norm of all gradients together.
  public func gradNorm() -> Float {
    var s: Double = 0
    for i in 0..<count {
      let g = Double(grad[i])
      s += g * g
    }
    return Float(s.squareRoot())
  }

  /// Scales the gradients so their global norm is at most `maxNorm`; returns the norm before clipping.
  @discardableResult
  public func clipGradNorm(_ maxNorm: Float) -> Float {
    let norm = gradNorm()
    if norm > maxNorm, norm.isFinite {
      cblas_sscal(Int32(count), maxNorm / (norm + 1e-6), grad, 1)
    }
    return norm
  }

  /// Fills every matrix with N(0, std²) and vectors with `vectorFill` (use `initialize(_:)` per name to
  /// do more).
  public func initialize(std: Float, rng: inout TensorRandom) {
    for e in layout.entries where e.shape.count >= 2 {
      rng.fillNormal(data + e.offset, count: e.count, std: std)
    }
  }
}
