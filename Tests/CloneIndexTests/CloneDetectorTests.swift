import Foundation
import Testing

@testable import CloneIndex

@Suite struct CloneDetectorTests {
  private func names(_ g: CloneGroup) -> [String] { g.members.map { "\($0.path):\($0.name ?? "-")" } }

  @Test func theDemoRepositoryHasItsPlantedClones() throws {
    let repo = try TemporaryRepository.demo()
    let report = try CloneFinder().report(root: repo.root)
    let found = Set(report.groups.map { "\($0.kind.rawValue) " + names($0).joined(separator: " ") })
    #expect(
      found == [
        "exact src/util/html.js:escapeHtml src/views/render.js:escapeHtml",
        "exact src/report/totals.js:orderTotal src/util/money.js:cartTotal",
        "renamed src/client/params.ts:readSearchParams src/http/query.js:parseQuery",
        "functional src/report/aggregate.ts:bucketBy src/util/collections.js:groupBy",
        "functional src/report/aggregate.ts:splitIntoPages src/util/collections.js:chunk",
      ])
    #expect(report.groups.map(\.id) == Array(1...report.groups.count))
    let scores = report.groups.map(\.score)
    #expect(scores == scores.sorted(by: >), "sorted by lines × similarity")
    for g in report.groups where g.kind != .functional { #expect(g.similarity == 1) }
  }

  @Test func aHigherThresholdKeepsOnlyTheHashGroups() throws {
    let repo = try TemporaryRepository.demo()
    let report = try CloneFinder(options: CloneOptions(threshold: 0.99)).report(root: repo.root)
    #expect(report.count(.functional) == 0 && report.count(.exact) == 2 && report.count(.renamed) == 1)
    // The cached pairs of the previous threshold must not leak into this one.
    let again = try CloneFinder(options: CloneOptions(threshold: 0.7)).report(root: repo.root)
    #expect(again.count(.functional) == 2)
  }

  @Test func minLinesFiltersShortFunctions() throws {
    let repo = try TemporaryRepository.demo()
    let report = try CloneFinder(options: CloneOptions(minLines: 12)).report(root: repo.root)
    #expect(report.groups.allSatisfy { g in g.members.allSatisfy { $0.lineCount >= 12 } })
    #expect(report.count(.exact) == 1)
  }

  @Test func nestedCopiesOfACopiedFunctionAreNotReportedAgain() throws {
    let repo = try TemporaryRepository()
    let outer = """
      function outer(list) {
        const inner = (items) => {
          let n = 0;
          for (const item of items) n += item.size * 2 + item.extra;
          return n + items.length * 3;
        };
        return inner(list) + inner(list.slice(1)) + inner(list.slice(2));
      }

      """
    try repo.write("a.js", outer)
    try repo.write("b.js", outer.replacingOccurrences(of: "outer", with: "copied"))
    let report = try CloneFinder(options: CloneOptions(minLines: 3, minTokens: 10)).report(root: repo.root)
    #expect(report.groups.count == 1)
    #expect(report.groups.first.map(names) == ["a.js:outer", "b.js:copied"])
  }

  @Test func groupsAreCappedInSize() throws {
    let repo = try TemporaryRepository()
    for i in 0..<8 {
      try repo.write(
        "f\(i).js",
        """
        function f\(i)(values) {
          let total = 0;
          for (const v of values) total += v.weight * \(i + 2);
          return total;
        }

        """)
    }
    // (Near-miss off: these are also copies with edits of each other, and each kind is capped on its own. The
    // template rule off: eight copies of one function are all template to it, so they would make no functional
    // group, which is the near-miss kind's job.)
    var options = CloneOptions(minLines: 3, minTokens: 10, threshold: 0.5, maxGroupSize: 3, nearMiss: false)
    options.templateRule = false
    let report = try CloneFinder(options: options).report(root: repo.root)
    #expect(!report.groups.isEmpty)
    #expect(report.groups.allSatisfy { $0.members.count <= 3 })
    #expect(report.groups.reduce(0) { $0 + $1.members.count } == 8)
  }

  /// Issue 18: the cap held for one representative per canonical class, and the group was then
  /// expanded to every member of each class (groups of 37 and 41 under `--max-group 20`).
  @Test func theCapHoldsAfterCanonicalClassesAreExpanded() throws {
    let repo = try TemporaryRepository()
    for shape in 0..<3 {
      for copy in 0..<3 {
        // Three renamed copies of each of three similar functions.
        try repo.write(
          "s\(shape)/c\(copy).js",
          """
          function f\(shape)x\(copy)(values\(copy)) {
            let total\(copy) = 0;
            for (const v of values\(copy)) total\(copy) += v.weight * \(shape + 2);
            return total\(copy);
          }

          """)
      }
    }
    let options = CloneOptions(minLines: 3, minTokens: 10, threshold: 0.5, maxGroupSize: 4)
    let report = try CloneFinder(options: options).report(root: repo.root)
    #expect(report.count(.renamed) == 3)
    for g in report.groups where g.kind == .functional { #expect(g.members.count <= 4, "\(names(g))") }
  }

  /// Issue 18: the nesting rule was checked on class representatives only, so a function could end up
  /// in one group with a copy of its own inner function.
  @Test func noGroupHoldsAFunctionAndOneNestedInIt() throws {
    let repo = try TemporaryRepository()
    let body = """
      let n = 0;
          for (const item of items) n += item.size * 2 + item.extra;
          return n + items.length * 3;
      """
    // a.js: a top-level copy of the inner function (first in path order, so it is its class's representative).
    try repo.write("a.js", "export const standalone = (items) => {\n    \(body)\n};\n")
    try repo.write(
      "b.js",
      """
      function outer(items) {
        const inner = (items) => {
          \(body)
        };
        return inner(items);
      }

      """)
    let report = try CloneFinder(options: CloneOptions(minLines: 3, minTokens: 10, threshold: 0.3))
      .report(root: repo.root)
    #expect(!report.groups.isEmpty)
    for g in report.groups {
      for a in g.members {
        for b in g.members where a != b && a.path == b.path {
          #expect(!(a.startByte <= b.startByte && b.endByte <= a.endByte), "\(names(g))")
        }
      }
    }
  }
}
