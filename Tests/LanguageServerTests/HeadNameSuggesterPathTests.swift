import Foundation
import Heads
import Syntax
import Testing

@testable import LanguageServer

/// The editor gives a name head that reads the file's place (`--context path`, shipped in sessions 15–18; since session
/// 19 `path+siblings`, which reads the place too) the document's path, and remembers its answers per path as well as
/// per text.
@Suite struct HeadNameSuggesterPathTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  @Test("the shipped head reads the path; the editor's answer is the command line's, remembered per path")
  func shippedHeadReadsThePath() throws {
    let head = try NameHead.load(
      directory: Self.repository.appendingPathComponent("Models/contracode-hybrid-small/names").path)
    #expect(head.inputContext == .pathAndSiblings)
    let suggester = HeadNameSuggester(model: NameModel(head: head))
    let source = """
      function loadUser(id) {
        const row = db.find(id);
        return row ? row.profile : null;
      }
      """
    let tree = try Parser(language: .javascript).parse(source)
    let unit = try #require(extractUnits(from: tree).first)
    let token = CancellationToken()
    let (a, b) = ("/work/app/src/user/service.js", "/work/app/lib/date/format.js")
    let viaEditor = try #require(try suggester.report(for: unit, in: tree, path: a, rules: [], cancellation: token))
    let direct = try #require(NameAnalysis.analyze(tree: tree, units: [unit], head: head, path: a, top: 5).first)
    #expect(viaEditor == direct)
    // Another place is another input: the remembered answer for `a` is not reused for `b`.
    let other = try #require(try suggester.report(for: unit, in: tree, path: b, rules: [], cancellation: token))
    let otherDirect = try #require(NameAnalysis.analyze(tree: tree, units: [unit], head: head, path: b, top: 5).first)
    #expect(other == otherDirect && other != viaEditor)
    // The server holds the suggester as `any NameSuggester`: the path reaches the head through it too.
    let held: any NameSuggester = suggester
    #expect(try held.report(for: unit, in: tree, path: b, rules: [], cancellation: token) == otherDirect)
    #expect(
      try held.suggestNames(for: unit, in: tree, path: b, cancellation: token).map(\.name)
        == otherDirect.suggestions.map(\.name))
    // Asked again for `a`, the remembered answer is `a`'s.
    #expect(try suggester.report(for: unit, in: tree, path: a, rules: [], cancellation: token) == viaEditor)
  }
}
