import CloneIndex
import CodeIntel
import Foundation
import Heads
import Testing

/// `codeintel eval clones --group-purity`: purity per kind and the pair decisions, on a tiny made-up set.
@Suite struct CloneGroupPurityTests {
  static func solution(_ name: String, _ op: String) -> String {
    """
    var \(name) = function(nums) {
      let best = 0;
      for (let i = 0; i < nums.length; i++) {
        best = Math.max(best, nums[i] \(op) i);
      }
      return best;
    };

    """
  }

  @Test func groupsArePureWhenAllMembersSolveOneProblem() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("purity-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    func write(_ path: String, _ text: String) throws {
      let url = URL(fileURLWithPath: root + "/" + path)
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(text.utf8).write(to: url)
    }
    // Problem 0001: two authors, the same code up to names (a pure renamed group). Problem 0002 and
    // 0003: one author's identical code for two problems (an impure exact group).
    try write("solutions/0001/ann.js", Self.solution("maxA", "+"))
    try write("solutions/0001/bob.js", Self.solution("maxB", "+").replacingOccurrences(of: "best", with: "top"))
    try write("solutions/0002/cy.js", Self.solution("f", "*"))
    try write("solutions/0003/cy.js", Self.solution("g", "*"))
    var options = CloneOptions(minLines: 3, minTokens: 10, functional: false, nearMiss: false)
    options.threshold = 0.99
    let p = try CloneGroupPurity.measure(solutions: root + "/solutions", options: options)
    let byKind = Dictionary(uniqueKeysWithValues: p.rows.map { ($0.kind, $0) })
    #expect(byKind[.renamed]?.groups == 1 && byKind[.renamed]?.pure == 1)
    #expect(byKind[.exact]?.groups == 1 && byKind[.exact]?.pure == 0)
    #expect(!FileManager.default.fileExists(atPath: root + "/solutions/.codeintel"), "the data folder stays untouched")
    // Recall: one same-problem file pair (0001's two), linked by the renamed group; the exact group links
    // one pair of files of different problems.
    #expect(p.sameProblemFilePairs == 1)
    #expect(byKind[.renamed]?.linkedSameProblem == 1 && byKind[.renamed]?.linkedOtherProblem == 0)
    #expect(byKind[.exact]?.linkedSameProblem == 0 && byKind[.exact]?.linkedOtherProblem == 1)
    #expect(p.recall(byKind[.renamed]!) == 1 && p.recall(byKind[.exact]!) == 0)
    // What the groups are: the renamed group spans two authors' files of one problem; the exact group is one
    // author's code for two problems.
    #expect(byKind[.renamed]?.composition == CloneGroupPurity.Composition(pureAcrossFiles: 1))
    #expect(byKind[.exact]?.composition == CloneGroupPurity.Composition(impureOneAuthor: 1))
    #expect(p.compositionMarkdown().contains("| exact | 1 | 0 | 0 | 1 | 0 |"))

    // Pair decisions: 0001 ann–bob is positive (a renamed copy), 0002–0003 is negative but identical (a
    // false positive of every rule).
    try write(
      "pairs.jsonl",
      """
      {"a": "solutions/0001/ann.js", "b": "solutions/0001/bob.js", "label": 1}
      {"a": "solutions/0002/cy.js", "b": "solutions/0003/cy.js", "label": 0}
      {"a": "solutions/0001/ann.js", "b": "solutions/0002/cy.js", "label": 0}

      """)
    let decisions = try CloneGroupPurity.pairDecisions(directory: root)
    #expect(decisions.count == 3)
    for d in decisions { #expect(d.positives == 1 && d.negatives == 2) }
    let functional = decisions[1]
    #expect(functional.truePositives == 1 && functional.falsePositives >= 1)
  }

  @Test func compositionSortsGroupsByFilesAndAuthors() {
    var c = CloneGroupPurity.Composition()
    c.add(paths: ["0001/ann.js", "0001/ann.js"])  // two functions of one solution
    c.add(paths: ["0001/ann.js", "0001/bob.js"])  // two authors, one problem
    c.add(paths: ["0001/ann.js", "0002/ann.js", "0003/ann.js"])  // one author's template, three problems
    c.add(paths: ["0001/ann.js", "0002/bob.js"])  // two authors, two problems
    c.add(paths: ["0001/ann.js", "0002/ann.js", "0002/bob.js"])  // mixed: not all one author
    #expect(
      c == CloneGroupPurity.Composition(pureOneFile: 1, pureAcrossFiles: 1, impureOneAuthor: 1, impureSeveralAuthors: 2)
    )
  }
}
