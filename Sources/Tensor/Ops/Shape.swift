// MARK: - Reductions and shape ops
//
// An axis op sees its tensor as (outer, n, inner): `outer` is the product of the axes before the axis,
// `n` the axis itself and `inner` the product of the axes after it. Reshape needs no op: it is a view
// (`Tensor.reshaped`) and its gradient is the same memory under the old shape.

/// Sum or mean over one axis.
public enum Reduce {
  /// out: (outer, inner) = Σⱼ inp: (outer, n, inner), divided by n when `mean`.
  public static func forward(
    out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, mean: Bool = false
  ) {
    let s: Float = mean ? 1 / Float(n) : 1
    for o in 0..<outer {
      let dst = out + o * inner
      dst.update(repeating: 0, count: inner)
      for j in 0..<n {
        let src = inp + (o * n + j) * inner
        for i in 0..<inner { dst[i] += src[i] }
      }
      for i in 0..<inner { dst[i] *= s }
    }
  }

  /// dinp: (outer, n, inner) += dout: (outer, inner) (divided by n when `mean`)
  public static func backward(
    dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, mean: Bool = false
  ) {
    let s: Float = mean ? 1 / Float(n) : 1
    for o in 0..<outer {
      for j in 0..<n {
        let dst = dinp + (o * n + j) * inner
        let src = dout + o * inner
        for i in 0..<inner { dst[i] += s * src[i] }
      }
    }
  }
}

/// Permutation of axes (transpose is the two-axis case).
public enum Permute {
  /// The shape after moving input axis `perm[k]` to position k.
  public static func shape(_ shape: [Int], _ perm: [Int]) -> [Int] { perm.map { shape[$0] } }

  /// out = inp with axes permuted: out axis k is input axis perm[k].
  public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, shape: [Int], perm: [Int]) {
    copy(out: out, inp: inp, shape: shape, perm: perm, accumulate: false)
  }

  /// dinp += inverse-permuted dout.
  public static func backward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, shape: [Int], perm: [Int])
  {
    var inverse = Array(repeating: 0, count: perm.count)
    for (k, p) in perm.enumerated() { inverse[p] = k }
    copy(out: dinp, inp: dout, shape: Permute.shape(shape, perm), perm: inverse, accumulate: true)
  }

  static func copy(
    out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, shape: [Int], perm: [Int], accumulate: Bool
  ) {
    let outShape = Permute.shape(shape, perm)
    var inStrides = Array(repeating: 1, count: shape.count)
    for i in stride(from: shape.count - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
    let sa = perm.map { inStrides[$0] }
    let zeros = Array(repeating: 0, count: shape.count)
    if accumulate {
      Broadcast.walk(outShape, sa, zeros) { o, i, _ in out[o] += inp[i] }
    } else {
      Broadcast.walk(outShape, sa, zeros) { o, i, _ in out[o] = inp[i] }
    }
  }
}

/// Concatenation along one axis; `Split` is its backward pass and `Slice` takes one part.
public enum Concat {
  /// out: (outer, Σ sizes, inner) = the parts (outer, sizes[k], inner) side by side.
  public static func forward(
    out: UnsafeMutablePointer<Float>, parts: [UnsafePointer<Float>], sizes: [Int], outer: Int, inner: Int
  ) {
    let total = sizes.reduce(0, +)
    for o in 0..<outer {
      var offset = 0
      for (p, n) in zip(parts, sizes) {
        (out + (o * total + offset) * inner).update(from: p + o * n * inner, count: n * inner)
        offset += n
      }
    }
  }

  /// dparts[k] += the matching block of dout.
  public static func backward(
    dparts: [UnsafeMutablePointer<Float>], dout: UnsafePointer<Float>, sizes: [Int], outer: Int, inner: Int
  ) {
    let total = sizes.reduce(0, +)
    for o in 0..<outer {
      var offset = 0
      for (p, n) in zip(dparts, sizes) {
        let src = dout + (o * total + offset) * inner
        let dst = p + o * n * inner
        for i in 0..<(n * inner) { dst[i] += src[i] }
        offset += n
      }
    }
  }
}

/// A contiguous range [start, start + length) of one axis.
public enum Slice {
  /// out: (outer, length, inner) = inp: (outer, n, inner)[:, start..<start+length, :]
  public static func forward(
    out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, outer: Int, n: Int, inner: Int,
    start: Int, length: Int
  ) {
    for o in 0..<outer {
      (out + o * length * inner).update(from: inp + (o * n + start) * inner, count: length * inner)
    }
  }

  /// dinp[:, start..<start+length, :] += dout
  public static func backward(
    dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, outer: Int, n: Int, inner: Int,
    start: Int, length: Int
  ) {
    for o in 0..<outer {
      let dst = dinp + (o * n + start) * inner
      let src = dout + o * length * inner
      for i in 0..<(length * inner) { dst[i] += src[i] }
    }
  }
}

/// Splitting along one axis into consecutive parts: the reverse of `Concat`.
public enum Split {
  /// parts[k]: (outer, sizes[k], inner) = consecutive blocks of inp: (outer, Σ sizes, inner)
  public static func forward(
    parts: [UnsafeMutablePointer<Float>], inp: UnsafePointer<Float>, sizes: [Int], outer: Int, inner: Int
  ) {
    let total = sizes.reduce(0, +)
    var start = 0
    for (p, n) in zip(parts, sizes) {
      Slice.forward(out: p, inp: inp, outer: outer, n: total, inner: inner, start: start, length: n)
      start += n
    }
  }

  /// dinp += the parts' gradients placed back side by side.
  public static func backward(
    dinp: UnsafeMutablePointer<Float>, dparts: [UnsafePointer<Float>], sizes: [Int], outer: Int, inner: Int
  ) {
    let total = sizes.reduce(0, +)
    var start = 0
    for (p, n) in zip(dparts, sizes) {
      Slice.backward(dinp: dinp, dout: p, outer: outer, n: total, inner: inner, start: start, length: n)
      start += n
    }
  }
}
