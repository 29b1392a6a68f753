import CKernels

// MARK: - Vectorised exp and friends

/// exp, sigmoid and the GELU used by the hot elementwise loops, eight lanes at a time. libm's `expf` and
/// `tanhf` are scalar calls that LLVM cannot vectorise; these are plain arithmetic it can. `exp` is
/// accurate to a few ulp over the clamped range [-87, 88] (range reduction to 2ⁿ · e^g with |g| ≤ ln2/2
/// and a degree-7 Taylor polynomial).
public enum FastMath {
  public typealias V = SIMD8<Float>

  /// e^x lane by lane.
  @inline(__always)
  public static func exp(_ x: V) -> V {
    var xc = x
    xc.replace(with: -87, where: x .< -87)
    xc.replace(with: 88, where: x .> 88)
    // adding 1.5·2²³ rounds t to an integer n held in the low mantissa bits (no int conversion, which
    // Swift's generic SIMD code does lane by lane)
    let shifted = xc * 1.442_695_040_888_963_4 + 12_582_912
    let n = shifted - 12_582_912
    let g = (xc - n * 0.693_145_751_953_125) - n * 1.428_606_765_330_187_0e-06
    var p = V(repeating: 1.0 / 5040)
    p = p * g + 1.0 / 720
    p = p * g + 1.0 / 120
    p = p * g + 1.0 / 24
    p = p * g + 1.0 / 6
    p = p * g + 0.5
    p = p * g + 1
    p = p * g + 1
    let bits = (unsafeBitCast(shifted, to: SIMD8<UInt32>.self) &- 0x4B40_0000 &+ 127) &<< 23
    return p * unsafeBitCast(bits, to: V.self)
  }

  /// e^x for one value (same method as the vector form).
  @inline(__always)
  public static func exp(_ x: Float) -> Float { exp(V(repeating: x))[0] }

  /// The index of the first largest of `count` values (CKernels' `ci_argmax`, sixteen lanes): what a scan
  /// keeping the first strictly larger value finds.
  public static func argmax(_ values: UnsafePointer<Float>, count: Int) -> Int { ci_argmax(values, count) }

  @inline(__always)
  static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }

  @inline(__always)
  static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
  }
}
