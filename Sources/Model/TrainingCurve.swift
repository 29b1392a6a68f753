import Foundation

// MARK: - Training curve as SVG

/// Draws a run's InfoNCE loss and held-out retrieval accuracy against the step as a standalone SVG a person
/// can open in any browser: loss on the left panel, top-1 and top-5 retrieval on the right.
public enum TrainingCurve {
  /// One logged training point.
  public struct LossPoint: Sendable, Equatable {
    public var step: Int
    public var loss: Double
  }
  /// One evaluation.
  public struct EvalPoint: Sendable, Equatable {
    public var step: Int
    public var top1: Double
    public var top5: Double
  }

  public static func svg(title: String, loss: [LossPoint], evals: [EvalPoint]) -> String {
    let width = 960.0
    let height = 380.0
    let panel = 400.0
    let top = 50.0
    let plotH = 270.0
    var out = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
      viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
      <rect width="100%" height="100%" fill="white"/>
      <text x="20" y="24" font-size="15">\(escape(title))</text>

      """
    let maxStep = Double(max(loss.map(\.step).max() ?? 1, evals.map(\.step).max() ?? 1, 1))
    // left panel: loss
    let lossValues = loss.map(\.loss).filter(\.isFinite)
    let lossMax = (lossValues.max() ?? 1) * 1.05
    let lossMin = min(0, lossValues.min() ?? 0)
    out += axes(x0: 60, y0: top, w: panel, h: plotH, xMax: maxStep, yMin: lossMin, yMax: lossMax, label: "InfoNCE loss")
    out += polyline(
      loss.filter { $0.loss.isFinite }.map { (Double($0.step), $0.loss) }, x0: 60, y0: top, w: panel,
      h: plotH, xMax: maxStep, yMin: lossMin, yMax: lossMax, color: "#1f77b4")
    // right panel: retrieval
    let x1 = 60 + panel + 90
    out += axes(
      x0: x1, y0: top, w: panel, h: plotH, xMax: maxStep, yMin: 0, yMax: 1,
      label: "held-out retrieval (\(evals.isEmpty ? "none yet" : "top-1 blue, top-5 orange"))")
    out += polyline(
      evals.map { (Double($0.step), $0.top1) }, x0: x1, y0: top, w: panel, h: plotH, xMax: maxStep,
      yMin: 0, yMax: 1, color: "#1f77b4", dots: true)
    out += polyline(
      evals.map { (Double($0.step), $0.top5) }, x0: x1, y0: top, w: panel, h: plotH, xMax: maxStep,
      yMin: 0, yMax: 1, color: "#ff7f0e", dots: true)
    out += "</svg>\n"
    return out
  }

  static func axes(
    x0: Double, y0: Double, w: Double, h: Double, xMax: Double, yMin: Double, yMax: Double,
    label: String
  ) -> String {
    var s = "<rect x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"none\" stroke=\"#444\"/>\n"
    s += "<text x=\"\(f(x0))\" y=\"\(f(y0 - 8))\">\(escape(label))</text>\n"
    for i in 0...4 {
      let fy = Double(i) / 4
      let y = y0 + h - fy * h
      let value = yMin + fy * (yMax - yMin)
      s += "<line x1=\"\(f(x0))\" y1=\"\(f(y))\" x2=\"\(f(x0 + w))\" y2=\"\(f(y))\" stroke=\"#ddd\"/>\n"
      s += "<text x=\"\(f(x0 - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(String(format: "%.2f", value))</text>\n"
      let x = x0 + fy * w
      s += "<text x=\"\(f(x))\" y=\"\(f(y0 + h + 16))\" text-anchor=\"middle\">\(Int((fy * xMax).rounded()))</text>\n"
    }
    s += "<text x=\"\(f(x0 + w / 2))\" y=\"\(f(y0 + h + 34))\" text-anchor=\"middle\">step</text>\n"
    return s
  }

  static func polyline(
    _ points: [(Double, Double)], x0: Double, y0: Double, w: Double, h: Double, xMax: Double,
    yMin: Double, yMax: Double, color: String, dots: Bool = false
  ) -> String {
    guard !points.isEmpty else { return "" }
    let span = max(yMax - yMin, 1e-9)
    let xy = points.map { (x0 + $0.0 / xMax * w, y0 + h - ($0.1 - yMin) / span * h) }
    var s = "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\""
    s += xy.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ") + "\"/>\n"
    if dots { for p in xy { s += "<circle cx=\"\(f(p.0))\" cy=\"\(f(p.1))\" r=\"3\" fill=\"\(color)\"/>\n" } }
    return s
  }

  static func f(_ x: Double) -> String { String(format: "%.1f", x) }

  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;")
  }
}
