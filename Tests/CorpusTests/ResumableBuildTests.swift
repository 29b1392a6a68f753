import Foundation
import Testing

@testable import Corpus

/// A build stopped after any package and started again with the same command ends with the same
/// bytes and hash as a build that never stopped.
@Suite struct ResumableBuildTests {
  static let helpers = """
    function sumAll(list) {
      let total = 0;
      for (const x of list) total += x;
      return total;
    }
    function parseQuery(text) {
      const out = {};
      for (const pair of text.split('&')) {
        const [key, value] = pair.split('=');
        out[decodeURIComponent(key)] = decodeURIComponent(value || '');
      }
      return out;
    }
    function formatBytes(n) {
      const units = ['B', 'kB', 'MB', 'GB'];
      let i = 0;
      while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
      return n.toFixed(1) + ' ' + units[i];
    }

    """
  static let typed = """
    export function scale(v: number, by = 2): number {
      const out: number = v * by;
      return out;
    }
    export class Box<T> {
      width: number = 0;
      label?: string;
      put(item: T, count: number): T[] {
        const items: T[] = [];
        for (let i = 0; i < count; i++) items.push(item);
        return items;
      }
    }

    """

  static func fixture() throws -> FixtureCorpus {
    let nearCopy = helpers.replacingOccurrences(of: "i += 1;", with: "i++;")
    var testFunctions = ""
    for k in 0..<6 {
      testFunctions += """
        function step\(k)(state, input) {
          const next = Object.assign({}, state);
          next.count = (state.count || 0) + \(k + 1) * input.length;
          return next;
        }

        """
    }
    return try FixtureCorpus(
      files: [
        "alpha_1": ["src/helpers.js": helpers, "src/box.ts": typed],
        "delta_1": [
          "lib/near.js": nearCopy,
          "lib/own.ts":
            "export const tag = (name: string): string => {\n  const t: string = '<' + name + '>';\n  return t;\n};\n",
        ],
        "gamma_1": [
          "index.js": "function addUp(items) {\n  let acc = 0;\n  for (const v of items) acc += v;\n  return acc;\n}\n"
        ],
        "beta_1": [
          "lib/steps.js": testFunctions,
          "lib/sum.js":
            "// copy\nfunction sumAll(list) {\n  let total = 0;\n  for (const x of list) total += x;\n  return total;\n}\n",
        ],
        "epsilon_1": [
          "src/more.ts": typed.replacingOccurrences(of: "Box", with: "Crate")
            + "function area(w: number, h: number): number {\n  const a = w * h;\n  return a;\n}\n"
        ],
      ],
      packages: [
        ("alpha", "1", .train, "typescript"), ("delta", "1", .train, "typescript"),
        ("gamma", "1", .valid, "javascript"),
        ("beta", "1", .test, "javascript"), ("epsilon", "1", .test, "typescript"),
      ])
  }

  static func builder(_ fixture: FixtureCorpus, _ output: String) -> DatasetBuilder {
    var b = DatasetBuilder(
      manifest: fixture.manifest, fetcher: CorpusFetcher(cache: fixture.cache),
      output: fixture.cache.appendingPathComponent(output))
    b.options.heldOutReservoir = 3  // below the test functions, so the reservoir's draws are resumed too
    b.options.clonePairAnchors = 4
    b.checkpointInterval = 0
    return b
  }

  static func contents(_ result: DatasetBuilder.Result, in folder: URL) throws -> [String: Data] {
    var out: [String: Data] = [:]
    for f in result.files { out[f.path] = try Data(contentsOf: folder.appendingPathComponent(f.path)) }
    return out
  }

  @Test(arguments: [1, 2, 3, 4, 5])
  func stoppedAndRestartedBuildEndsWithTheSameBytes(stopAfter: Int) throws {
    let fixture = try Self.fixture()
    defer { fixture.remove() }
    let whole = try Self.builder(fixture, "whole").build()
    #expect(whole.statistics.splits[.train]!.skipped["near-duplicate-file"] == 1)
    #expect(whole.statistics.splits[.test]!.droppedCrossSplit >= 1)
    #expect(whole.statistics.splits[.test]!.functionsAfter > 3)

    var stopped = Self.builder(fixture, "resumed")
    stopped.stopAfterItems = stopAfter
    #expect(throws: DatasetBuilder.Interrupted.self) { try stopped.build() }
    let checkpoint = fixture.cache.appendingPathComponent("resumed/\(BuildCheckpoint.fileName)")
    #expect(FileManager.default.fileExists(atPath: checkpoint.path) == (stopAfter > 1))

    var lines: [String] = []
    let resumed = try Self.builder(fixture, "resumed").build { lines.append($0) }
    #expect(lines.contains { $0.hasPrefix("resuming: \(stopAfter - 1) of 5") } == (stopAfter > 1))
    #expect(resumed.hash == whole.hash)
    #expect(resumed.files.map(\.path) == whole.files.map(\.path))
    #expect(
      try Self.contents(resumed, in: fixture.cache.appendingPathComponent("resumed"))
        == Self.contents(whole, in: fixture.cache.appendingPathComponent("whole")))
    #expect(!FileManager.default.fileExists(atPath: checkpoint.path))
  }

  @Test func checkpointOfAnotherManifestIsIgnored() throws {
    let fixture = try Self.fixture()
    defer { fixture.remove() }
    let whole = try Self.builder(fixture, "whole").build()
    var other = Self.builder(fixture, "out")
    other.options.minUnitBytes = 10  // another unit rule: another key
    other.stopAfterItems = 3
    #expect(throws: DatasetBuilder.Interrupted.self) { try other.build() }
    var lines: [String] = []
    let result = try Self.builder(fixture, "out").build { lines.append($0) }
    #expect(lines.contains { $0.contains("of another manifest or version: building from scratch") })
    #expect(result.hash == whole.hash)
  }

  @Test func unreadableCheckpointStartsFromScratch() throws {
    let fixture = try Self.fixture()
    defer { fixture.remove() }
    let whole = try Self.builder(fixture, "whole").build()
    let out = fixture.cache.appendingPathComponent("out")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    try Data("codeintel-corpus-checkpoint\ngarbage".utf8).write(
      to: out.appendingPathComponent(BuildCheckpoint.fileName))
    #expect(try Self.builder(fixture, "out").build().hash == whole.hash)
  }
}
