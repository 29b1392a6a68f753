import Augment
import Foundation
import Syntax
import Testing

/// Every semantics-preserving transform alone, and the composed pipeline under 20 seeds, must leave the
/// transcript of every program in `Programs/` byte-identical under node.
@Suite struct ExecutionTests {
  static let singleTransforms = ["dce", "fold", "equivalent", "deadcode", "rename", "mangle", "comments", "reformat"]

  @Test func suiteHasEnoughPrograms() throws {
    let programs = try ProgramSuite.load()
    #expect(programs.count >= 150)
    #expect(Set(programs.map(\.name)).count == programs.count, "program names must be unique")
  }

  @Test(.enabled(if: ProgramSuite.nodeAvailable, "needs node at /usr/bin/node"))
  func transformsPreserveTranscripts() throws {
    let programs = try ProgramSuite.load()
    var jobs: [ProgramSuite.Job] = []
    let pipeline = Augmenter(config: .semanticsPreserving)
    var changed = 0
    for (index, program) in programs.enumerated() {
      var texts = [program.source]
      var labels = ["original"]
      for name in Self.singleTransforms {
        for seed in 0..<3 {
          let v = try augment(source: program.source, language: .javascript, seed: UInt64(seed * 1000 + index),
            transforms: [name])
          texts.append(v[0].text)
          labels.append("\(name) seed \(seed)")
        }
      }
      let variants = pipeline.variants(of: program.source, language: .javascript, seed: UInt64(index), count: 20)
      for (i, v) in variants.enumerated() {
        #expect(v.preservesSemantics)
        texts.append(v.text)
        labels.append("pipeline seed \(i): " + v.applied.joined(separator: ","))
      }
      changed += texts.dropFirst().filter { $0 != program.source }.count
      jobs.append(ProgramSuite.Job(name: program.name, texts: texts, labels: labels))
    }
    let report = try ProgramSuite.run(jobs)
    #expect(report.programs == programs.count)
    #expect(report.broken.isEmpty, "originals that fail to run: \(report.broken.map(\.name))")
    for m in report.mismatches.prefix(15) {
      Issue.record("\(m.name) [\(m.label)]\n--- expected\n\(m.expected)\n--- got\n\(m.got)\n--- variant\n\(m.text)")
    }
    #expect(report.mismatches.isEmpty, "\(report.mismatches.count) variants changed behaviour")
    // The suite must actually exercise the transforms.
    #expect(changed > programs.count * 20)
  }

  /// The check can fail: line subsampling, which deliberately changes behaviour, must be caught.
  @Test(.enabled(if: ProgramSuite.nodeAvailable, "needs node at /usr/bin/node"))
  func subsamplingIsDetected() throws {
    let programs = try ProgramSuite.load()
    var jobs: [ProgramSuite.Job] = []
    for (index, program) in programs.enumerated() {
      var rng = SeededRandom(seed: UInt64(index))
      let tree = try Parser(language: .javascript).parse(program.source)
      let edits = try LineSubsampling(keep: 0.5).edits(for: TransformInput(tree: tree), rng: &rng)
      let text = String(decoding: try edits.apply(to: tree.bytes), as: UTF8.self)
      jobs.append(ProgramSuite.Job(name: program.name, texts: [program.source, text], labels: ["original", "subsample"]))
    }
    let report = try ProgramSuite.run(jobs)
    #expect(report.mismatches.count > programs.count / 3)
  }
}
