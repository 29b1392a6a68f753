import Foundation
import Testing

@testable import CodeIntel

@Suite struct EvaluationDocumentTests {
  struct Boom: Error, CustomStringConvertible {
    var description: String { "`eval names` is not built yet" }
  }

  func document(notes: URL?) -> EvaluationDocument {
    EvaluationDocument(
      header: EvaluationDocument.Header(
        date: Date(timeIntervalSince1970: 1_700_000_000), commit: "abc1234", command: "codeintel eval --quick",
        modelDirectory: "Models/m", modelHashes: [("config.json", "00ff")], cpuCount: 2, cpuModel: "Test CPU"),
      sections: [
        .init(title: "Types", slug: "types", command: "codeintel eval types --limit 5") { "| t | 1 |\n" },
        .init(title: "Method names", slug: "names", command: "codeintel eval names") { throw Boom() },
        .init(title: "Clones", slug: "clones", command: "codeintel eval clones --quick") { "| c | 2 |" },
      ],
      notes: notes)
  }

  @Test func headerSectionsAndCommandsArePresentInOrder() throws {
    let text = document(notes: nil).render()
    for needle in [
      "# Evaluation", "2023-11-14T22:13:20Z", "`codeintel eval --quick`", "Commit: `abc1234`", "`Models/m`",
      "`config.json` sha256 `00ff`", "2 CPUs (Test CPU)", "Types: `codeintel eval types --limit 5`",
      "Clones: `codeintel eval clones --quick`", "## Types\n\n| t | 1 |\n", "## Clones\n\n| c | 2 |\n",
    ] {
      #expect(text.contains(needle), "missing \(needle)")
    }
    let types = try #require(text.range(of: "## Types"))
    let names = try #require(text.range(of: "## Method names"))
    let clones = try #require(text.range(of: "## Clones"))
    #expect(types.lowerBound < names.lowerBound && names.lowerBound < clones.lowerBound)
  }

  @Test func aFailingSectionDegradesToOneSentence() {
    let text = document(notes: nil).render()
    #expect(text.contains("## Method names\n\nThis section is not available: `eval names` is not built yet.\n"))
    #expect(text.contains("## Clones"))
  }

  @Test func notesAreIncludedVerbatimAfterTheirSection() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("notes-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let prose = "### What this says\n\n- The encoder *loses* to Jaccard | by 0.2.\n"
    try Data(prose.utf8).write(to: dir.appendingPathComponent("clones.md"))
    try Data("Read this first.".utf8).write(to: dir.appendingPathComponent("intro.md"))
    let text = document(notes: dir).render()
    #expect(text.contains("| c | 2 |\n\n" + prose))
    #expect(text.contains("Read this first.\n\n## Types"))
    // A failing section keeps its notes too.
    try Data("names prose".utf8).write(to: dir.appendingPathComponent("names.md"))
    #expect(document(notes: dir).render().contains("not built yet.\n\nnames prose\n"))
  }

  @Test func hashesCoverTheFolderFiles() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hash-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data("abc".utf8).write(to: dir.appendingPathComponent("a.txt"))
    let hashes = EvaluationDocument.hashes(of: dir)
    #expect(hashes.count == 1 && hashes[0].0 == "a.txt")
    // sha256("abc")
    #expect(hashes[0].1 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  }
}
