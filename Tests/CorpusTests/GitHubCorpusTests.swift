import Foundation
import Testing

@testable import Corpus

/// Small GitHub-style fixtures made here: repositories as folders of archives (like
/// ../shared/data/github-corpus) and as local bare git repositories.
struct RepositoryFixture {
  let root: URL
  var archives: URL { root.appendingPathComponent("archives") }

  init() throws {
    root = FileManager.default.temporaryDirectory.appendingPathComponent("github-fixture-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: archives.appendingPathComponent("repos"), withIntermediateDirectories: true)
  }

  func remove() { try? FileManager.default.removeItem(at: root) }

  static func write(_ files: [String: String], under folder: URL) throws {
    for (path, text) in files {
      let url = folder.appendingPathComponent(path)
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(text.utf8).write(to: url)
    }
  }

  /// Writes `repos/OWNER+NAME.tar.xz` and returns the manifest entry (commit is a placeholder).
  func archive(
    _ name: String, _ files: [String: String], split: CorpusSplit?, role: String = "project",
    language: String = "typescript", commit: String = String(repeating: "a", count: 40)
  ) throws -> ManifestRepository {
    let dir = name.replacingOccurrences(of: "/", with: "+")
    let tree = root.appendingPathComponent("trees/\(dir)")
    try Self.write(files, under: tree)
    try Process.runChecked(
      "/bin/tar", ["-cJf", archives.appendingPathComponent("repos/\(dir).tar.xz").path, "-C", tree.path, "."], in: root)
    let listed = files.map {
      RepositoryFile(path: $0.key, blob: SHA1.gitBlobID(Array($0.value.utf8)), size: $0.value.utf8.count)
    }
    .sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    return ManifestRepository(
      name: name, url: "https://example.invalid/\(name).git", commit: commit, license: "mit", role: role,
      language: language, split: split, files: listed)
  }

  /// A local bare repository holding `files` in one commit; returns (url, commit).
  func bareRepository(_ name: String, _ files: [String: String]) throws -> (String, String) {
    let work = root.appendingPathComponent("git-work/\(name)")
    try Self.write(files, under: work)
    let env = [
      "-c", "user.name=fixture", "-c", "user.email=fixture@example.invalid", "-c", "commit.gpgsign=false",
    ]
    try Process.runChecked("/usr/bin/git", ["init", "-q", work.path], in: root)
    try Process.runChecked("/usr/bin/git", ["-C", work.path, "add", "-A"], in: root)
    try Process.runChecked("/usr/bin/git", env + ["-C", work.path, "commit", "-q", "-m", "fixture"], in: root)
    let bare = root.appendingPathComponent("git-bare/\(name).git")
    try Process.runChecked("/usr/bin/git", ["clone", "-q", "--bare", work.path, bare.path], in: root)
    let head = Process()
    head.executableURL = URL(fileURLWithPath: "/usr/bin/git")
    head.arguments = ["-C", bare.path, "rev-parse", "HEAD"]
    let pipe = Pipe()
    head.standardOutput = pipe
    try head.run()
    let out = pipe.fileHandleForReading.readDataToEndOfFile()
    head.waitUntilExit()
    let commit = String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return ("file://" + bare.path, commit)
  }
}

/// A long enough TypeScript module that near-duplicate detection sees it (well over 20 shingles).
func utilityModule(_ tweak: String = "") -> String {
  """
  export interface Range { start: number; end: number }

  export function clamp(value: number, low: number, high: number): number {
    if (value < low) return low;
    if (value > high) return high;
    return value;
  }

  export function overlaps(a: Range, b: Range): boolean {
    const first = a.start <= b.start ? a : b;
    const second = first === a ? b : a;
    return first.end > second.start;
  }

  export function mergeRanges(ranges: Range[]): Range[] {
    const sorted = [...ranges].sort((x, y) => x.start - y.start);
    const out: Range[] = [];
    for (const r of sorted) {
      const last = out[out.length - 1];
      if (last && overlaps(last, r)) { last.end = Math.max(last.end, r.end); } else { out.push({ ...r }); }
    }
    return out;
  }

  export function totalLength(ranges: Range[]): number {
    let total = 0;
    for (const r of mergeRanges(ranges)) total += r.end - r.start;\(tweak)
    return total;
  }

  """
}

@Suite struct GitBlobTests {
  @Test func sha1AndBlobIDsMatchGit() {
    #expect(SHA1.hex(Array("abc".utf8)) == "a9993e364706816aba3e25717850c26c9cd0d89d")
    #expect(SHA1.hex(Array(String(repeating: "a", count: 1000).utf8)) == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
    #expect(SHA1.gitBlobID([UInt8]()) == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
    #expect(SHA1.gitBlobID(Array("hello\n".utf8)) == "ce013625030ba8dba906f756967f9e9ca394464a")
  }

  @Test func verifiedArchiveGoodCorruptedAndMissing() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let good = try fixture.archive(
      "me/good", ["src/a.ts": "export const a = 1;\n", "b.js": "exports.b = 2;\n"], split: .train)
    let cache = fixture.root.appendingPathComponent("cache")
    let fetcher = RepositoryFetcher(cache: cache, archives: fixture.archives)
    try fetcher.fetch(good)
    #expect(fetcher.isReady(good))
    #expect(
      try String(contentsOf: fetcher.tree(of: good).appendingPathComponent("src/a.ts"), encoding: .utf8)
        == "export const a = 1;\n")

    // Corrupted: the archive's bytes differ from what the manifest pins.
    var corrupted = try fixture.archive("me/bad", ["src/a.ts": "export const a = 1;\n"], split: .train)
    corrupted.files = [
      RepositoryFile(path: "src/a.ts", blob: SHA1.gitBlobID(Array("export const a = 2;\n".utf8)), size: 20).line
    ]
    do {
      try fetcher.fetch(corrupted)
      Issue.record("a corrupted file was accepted")
    } catch let error as CorpusError {
      guard case .blobMismatch(let repository, let path, _, _) = error else { throw error }
      #expect(repository == "me/bad" && path == "src/a.ts")
      #expect(error.description.contains("src/a.ts"))
    }
    #expect(!fetcher.isReady(corrupted))

    // Missing: the manifest lists a file the archive lacks.
    var missing = good
    missing.name = "me/good"
    missing.files.append(RepositoryFile(path: "zz/gone.ts", blob: String(repeating: "0", count: 40), size: 3).line)
    #expect(
      throws: CorpusError.missingFile(
        repository: "me/good", path: "zz/gone.ts",
        origin: fixture.archives.appendingPathComponent("repos/me+good.tar.xz").path)
    ) {
      try fetcher.fetch(missing)
    }
    #expect(!fetcher.isReady(missing))
  }

  @Test func archiveAndGitGiveIdenticalDatasets() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let files = [
      "src/ranges.ts": utilityModule(),
      "src/names.js":
        "function greetEveryone(names) {\n  const out = [];\n  for (const n of names) out.push('hi ' + n);\n  return out;\n}\nmodule.exports = { greetEveryone };\n",
    ]
    let (url, commit) = try fixture.bareRepository("lib", files)
    var repository = try fixture.archive("me/lib", files, split: .train, commit: commit)
    repository.url = url
    let debian = try FixtureCorpus()
    defer { debian.remove() }
    var manifest = debian.manifest
    manifest.repositories = [repository]

    let viaArchives = RepositoryFetcher(cache: debian.cache.appendingPathComponent("a"), archives: fixture.archives)
    let viaGit = RepositoryFetcher(cache: debian.cache.appendingPathComponent("g"))
    try viaArchives.fetch(manifest: manifest)
    try viaGit.fetch(manifest: manifest)
    #expect(viaGit.isReady(repository))
    let a = try DatasetBuilder(
      manifest: manifest, fetcher: CorpusFetcher(cache: debian.cache),
      output: debian.cache.appendingPathComponent("out-a"),
      repositories: viaArchives
    ).build()
    let g = try DatasetBuilder(
      manifest: manifest, fetcher: CorpusFetcher(cache: debian.cache),
      output: debian.cache.appendingPathComponent("out-g"),
      repositories: viaGit
    ).build()
    #expect(a.hash == g.hash)
    #expect(a.statistics.splits[.train]!.functionsAfter > 3)  // the Debian fixture's 3 and the repository's
  }

  @Test func unfetchedRepositoriesAreReported() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let debian = try FixtureCorpus()
    defer { debian.remove() }
    var manifest = debian.manifest
    manifest.repositories = [try fixture.archive("me/lib", ["a.ts": "export const a = 1;\n"], split: .train)]
    let builder = DatasetBuilder(
      manifest: manifest, fetcher: CorpusFetcher(cache: debian.cache), output: debian.cache.appendingPathComponent("o"))
    #expect(throws: CorpusError.missingRepositories(["me/lib"])) { try builder.build() }
  }
}

@Suite struct RepositorySplitTests {
  static func sources(_ n: Int) -> [GitHubImport.Source] {
    (0..<n).map {
      GitHubImport.Source(
        name: "owner\($0)/repo\($0)", commit: String(repeating: "b", count: 40), license: "mit",
        role: $0 % 10 == 9 ? "solutions" : "project", typeScriptFiles: $0 % 3 == 0 ? 1 : 10, javaScriptFiles: 5)
    }
  }

  @Test func splitIsPerRepositoryStableAndSeeded() {
    let sources = Self.sources(200)
    let a = GitHubImport.drawSplits(sources, seed: 11)
    let b = GitHubImport.drawSplits(sources, seed: 11)
    let other = GitHubImport.drawSplits(sources, seed: 12)
    #expect(a == b)
    #expect(a != other)
    // Every project has exactly one split; solution collections none (they split by problem).
    #expect(a.count == sources.filter { $0.role == "project" }.count)
    let test = sources.filter { a[$0.name] == .githubTest }
    #expect(test.filter { $0.language == "typescript" }.count >= 20)
    #expect(sources.contains { a[$0.name] == .githubValid })
    #expect(sources.filter { a[$0.name] == .train }.count > test.count)
    // Removing one repository moves no other.
    let fewer = GitHubImport.drawSplits(Array(sources.dropFirst()), seed: 11)
    let moved = fewer.filter { a[$0.key] != $0.value }
    #expect(moved.count <= 2)  // only at the boundaries of the percentage cut
  }

  @Test func problemSplitHoldsOutListedProblems() {
    let split = ProblemSplit(seed: 3, testPercent: 10, validPercent: 5, heldOut: ["leetcode:0001"], heldOutSource: "x")
    #expect(split.split(of: "leetcode:0001") == .githubTest)
    let drawn = (2..<2000).map { split.split(of: ProblemKeys.leetcodeKey($0)) }
    let test = drawn.filter { $0 == .githubTest }.count
    #expect(test > 100 && test < 300)
    #expect(drawn.contains(.githubValid) && drawn.contains(.train))
    #expect(drawn == (2..<2000).map { split.split(of: ProblemKeys.leetcodeKey($0)) })
  }
}

@Suite struct ProblemKeyTests {
  @Test func namingSchemesOfTheCollections() {
    let numbered = ManifestRepository(
      name: "a/leetcode-js", url: "", commit: "", license: "mit", role: "solutions", language: "javascript", split: nil,
      files: [RepositoryFile(path: "0002-add-two-numbers.js", blob: String(repeating: "0", count: 40), size: 1)])
    let keys = ProblemKeys(repositories: [numbered])
    func key(_ path: String, _ repo: String = "x/leetcode-javascript") -> String? {
      keys.problem(path: path, repository: repo)?.key
    }
    #expect(key("solutions/0001-two-sum.js") == "leetcode:0001")
    #expect(key("[0001] Two Sum.js") == "leetcode:0001")
    #expect(key("solutions/s0015_3sum.js") == "leetcode:0015")
    #expect(key("0216.combination-sum-3/combinationSum3.js") == "leetcode:0216")
    #expect(key("412. Fizz Buzz/index.js") == "leetcode:0412")
    #expect(key("src/0035-Search Insert Position/searchInsert.js") == "leetcode:0035")
    #expect(key("100~199/123. Best Time to Buy and Sell Stock III.js") == "leetcode:0123")
    #expect(key("src/add-two-numbers/index.js") == "leetcode:0002")  // title learnt from a numbered file
    #expect(key("LeetcodeProblems/Algorithms/medium/Add_Two_Numbers.js") == "leetcode:0002")
    #expect(
      keys.problem(path: "tests/add_two_numbers.test.js", repository: "x/leetcode-javascript")
        == ProblemKeys.Problem(key: "leetcode:0002", isSolution: false))
    // Elsewhere a leading number is a chapter, not a problem.
    #expect(key("src/10-tree/avl-tree.ts", "loiane/algorithms") == "slug:avl-tree")
    #expect(
      keys.problem(path: "exercises/practice/two-fer/.meta/proof.ci.ts", repository: "exercism/typescript")
        == ProblemKeys.Problem(key: "exercism:two-fer", isSolution: true))
    #expect(
      keys.problem(path: "exercises/practice/two-fer/two-fer.js", repository: "exercism/javascript")?.isSolution
        == false)
  }
}

@Suite struct CrossSourceDedupTests {
  /// Debian train package `alpha` (FixtureCorpus) plus GitHub repositories.
  static func build(
    _ repositories: [ManifestRepository], fixture: RepositoryFixture, debian: FixtureCorpus,
    problemSplit: ProblemSplit? = nil
  ) throws -> (DatasetBuilder.Result, URL) {
    var manifest = debian.manifest
    manifest.repositories = repositories
    manifest.problemSplit = problemSplit
    let fetcher = RepositoryFetcher(cache: debian.cache, archives: fixture.archives)
    try fetcher.fetch(manifest: manifest)
    let out = debian.cache.appendingPathComponent("out-\(UUID().uuidString)")
    let result = try DatasetBuilder(
      manifest: manifest, fetcher: CorpusFetcher(cache: debian.cache), output: out, repositories: fetcher
    ).build()
    return (result, out)
  }

  /// Enough code of the repository's own that the vendoring file as a whole is no near duplicate.
  static let ownCode = """
    export function describeSchedule(days: string[], hours: number[]): string {
      const parts: string[] = [];
      for (let i = 0; i < days.length; i++) {
        const label = days[i].toUpperCase();
        const amount = hours[i] ?? 0;
        parts.push(`${label}: ${amount.toFixed(1)} hours`);
      }
      if (parts.length === 0) { return 'nothing planned'; }
      return parts.join('; ') + ' (' + String(parts.length) + ' days)';
    }

    """

  @Test func plantedForkAndVendoredCopyAreRemovedFromTest() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let debian = try FixtureCorpus()
    defer { debian.remove() }
    let upstream = try fixture.archive("up/ranges", ["src/ranges.ts": utilityModule()], split: .train)
    // The fork edits one line: no longer byte-identical, still a near duplicate.
    let fork = try fixture.archive(
      "fork/ranges", ["src/ranges.ts": utilityModule("\n    total += 0;")], split: .githubTest)
    // A test repository that vendors the Debian train package's file under a folder the path
    // rules do not catch, with its own header comment.
    let alphaTypes = try String(
      contentsOf: debian.cache.appendingPathComponent("src/alpha_1.0-1/src/types.ts"), encoding: .utf8)
    let vendoring = try fixture.archive(
      "other/app",
      [
        "src/helpers/types.ts": "// copied from alpha\n" + alphaTypes + Self.ownCode,
        "src/main.ts":
          "export function startApplication(port: number): string {\n  const url = 'http://localhost:' + port;\n  return url;\n}\n",
      ], split: .githubTest)
    let (result, out) = try Self.build([upstream, fork, vendoring], fixture: fixture, debian: debian)
    let test = try #require(result.statistics.splits[.githubTest])
    #expect(test.skipped["near-duplicate-file"] == 1)  // the fork's file
    #expect(test.droppedCrossSplit >= 1)  // alpha's `scale`, vendored
    let pretrain = try String(contentsOf: out.appendingPathComponent("pretrain/github-test.jsonl"), encoding: .utf8)
    #expect(!pretrain.contains("mergeRanges"))
    #expect(!pretrain.contains("\"name\":\"scale\""))
    #expect(pretrain.contains("startApplication"))
    let train = try String(contentsOf: out.appendingPathComponent("pretrain/train.jsonl"), encoding: .utf8)
    #expect(train.contains("mergeRanges"))
    // The type records carry the file's declared types and the sites' type parameters.
    let types = try String(contentsOf: out.appendingPathComponent("types/train.jsonl"), encoding: .utf8)
    #expect(types.contains("\"declared_types\":[\"Range\"]"))
  }

  @Test func leetCodeOverlapProblemsNeverReachTrain() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let debian = try FixtureCorpus()
    defer { debian.remove() }
    func solution(_ name: String, _ body: String) -> String {
      "/**\n * Problem statement pasted by the author.\n */\nvar \(name) = function (nums, target) {\n\(body)\n};\n"
    }
    let twoSumA = solution(
      "twoSum",
      "  const seen = new Map();\n  for (let i = 0; i < nums.length; i++) {\n    if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];\n    seen.set(nums[i], i);\n  }\n  return [];"
    )
    let twoSumB = solution(
      "twoSum",
      "  for (let i = 0; i < nums.length; i++)\n    for (let j = i + 1; j < nums.length; j++)\n      if (nums[i] + nums[j] === target) return [i, j];\n  return null;"
    )
    let searchA = solution(
      "search",
      "  let lo = 0, hi = nums.length - 1;\n  while (lo <= hi) {\n    const mid = (lo + hi) >> 1;\n    if (nums[mid] === target) return mid;\n    if (nums[mid] < target) lo = mid + 1; else hi = mid - 1;\n  }\n  return -1;"
    )
    let searchB = solution(
      "search",
      "  return nums.indexOf(target);\n  // linear scan is fine for small inputs\n  console.log('unreachable');")
    let a = try fixture.archive(
      "alice/leetcode-js", ["0001-two-sum.js": twoSumA, "0704-binary-search.js": searchA], split: nil,
      role: "solutions",
      language: "javascript")
    let b = try fixture.archive(
      "bob/leetcode-javascript",
      ["solutions/1. Two Sum/index.js": twoSumB, "solutions/704. Binary Search/index.js": searchB],
      split: nil, role: "solutions", language: "javascript")
    // 0704 is drawn into train (0 % test and valid), 0001 is held out by the evaluation set.
    let split = ProblemSplit(
      seed: 1, testPercent: 0, validPercent: 0, heldOut: ["leetcode:0001"], heldOutSource: "fixture")
    let (result, out) = try Self.build([a, b], fixture: fixture, debian: debian, problemSplit: split)
    let train = try String(contentsOf: out.appendingPathComponent("pretrain/train.jsonl"), encoding: .utf8)
    let test = try String(contentsOf: out.appendingPathComponent("pretrain/github-test.jsonl"), encoding: .utf8)
    #expect(!train.contains("seen.set") && !train.contains("nums[i] + nums[j]"))
    #expect(test.contains("seen.set") && test.contains("nums[i] + nums[j]"))
    #expect(train.contains("(lo + hi) >> 1"))
    #expect(result.statistics.splits[.githubTest]!.naturalPairs == 0)  // one problem: no negative to draw
    #expect(result.statistics.splits[.train]!.naturalPairs == 0)
    // With a second held-out problem the pairs appear, on the test side only.
    let both = ProblemSplit(
      seed: 1, testPercent: 0, validPercent: 0, heldOut: ["leetcode:0001", "leetcode:0704"], heldOutSource: "fixture")
    let (again, out2) = try Self.build([a, b], fixture: fixture, debian: debian, problemSplit: both)
    #expect(again.statistics.splits[.githubTest]!.naturalPairs == 4)
    #expect(again.statistics.splits[.train]!.naturalPairs == 0)
    let pairs = try String(
      contentsOf: out2.appendingPathComponent("clone-pairs/natural-github-test.jsonl"), encoding: .utf8)
    #expect(pairs.contains("\"problem\":\"leetcode:0001\"") && !pairs.contains("Problem statement pasted"))
  }
}

@Suite struct NearDuplicateTests {
  @Test func similarFilesAreCaughtAndDifferentOnesAreNot() {
    var index = NearDuplicateIndex()
    #expect(index.check(Array(utilityModule().utf8), owner: "a") == nil)
    #expect(index.check(Array(utilityModule("\n    total += 0;").utf8), owner: "b") == "a")
    let unrelated = (0..<40).map { "export const value\($0) = compute(\($0), 'k\($0)');" }.joined(separator: "\n")
    #expect(index.check(Array(unrelated.utf8), owner: "c") == nil)
  }
}

@Suite struct NaturalPairTests {
  @Test func pairsNeedAnotherAuthorOrLanguage() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("natural-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let files = [
      "n/javascript/0001-two-sum.js": "// statement\nconst twoSum = (a, t) => a.indexOf(t);\n",
      "n/typescript/0001-two-sum.ts": "function twoSum(a: number[], t: number): number { return a.indexOf(t); }\n",
      "n/javascript/0002-add.js": "const add = (a, b) => a + b;\n",
      "m/0002-add.js": "function add(a, b) { return b + a; }\n",
      "m/0002-add-again.js": "function add(a, b) { return [a, b].reduce((x, y) => x + y); }\n",
      "m/0003-alone.js": "function alone() { return 3; }\n",
    ]
    try RepositoryFixture.write(files, under: folder)
    func solution(_ path: String, _ problem: String) -> NaturalPairs.Solution {
      NaturalPairs.Solution(
        problem: problem, split: .train, repository: String(path.prefix(1)), path: String(path.dropFirst(2)),
        file: folder.appendingPathComponent(path))
    }
    let solutions = [
      solution("n/javascript/0001-two-sum.js", "leetcode:0001"),
      solution("n/typescript/0001-two-sum.ts", "leetcode:0001"),
      solution("n/javascript/0002-add.js", "leetcode:0002"), solution("m/0002-add.js", "leetcode:0002"),
      solution("m/0002-add-again.js", "leetcode:0002"), solution("m/0003-alone.js", "leetcode:0003"),
    ]
    let out = folder.appendingPathComponent("pairs.jsonl")
    let writer = try JSONLinesWriter(url: out)
    let written = try NaturalPairs.write(solutions: solutions, seed: 5, maxPairsPerProblem: 6, to: writer)
    _ = try writer.close()
    // 0001: n's JS and TS (same repository, other language); 0002: n and m (m's second file is
    // the same author in the same language); 0003: one side only.
    #expect(written.problems == 2 && written.pairs == 4)
    let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
    let positives = lines.filter { $0.hasPrefix("{\"label\":1") }
    #expect(positives.count == 2)
    #expect(
      positives.contains { $0.contains("\"language\":\"javascript\"") && $0.contains("\"b_language\":\"typescript\"") })
    // One side per repository and language: m's second solution of 0002 is never used (its first
    // path, `0002-add-again.js`, is).
    #expect(lines.contains { $0.contains("0002-add-again.js") })
    #expect(!lines.contains { $0.contains("path\":\"0002-add.js\"") })
    #expect(!lines.contains { $0.contains("// statement") })
  }
}
