import Foundation
import Syntax
import Testing
import Tokenizer

@testable import Heads

private let modelDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("Models/contracode-moco-small")

private let source = """
  import { Node } from "./node";
  interface Registry { byName: Map<string, Node>; }
  class Box<T> { constructor(public value) {} }
  function wrap<T>(value, all) { return new Box(value); }
  function plain(name) { return name; }

  """

@Suite("Composed type candidates and the display threshold")
struct TypeCompositionTests {
  func preparer(_ vocabulary: [String] = ["string"]) throws -> TypeHeadPreparer {
    let tokenizer = try Tokenizer.load(from: modelDirectory.appendingPathComponent("tokenizer.json"))
    return TypeHeadPreparer(tokenizer: tokenizer, vocabulary: vocabulary, windowLength: 128)
  }

  func offset(of needle: String) -> Int {
    let bytes = Array(source.utf8)
    let n = Array(needle.utf8)
    let i = (0...(bytes.count - n.count)).first { Array(bytes[$0..<($0 + n.count)]) == n }!
    return i + n.count
  }

  @Test("pieces: generics with their arity, type parameters, the file's own type expressions")
  func pieces() throws {
    let tree = try Parser(language: .typescript).parse(source)
    let pieces = TypeCompositionPieces(tree: tree)
    #expect(pieces.names.map(\.name) == ["Node", "Registry", "Box"])
    #expect(pieces.generics.map(\.name) == ["Map", "Box"])
    #expect(pieces.generics.map(\.arity) == [2, 1])
    #expect(pieces.typeParameters == ["T"])
    #expect(pieces.mentioned == ["Map<string,Node>"])
  }

  @Test("generic candidates with a type parameter are offered only where it is in scope")
  func typeParametersInScope() throws {
    let sites = [
      TypeHeadSite(kind: "parameter", name: "value", offset: offset(of: "wrap<T>(value"), typeParameters: ["T"]),
      TypeHeadSite(kind: "parameter", name: "name", offset: offset(of: "plain(name")),
    ]
    let file = try preparer().prepare(
      text: source, tsx: false, sites: sites, labels: ["Box<T>", "Box<T>"])
    func offered(_ site: Int) -> [String] { file.offers[site].map { file.candidateTexts[$0.candidate] } }
    for t in ["T", "T[]", "T|undefined", "Promise<T>", "Box<T>", "Map<string,T>", "Box<Node>", "Box<string>"] {
      #expect(offered(0).contains(t), "\(t) offered where T is in scope")
    }
    #expect(offered(0).contains("Map<string,Node>"))
    #expect(!offered(1).contains { $0.split { !$0.isLetter }.contains("T") }, "no T outside its declaration")
    #expect(offered(1).contains("Box<Node>") && offered(1).contains("Record<string,Node>"))
    // The target is the site's own offer (vocabulary 1 + "other" before the offers); out of scope it is "other".
    let boxT = try #require(offered(0).firstIndex(of: "Box<T>"))
    #expect(file.targets[0] == 2 + boxT)
    #expect(file.targets[1] == 1)
    // The fourth pair feature marks a candidate that uses a type parameter, the fifth one the file writes.
    let tOffer = file.offers[0][try #require(offered(0).firstIndex(of: "T"))]
    #expect(tOffer.features[3] == 1 && tOffer.features[4] == 0)
    let mapOffer = file.offers[0][try #require(offered(0).firstIndex(of: "Map<string,Node>"))]
    #expect(mapOffer.features[4] == 1)
  }

  @Test("a head trained before composition gets names in the five name forms only")
  func legacyHead() throws {
    let tokenizer = try Tokenizer.load(from: modelDirectory.appendingPathComponent("tokenizer.json"))
    let legacy = TypeHeadPreparer(tokenizer: tokenizer, vocabulary: [], windowLength: 128, composes: false)
    let site = TypeHeadSite(kind: "parameter", name: "value", offset: offset(of: "wrap<T>(value"), typeParameters: ["T"])
    let file = legacy.prepare(text: source, tsx: false, sites: [site])
    #expect(file.candidates.allSatisfy { $0.form < TypeCandidateForm.nameForms.count })
    #expect(file.candidateTexts.count == 3 * 5)
  }

  @Test("threshold: the lowest confidence whose shown suggestions reach the precision (hand-computed)")
  func threshold() {
    // Sorted by confidence: 0.95 ✓, 0.9 ✓, 0.85 ✗, 0.8 ✓, 0.8 ✓, 0.7 ✗, 0.6 ✗, 0.5 ✓.
    // Shown at ≥ 0.95: 1/1; ≥ 0.9: 2/2; ≥ 0.85: 2/3 = 0.67; ≥ 0.8: 4/5 = 0.8; ≥ 0.7: 4/6; ≥ 0.6: 4/7; ≥ 0.5: 5/8.
    let points: [(confidence: Double, correct: Bool)] = [
      (0.8, true), (0.95, true), (0.7, false), (0.85, false), (0.9, true), (0.6, false), (0.8, true), (0.5, true),
    ]
    #expect(TypeCalibration.threshold(points: points, precision: 0.9) == 0.9)
    #expect(TypeCalibration.threshold(points: points, precision: 0.8) == 0.8)
    #expect(TypeCalibration.threshold(points: points, precision: 0.6) == 0.5)
    #expect(TypeCalibration.threshold(points: [(0.9, false), (0.5, false)], precision: 0.9) == nil)
    // Two points of one confidence go in together: 0.8 shows both (2 of 3 right with the 0.9 one, below 0.7).
    #expect(TypeCalibration.threshold(points: [(0.8, true), (0.8, false), (0.9, true)], precision: 0.7) == 0.9)
    let bins = TypeCalibration.bins(points)
    #expect(bins[8] == [3, 2] && bins[9] == [2, 2] && bins[5] == [1, 1])
  }

  @Test("the stable threshold: no judged threshold above it misses the precision; small counts are not judged")
  func stableThreshold() {
    // Best first: 0.95 ✓, 0.9 ✓, 0.85 ✗, 0.8 ✓✓, 0.7 ✗, 0.6 ✗, 0.5 ✓. Cumulative precision:
    // 1/1, 2/2, 2/3, 4/5, 4/6, 4/7, 5/8.
    let points: [(confidence: Double, correct: Bool)] = [
      (0.8, true), (0.95, true), (0.7, false), (0.85, false), (0.9, true), (0.6, false), (0.8, true), (0.5, true),
    ]
    // At 0.6 the lowest rule takes 0.5 (5/8 after the dip to 4/7); the stable one stops at the dip: 0.7.
    #expect(TypeCalibration.threshold(points: points, precision: 0.6) == 0.5)
    #expect(TypeCalibration.stableThreshold(points: points, precision: 0.6, minimumShown: 1) == 0.7)
    // At 0.7: 0.85 (2/3) misses, so 0.9; with at least 4 shown, 0.85 is not judged: 0.8 (4/5), then 0.7 misses.
    #expect(TypeCalibration.stableThreshold(points: points, precision: 0.7, minimumShown: 1) == 0.9)
    #expect(TypeCalibration.stableThreshold(points: points, precision: 0.7, minimumShown: 4) == 0.8)
    // The first judged threshold misses: nil; never enough points: nil.
    #expect(TypeCalibration.stableThreshold(points: points, precision: 0.9, minimumShown: 3) == nil)
    #expect(TypeCalibration.stableThreshold(points: points, precision: 0.5, minimumShown: 9) == nil)
  }

  @Test("the stable threshold on splits: every split, not only the pool, reaches the precision above the bar")
  func stableThresholdPerSplit() {
    // Split A: 0.9 ✓✓✓✓, 0.8 ✓✓✓✓ (all right). Split B: 0.9 ✓✓, 0.8 ✓✗✗.
    // Pooled at 0.8: 11/13 = 0.846 ≥ 0.8, so the pooled rule takes 0.8; B alone at 0.8 is 3/5 = 0.6: its own
    // stable threshold is 0.9, and so is the bar.
    let a: [(confidence: Double, correct: Bool)] = Array(repeating: (0.9, true), count: 4) + Array(repeating: (0.8, true), count: 4)
    let b: [(confidence: Double, correct: Bool)] = [(0.9, true), (0.9, true), (0.8, true), (0.8, false), (0.8, false)]
    #expect(TypeCalibration.stableThreshold(points: a + b, precision: 0.8, minimumShown: 1) == 0.8)
    #expect(TypeCalibration.stableThreshold(splits: [a, b], precision: 0.8, minimumShown: 1) == 0.9)
    // A split with too few points to judge does not move the bar.
    #expect(TypeCalibration.stableThreshold(splits: [a, b], precision: 0.8, minimumShown: 6) == 0.8)
    // Judged by the Wilson lower bound at z 1.645, the pool's first threshold (0.9: 6 of 6 right) is only 0.689
    // sure to reach 0.8: no bar.
    #expect(TypeCalibration.stableThreshold(splits: [a, b], precision: 0.8, minimumShown: 1, z: 1.645) == nil)
    // A judged split that misses at its first judged threshold: no bar.
    #expect(TypeCalibration.stableThreshold(splits: [a, [(0.95, false), (0.9, false)] + b], precision: 0.8, minimumShown: 1) == nil)
  }

  @Test("Wilson lower bound, hand-computed")
  func wilson() {
    // 9 of 10 at z 1.645: p 0.9, z² 2.706; (0.9 + 0.1353 − 1.645 · √((0.09 + 0.0677) / 10)) / 1.2706
    // = (1.0353 − 0.2066) / 1.2706 = 0.6523.
    let p = 0.9, n = 10.0, z = 1.645
    let byHand = (p + z * z / (2 * n) - z * ((p * (1 - p) + z * z / (4 * n)) / n).squareRoot()) / (1 + z * z / n)
    #expect(abs(TypeCalibration.wilsonLower(correct: 9, shown: 10, z: z) - byHand) < 1e-12)
    #expect(abs(byHand - 0.6523) < 0.001)
    #expect(TypeCalibration.wilsonLower(correct: 9, shown: 10, z: 0) == 0.9)
    // More points, the same share: a tighter bound.
    #expect(TypeCalibration.wilsonLower(correct: 900, shown: 1000, z: z) > 0.88)
  }

  @Test("ranking: a text both the vocabulary and the file offer sums its probabilities; other is left out")
  func rank() {
    // vocabulary [string, Node], "other", offers [Node, Box<T>, T]
    let p: [Float] = [0.3, 0.1, 0.25, 0.15, 0.12, 0.08]
    let ranked = TypeHeadModel.rank(
      probabilities: p, vocabulary: ["string", "Node"], vocabularyIndex: ["string": 0, "Node": 1],
      offered: ["Node", "Box<T>", "T"], top: 3)
    #expect(ranked.map(\.type) == ["string", "Node", "Box<T>"])
    #expect(abs(ranked[1].probability - 0.25) < 1e-6)
  }

  @Test("the calibration file round-trips and sets the display threshold")
  func calibrationFile() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("type-calibration-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(try TypeCalibration.load(directory: dir) == nil)
    let c = TypeCalibration(
      targetPrecision: 0.9, threshold: 0.73,
      splits: [.init(split: "valid", sites: 10, shown: 4, correct: 4)], bins: TypeCalibration.bins([]))
    try c.write(to: dir)
    #expect(try TypeCalibration.load(directory: dir) == c)
    #expect(c.splits[0].precision == 1 && c.splits[0].coverage == 0.4)
  }
}
