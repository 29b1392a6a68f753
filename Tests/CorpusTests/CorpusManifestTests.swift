import Foundation
import Testing

@testable import Corpus

@Suite struct CorpusManifestTests {
  static let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Models/corpus-manifest.json").path

  @Test func committedManifestKeepsTheSplitRules() throws {
    let manifest = try CorpusManifest.load(path: Self.committed)
    let test = manifest.packages.filter { $0.split == .test }
    #expect(test.filter { $0.language == "typescript" }.count >= 6)
    #expect(test.filter { $0.language == "javascript" }.count >= 6)
    #expect(Set(manifest.packages.map(\.name)).count == manifest.packages.count)
    for package in manifest.packages {
      #expect(!package.version.isEmpty)
      for tarball in package.tarballs {
        #expect(tarball.sha256.count == 64)
        #expect(
          tarball.file.hasPrefix(
            package.name + "_" + package.fileVersion.split(separator: "-").dropLast().joined(separator: "-")))
      }
    }
  }

  @Test func committedRepositoriesFollowTheSeededDraw() throws {
    let manifest = try CorpusManifest.load(path: Self.committed)
    let repositories = manifest.orderedRepositories
    #expect(repositories.count == 213)
    let sources = repositories.map {
      GitHubImport.Source(
        name: $0.name, commit: $0.commit, license: $0.license, role: $0.role,
        typeScriptFiles: $0.language == "typescript" ? 1 : 0, javaScriptFiles: $0.language == "typescript" ? 0 : 1)
    }
    let drawn = GitHubImport.drawSplits(sources, seed: manifest.problemSplit!.seed)
    for r in repositories { #expect(r.split == drawn[r.name], "\(r.name)") }
    #expect(repositories.filter { $0.split == .githubTest && $0.language == "typescript" }.count >= 20)
    #expect(manifest.problemSplit!.heldOut.count == 1165)
    #expect(repositories.allSatisfy { !$0.files.isEmpty && !$0.license.isEmpty })
  }

  @Test func validationRejectsASmallTestSplit() throws {
    var manifest = try CorpusManifest.load(path: Self.committed)
    manifest.packages.removeAll { $0.split == .test && $0.language == "javascript" }
    #expect(throws: CorpusError.self) { try manifest.validate() }
  }

  @Test func epochIsNotPartOfFileNames() {
    let p = ManifestPackage(
      name: "node-handlebars", version: "3:4.7.7+~4.1.0-1", split: .test, language: "javascript", tarballs: [])
    #expect(p.fileVersion == "4.7.7+~4.1.0-1")
    #expect(p.directoryName == "node-handlebars_4.7.7+~4.1.0-1")
  }
}

@Suite struct JSONLinesTests {
  @Test func escapesAndKeepsKeyOrder() {
    let value = JSONValue.object([
      ("b", .string("quote \" backslash \\ newline \n tab \t bell \u{7} é")), ("a", .int(-3)),
      ("c", .array([.bool(true), .null])),
    ])
    #expect(
      value.serialized() == #"{"b":"quote \" backslash \\ newline \n tab \t bell \u0007 é","a":-3,"c":[true,null]}"#)
    let decoded = try? JSONSerialization.jsonObject(with: Data(value.serialized().utf8)) as? [String: Any]
    #expect(decoded?["b"] as? String == "quote \" backslash \\ newline \n tab \t bell \u{7} é")
  }
}
