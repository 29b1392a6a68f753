// MARK: - Broadcasting arithmetic

/// Elementwise add, subtract and multiply with NumPy broadcasting (shapes aligned at the right; an axis of
/// extent 1 stretches). The backward pass sums the gradient over the stretched axes.
public enum Broadcast {
  /// Which elementwise operation.
  public enum Op: Sendable { case add, sub, mul }

  /// The broadcast result shape of `a` and `b`, or nil when they are incompatible.
  public static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = max(a.count, b.count)
    let pa = Array(repeating: 1, count: rank - a.count) + a
    let pb = Array(repeating: 1, count: rank - b.count) + b
    var out = [Int]()
    for (x, y) in zip(pa, pb) {
      if x == y || y == 1 { out.append(x) } else if x == 1 { out.append(y) } else { return nil }
    }
    return out
  }

  /// Row-major strides of `shape` seen inside `outShape`, with 0 on stretched axes.
  static func strides(_ shape: [Int], in outShape: [Int]) -> [Int] {
    let padded = Array(repeating: 1, count: outShape.count - shape.count) + shape
    var strides = Array(repeating: 0, count: outShape.count)
    var s = 1
    for i in stride(from: outShape.count - 1, through: 0, by: -1) {
      strides[i] = padded[i] == 1 ? 0 : s
      s *= padded[i]
    }
    return strides
  }

  /// Calls `body(flatOut, offsetA, offsetB)` for every output element in order.
  @inline(__always)
  static func walk(_ outShape: [Int], _ sa: [Int], _ sb: [Int], _ body: (Int, Int, Int) -> Void) {
    let rank = outShape.count
    let total = outShape.reduce(1, *)
    if rank == 0 {
      body(0, 0, 0)
      return
    }
    var index = Array(repeating: 0, count: rank)
    var oa = 0
    var ob = 0
    for o in 0..<total {
      body(o, oa, ob)
      var d = rank - 1
      while d >= 0 {
        index[d] += 1
        oa += sa[d]
        ob += sb[d]
        if index[d] < outShape[d] { break }
        oa -= sa[d] * outShape[d]
        ob -= sb[d] * outShape[d]
        index[d] = 0
        d -= 1
      }
    }
  }

  /// out: outShape = a ⊙ b with broadcasting.
  public static func forward(
    _ op: Op, out: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>, aShape: [Int],
    b: UnsafePointer<Float>, bShape: [Int], outShape: [Int]
  ) {
    let sa = strides(aShape, in: outShape)
    let sb = strides(bShape, in: outShape)
    switch op {
    case .add: walk(outShape, sa, sb) { o, i, j in out[o] = a[i] + b[j] }
    case .sub: walk(outShape, sa, sb) { o, i, j in out[o] = a[i] - b[j] }
    case .mul: walk(outShape, sa, sb) { o, i, j in out[o] = a[i] * b[j] }
    }
  }

  /// da += ∂/∂a, db += ∂/∂b, summing over broadcast axes.
  public static func backward(
    _ op: Op, da: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
    a: UnsafePointer<Float>, aShape: [Int], b: UnsafePointer<Float>, bShape: [Int], outShape: [Int]
  ) {
    let sa = strides(aShape, in: outShape)
    let sb = strides(bShape, in: outShape)
    walk(outShape, sa, sb) { o, i, j in
      let g = dout[o]
      switch op {
      case .add:
        da?[i] += g
        db?[j] += g
      case .sub:
        da?[i] += g
        db?[j] -= g
      case .mul:
        da?[i] += g * b[j]
        db?[j] += g * a[i]
      }
    }
  }
}

// MARK: - Scale

/// Multiplication by a constant.
public enum Scale {
  /// out = s · inp
  public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, s: Float, count: Int) {
    for i in 0..<count { out[i] = s * inp[i] }
  }

  /// dinp += s · dout
  public static func backward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, s: Float, count: Int) {
    for i in 0..<count { dinp[i] += s * dout[i] }
  }
}
