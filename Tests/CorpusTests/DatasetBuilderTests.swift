import Foundation
import Testing

@testable import Corpus

/// A small corpus on disk laid out as `CorpusFetcher` extracts it.
struct FixtureCorpus {
  let cache: URL
  let manifest: CorpusManifest

  init() throws {
    let sum = "function sumAll(list) {\n  let total = 0;\n  for (const x of list) total += x;\n  return total;\n}\n"
    let renamed = "function addUp(items) {\n  let acc = 0;\n  for (const v of items) acc += v;\n  return acc;\n}\n"
    let fresh = "function countWords(text) {\n  const words = text.split(/\\s+/);\n  return words.length;\n}\n"
    let files: [String: [String: String]] = [
      "alpha_1.0-1": [
        "src/a.js": sum + "function other() { console.log('other function body'); return 1; }\n",
        "src/copy.js": sum + "function other() { console.log('other function body'); return 1; }\n",
        "src/renamed.js": renamed,
        "node_modules/dep/index.js": fresh,
        "src/types.ts":
          "export function scale(v: number, by = 2): number {\n  const out: number = v * by;\n  return out;\n}\n"
          + "class Box { width: number = 0; label?: string; }\n",
      ],
      "beta_2.0-1": [
        "lib/x.js": "// helpers\n" + sum + fresh,
        "lib/broken.js": "function (( {\n",
      ],
    ]
    try self.init(
      files: files, packages: [("beta", "2.0-1", .test, "javascript"), ("alpha", "1.0-1", .train, "typescript")])
  }

  /// A corpus of the given files per `NAME_VERSION` folder and packages (name, version, split, language).
  init(files: [String: [String: String]], packages: [(String, String, CorpusSplit, String)]) throws {
    cache = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-fixture-\(UUID().uuidString)")
    for (package, tree) in files {
      let root = cache.appendingPathComponent("src").appendingPathComponent(package)
      for (path, text) in tree {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
      }
      try Data().write(to: root.appendingPathComponent(".codeintel-extracted"))
    }
    let tarball = [ManifestTarball(file: "x.orig.tar.gz", sha256: "0")]
    manifest = CorpusManifest(
      archive: "fixture", seed: 7,
      packages: packages.map {
        ManifestPackage(name: $0.0, version: $0.1, split: $0.2, language: $0.3, tarballs: tarball)
      })
  }

  func build(into name: String) throws -> DatasetBuilder.Result {
    let builder = DatasetBuilder(
      manifest: manifest, fetcher: CorpusFetcher(cache: cache), output: cache.appendingPathComponent(name))
    return try builder.build()
  }

  func remove() { try? FileManager.default.removeItem(at: cache) }
}

@Suite struct DatasetBuilderTests {
  @Test func selectionAndDeduplication() throws {
    let fixture = try FixtureCorpus()
    defer { fixture.remove() }
    let result = try fixture.build(into: "out")
    let train = try #require(result.statistics.splits[.train])
    let test = try #require(result.statistics.splits[.test])
    #expect(train.files == 3)  // a.js, renamed.js, types.ts
    #expect(train.skipped["duplicate-file"] == 1)
    #expect(train.skipped["vendored-or-build-dir"] == 1)
    #expect(train.droppedCanonical == 1)  // addUp is sumAll renamed
    #expect(train.functionsAfter == 3)  // sumAll, other, scale
    #expect(test.skipped["parse-error"] == 1)
    #expect(test.droppedCrossSplit == 1)  // sumAll is in train
    #expect(test.functionsAfter == 1)  // countWords
    #expect(train.sitesByKind == ["parameter": 1, "return": 1, "variable": 1, "property": 2])

    let pretrain = try String(
      contentsOf: fixture.cache.appendingPathComponent("out/pretrain/test.jsonl"), encoding: .utf8)
    #expect(pretrain.split(separator: "\n").count == 1 && pretrain.contains("\"name\":\"countWords\""))
    let names = try String(
      contentsOf: fixture.cache.appendingPathComponent("out/method-names/train.jsonl"), encoding: .utf8)
    #expect(names.contains("\"target\":[\"sum\",\"all\"]") && !names.contains("addUp"))
    let vocab = try String(
      contentsOf: fixture.cache.appendingPathComponent("out/types/vocabulary-train.tsv"), encoding: .utf8)
    #expect(vocab == "count\ttype\n4\tnumber\n1\tstring\n")
  }

  @Test func sameManifestSameBytes() throws {
    let fixture = try FixtureCorpus()
    defer { fixture.remove() }
    let a = try fixture.build(into: "one")
    let b = try fixture.build(into: "two")
    #expect(a.hash == b.hash)
    #expect(a.files.map(\.sha256) == b.files.map(\.sha256))
    #expect(a.files.map(\.path).contains("pretrain/train.jsonl"))
  }

  @Test func missingTreesAreReported() throws {
    let fixture = try FixtureCorpus()
    defer { fixture.remove() }
    var manifest = fixture.manifest
    manifest.packages.append(
      ManifestPackage(name: "gamma", version: "1", split: .valid, language: "javascript", tarballs: []))
    let builder = DatasetBuilder(
      manifest: manifest, fetcher: CorpusFetcher(cache: fixture.cache),
      output: fixture.cache.appendingPathComponent("o"))
    #expect(throws: CorpusError.missingPackages(["gamma"])) { try builder.build() }
  }
}
