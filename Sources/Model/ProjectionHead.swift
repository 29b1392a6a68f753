import Foundation
import Tensor

// MARK: - Projection head

/// ContraCode's 2-layer projection head on the pooled embedding, followed by L2 normalisation:
/// x (n, d) → fc1 (d → d) → ReLU → fc2 (d → p) → y / ‖y‖ (n, p).
///
/// Its parameters live in their own `ParameterStore`, so MoCo's key head follows the query head with one EMA.
public final class ProjectionHead: @unchecked Sendable {
  public let inputDim: Int
  public let outputDim: Int
  public let parameters: ParameterStore
  let fc1w: Int, fc1b: Int, fc2w: Int, fc2b: Int

  // activations (n rows) and gradient scratch
  var n = 0
  var input: UnsafePointer<Float>?
  let h1 = Buffer(), r = Buffer(), z = Buffer(), y = Buffer(), norms = Buffer()
  let dz = Buffer(), dr = Buffer(), dh1 = Buffer(), dx = Buffer()

  /// A freshly initialised head (PyTorch's Linear default: U(±1/√fan_in) for weights and biases).
  public convenience init(inputDim: Int, outputDim: Int, seed: UInt64) {
    self.init(inputDim: inputDim, outputDim: outputDim, seed: seed, sharing: nil)
  }

  /// A replica for data parallelism: reads this head's weights (the same memory), with gradients and
  /// activations of its own.
  public func replica() -> ProjectionHead {
    ProjectionHead(inputDim: inputDim, outputDim: outputDim, seed: 0, sharing: parameters)
  }

  init(inputDim: Int, outputDim: Int, seed: UInt64, sharing: ParameterStore?) {
    self.inputDim = inputDim
    self.outputDim = outputDim
    var layout = ParameterLayout()
    fc1w = layout.add("head.fc1.weight", [inputDim, inputDim])
    fc1b = layout.add("head.fc1.bias", [inputDim])
    fc2w = layout.add("head.fc2.weight", [outputDim, inputDim])
    fc2b = layout.add("head.fc2.bias", [outputDim])
    if let sharing {
      precondition(sharing.layout == layout, "ProjectionHead.replica: the layouts differ")
      parameters = ParameterStore(sharingParametersOf: sharing)
      return
    }
    parameters = ParameterStore(layout: layout)
    var rng = TensorRandom(seed: seed)
    let bound = 1 / Float(inputDim).squareRoot()
    for e in layout.entries { rng.fillUniform(parameters.data + e.offset, count: e.count, bound: bound) }
  }

  /// A head with the same shape and a copy of the weights.
  public func clone() -> ProjectionHead {
    let h = ProjectionHead(inputDim: inputDim, outputDim: outputDim, seed: 0)
    h.parameters.copyWeights(from: parameters)
    return h
  }

  // MARK: Forward and backward

  /// Unit-length projections, (n, outputDim); valid until the next `forward`. Keeps `x` for `backward`:
  /// it must stay valid until then.
  @discardableResult
  public func forward(_ x: UnsafePointer<Float>, n: Int) -> UnsafePointer<Float> {
    self.n = n
    input = x
    let (d, p) = (inputDim, outputDim)
    let w = parameters.data
    let h1 = self.h1.reserve(n * d)
    let r = self.r.reserve(n * d)
    let z = self.z.reserve(n * p)
    let y = self.y.reserve(n * p)
    let norms = self.norms.reserve(n)
    // h1: (n, d) = x · W1ᵀ + b1;  r = relu(h1);  z: (n, p) = r · W2ᵀ + b2;  y = z / ‖z‖
    Linear.forward(out: h1, inp: x, weight: w + fc1w, bias: w + fc1b, n: n, c: d, oc: d)
    ReLU.forward(out: r, inp: h1, count: n * d)
    Linear.forward(out: z, inp: r, weight: w + fc2w, bias: w + fc2b, n: n, c: d, oc: p)
    L2Normalize.forward(out: y, norms: norms, inp: z, n: n, c: p)
    return UnsafePointer(y)
  }

  /// Back-propagates dy (n, p) from the last `forward`, adding into `parameters.grad`; returns dx (n, d),
  /// valid until the next `backward`.
  public func backward(dy: UnsafePointer<Float>) -> UnsafePointer<Float> {
    let (d, p) = (inputDim, outputDim)
    let w = parameters.data
    let g = parameters.grad
    guard let x = input else { preconditionFailure("ProjectionHead.backward before forward") }
    let dz = self.dz.reserve(n * p)
    let dr = self.dr.reserve(n * d)
    let dh1 = self.dh1.reserve(n * d)
    let dx = self.dx.reserve(n * d)
    dz.update(repeating: 0, count: n * p)
    L2Normalize.backward(dinp: dz, dout: dy, out: y.data, norms: norms.data, n: n, c: p)
    Linear.backward(
      dinp: dr, dweight: g + fc2w, dbias: g + fc2b, dout: dz, inp: r.data, weight: w + fc2w,
      n: n, c: d, oc: p, overwriteInput: true)
    dh1.update(repeating: 0, count: n * d)
    ReLU.backward(dinp: dh1, inp: h1.data, dout: dr, count: n * d)
    Linear.backward(
      dinp: dx, dweight: g + fc1w, dbias: g + fc1b, dout: dh1, inp: x, weight: w + fc1w,
      n: n, c: d, oc: d, overwriteInput: true)
    return UnsafePointer(dx)
  }
}
