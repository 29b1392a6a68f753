// MARK: - Tensor

/// A dense, row-major tensor over contiguous `Float` storage.
///
/// `Tensor` is a reference type: layers hold their activation buffers as tensors and write into them in
/// place, so a training step allocates nothing once the buffers exist. A tensor either owns its memory or
/// is a view into another owner (a `ParameterStore`'s flat buffer); a view keeps its owner alive.
///
/// Gradients are not tracked by the tensor itself: every op is a pair of static `forward`/`backward`
/// functions on raw pointers (see `docs/TENSOR.md` for why), and a layer keeps the buffers its backward
/// pass needs.
public final class Tensor: @unchecked Sendable {
  /// The extent of each axis, outermost first.
  public let shape: [Int]
  /// The number of elements, the product of `shape`.
  public let count: Int
  /// The first element. Valid for `count` elements while this tensor is alive.
  public let data: UnsafeMutablePointer<Float>
  private let owner: AnyObject?

  // MARK: - Creating

  /// A zero-filled tensor of the given shape.
  public init(zeros shape: [Int]) {
    self.shape = shape
    count = shape.reduce(1, *)
    data = .allocate(capacity: max(count, 1))
    data.initialize(repeating: 0, count: max(count, 1))
    owner = nil
  }

  /// A tensor holding a copy of `values`, which must have `shape.reduce(1, *)` elements.
  public convenience init(_ values: [Float], shape: [Int]) {
    self.init(zeros: shape)
    precondition(values.count == count, "Tensor: \(values.count) values do not fill shape \(shape)")
    values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
  }

  /// A tensor of normally distributed values with the given standard deviation.
  public convenience init(normal shape: [Int], std: Float, rng: inout TensorRandom) {
    self.init(zeros: shape)
    rng.fillNormal(data, count: count, std: std)
  }

  /// A view of `count(shape)` elements at `data`, kept valid by `owner`.
  public init(view data: UnsafeMutablePointer<Float>, shape: [Int], owner: AnyObject) {
    self.shape = shape
    count = shape.reduce(1, *)
    self.data = data
    self.owner = owner
  }

  deinit {
    if owner == nil { data.deallocate() }
  }

  // MARK: - Reading and writing

  /// The elements in row-major order.
  public var array: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

  /// The element at a flat row-major index.
  public subscript(_ i: Int) -> Float {
    get { data[i] }
    set { data[i] = newValue }
  }

  /// Sets every element to `value`.
  public func fill(_ value: Float) { data.update(repeating: value, count: count) }

  /// Copies the elements of `other`, which must have the same element count.
  public func copy(from other: Tensor) {
    precondition(other.count == count, "Tensor.copy: \(other.shape) into \(shape)")
    data.update(from: other.data, count: count)
  }

  /// A view of the same memory under another shape with the same element count.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    precondition(newShape.reduce(1, *) == count, "Tensor.reshaped: \(shape) cannot become \(newShape)")
    return Tensor(view: data, shape: newShape, owner: self)
  }

  /// A new tensor holding a copy of this one's elements.
  public func clone() -> Tensor {
    let t = Tensor(zeros: shape)
    t.copy(from: self)
    return t
  }
}

// MARK: - Growable buffers

/// A scratch buffer that grows to the largest size asked of it and is reused between calls; layers
/// keep their activations in these so that a training step at a fixed batch shape allocates nothing.
public final class Buffer: @unchecked Sendable {
  /// The first element; valid for `capacity` elements.
  public private(set) var data: UnsafeMutablePointer<Float>
  /// The number of elements allocated.
  public private(set) var capacity: Int

  /// A buffer with room for `capacity` floats, zero-filled.
  public init(capacity: Int = 0) {
    self.capacity = max(capacity, 1)
    data = .allocate(capacity: self.capacity)
    data.initialize(repeating: 0, count: self.capacity)
  }

  /// Makes room for `count` floats (the contents are lost when it grows) and returns the pointer.
  @discardableResult
  public func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
    if count > capacity {
      data.deallocate()
      capacity = count
      data = .allocate(capacity: count)
      data.initialize(repeating: 0, count: count)
    }
    return data
  }

  /// Sets the first `count` elements to zero.
  public func zero(_ count: Int) { data.update(repeating: 0, count: min(count, capacity)) }

  deinit { data.deallocate() }
}
