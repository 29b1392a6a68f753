import Foundation
import Testing

/// `codeintel embed`, `clones` and `search` as a user runs them (issue 18's bugs).
@Suite(.serialized) struct CloneCommandTests {
  final class Scratch {
    let root: String
    init() throws {
      root = FileManager.default.temporaryDirectory.appendingPathComponent("clone-cli-\(UUID().uuidString)").path
      try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: root) }
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
      let path = root + "/" + name
      try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try Data(text.utf8).write(to: URL(fileURLWithPath: path))
      return path
    }
  }

  static let function = "export function add(a, b) {\n  const s = a + b;\n  return s * 2;\n}\n"

  private func lines(_ s: String) -> [String] { s.split(separator: "\n").map(String.init) }

  @Test func embedReportsEachBadInputAndKeepsGoing() throws {
    let dir = try Scratch()
    let good = try dir.write("good.js", Self.function)
    let missing = dir.root + "/missing.js"
    let text = try dir.write("notes.txt", "hello")
    let big = try dir.write("big.js", Self.function + String(repeating: "// padding\n", count: 200))
    let r = try CLI.run(["embed", missing, good, text, big, "--max-file-size", "500"])
    #expect(r.status == 1)
    let out = lines(r.stdout)
    #expect(out.count == 1 && out[0].contains("\"name\":\"add\""))
    let err = lines(r.stderr)
    #expect(err.count == 4, "\(r.stderr)")
    #expect(err.contains { $0.hasPrefix("codeintel: \(missing): ") })
    #expect(err.contains { $0.hasPrefix("codeintel: \(text): not a JavaScript or TypeScript file") })
    #expect(err.contains { $0.hasPrefix("codeintel: \(big): too large") })
    #expect(err.last == "codeintel: 3 inputs could not be embedded")
  }

  @Test func embedPerFunctionWarnsOnFilesWithoutFunctions() throws {
    let dir = try Scratch()
    let good = try dir.write("good.js", Self.function)
    let empty = try dir.write("config.js", "export const settings = { retries: 3, verbose: true };\n")
    let r = try CLI.run(["embed", good, empty])
    #expect(r.status == 0)
    #expect(lines(r.stdout).count == 1)
    #expect(
      r.stderr == "codeintel: warning: \(empty): no functions, nothing embedded (use --per file to embed it whole)\n")
    let perFile = try CLI.run(["embed", good, empty, "--per", "file"])
    #expect(perFile.status == 0 && perFile.stderr.isEmpty && lines(perFile.stdout).count == 2)
  }

  @Test func theEncoderCanBeChosen() throws {
    let dir = try Scratch()
    let good = try dir.write("good.js", Self.function)
    let r = try CLI.run(["embed", good, "--model", "encoder"])
    #expect(r.status == 0, "\(r.stderr)")
    struct Line: Decodable {
      var model: String
      var vector: [Float]
    }
    let line = try JSONDecoder().decode(Line.self, from: Data(r.stdout.utf8))
    #expect(line.model.hasPrefix("encoder:contracode-hybrid-small"))
    #expect(line.vector.count != 256 && !line.vector.isEmpty)
    let hashed = try CLI.run(["embed", good, "--model", "hashed"])
    #expect(try JSONDecoder().decode(Line.self, from: Data(hashed.stdout.utf8)).model == "hashed-features-v1-256")

    // clones and search take the same flag; an unknown model is a one-line error.
    try dir.write("repo/a.js", Self.function)
    let clones = try CLI.run(["clones", dir.root + "/repo", "--model", "encoder", "--format", "json", "--quiet"])
    #expect(clones.status == 0, "\(clones.stderr)")
    #expect(clones.stdout.contains("\"model\" : \"encoder:contracode-hybrid-small"))
    let search = try CLI.run(["search", "a.js:add", "--repo", dir.root + "/repo", "--model", "encoder", "--quiet"])
    #expect(search.status == 0, "\(search.stderr)")
    let bad = try CLI.run(["clones", dir.root + "/repo", "--model", dir.root + "/no-such-model"])
    #expect(bad.status == 1 && lines(bad.stderr).count == 1, "\(bad.stderr)")
    // index takes it too, so it does not re-embed what clones --model encoder stored.
    let index = try CLI.run(["index", dir.root + "/repo", "--model", "encoder"])
    #expect(index.status == 0 && index.stdout.contains("0 files (0 functions), 1 unchanged"), "\(index.stdout)")
  }

  @Test func clonesJudgesFunctionalPairsWithTheShippedScorerUnlessTurnedOff() throws {
    let dir = try Scratch()
    try dir.write("repo/a.js", Self.function)
    let repo = dir.root + "/repo"
    let on = try CLI.run(["clones", repo, "--format", "json", "--quiet"])
    #expect(on.status == 0, "\(on.stderr)")
    #expect(on.stdout.contains("\"functionalScorer\" : \"learned pair scorer: probability >= "))
    for off in [["--no-scorer"], ["--threshold", "0.8"]] {
      let r = try CLI.run(["clones", repo, "--format", "json", "--quiet"] + off)
      #expect(r.status == 0 && !r.stdout.contains("functionalScorer"), "\(off)")
    }
  }

  @Test func clonesReadsRepositorySettingsAndFlagsWin() throws {
    let dir = try Scratch()
    let body = (0..<8).map { "  total += values[\($0)] * \($0 + 3);" }.joined(separator: "\n")
    let function = "export function weighted(values) {\n  let total = 0;\n\(body)\n  return total;\n}\n"
    try dir.write("repo/src/a.js", function)
    try dir.write("repo/src/gen/b.js", function)
    try dir.write("repo/test/c.js", function)
    let repo = dir.root + "/repo"
    func groups(_ extra: [String]) throws -> [[String]] {
      let r = try CLI.run(["clones", repo, "--format", "json", "--quiet"] + extra)
      #expect(r.status == 0, "\(r.stderr)")
      struct Report: Decodable {
        struct Group: Decodable {
          struct Member: Decodable { var path: String }
          var members: [Member]
        }
        var groups: [Group]
      }
      return try JSONDecoder().decode(Report.self, from: Data(r.stdout.utf8)).groups.map { $0.members.map(\.path) }
    }
    #expect(try groups([]) == [["src/a.js", "src/gen/b.js"]])
    #expect(try groups(["--include-tests"]) == [["src/a.js", "src/gen/b.js", "test/c.js"]])
    try dir.write("repo/.codeintel.json", #"{"clones": {"exclude": ["gen/"], "includeTests": true}}"#)
    #expect(try groups([]) == [["src/a.js", "test/c.js"]])
    #expect(try groups(["--exclude", "test/"]) == [["src/a.js", "src/gen/b.js"]])
    try dir.write("repo/.codeintel.json", #"{"clones": {"exclude": "gen/"}}"#)
    let bad = try CLI.run(["clones", repo, "--quiet"])
    #expect(bad.status == 1)
    #expect(bad.stderr == "codeintel: error: \(repo)/.codeintel.json: \"clones.exclude\" must be a list of strings\n")
  }

  @Test func clonesTakesTheTemplateOutOfFunctionalPairsUnlessTurnedOff() throws {
    // Six functions in one wrapper, two of them with one core (`Tests/Fixtures/template-wrappers/`); a run is
    // template in 3 functions here, and cosine 0.5 makes every pair a candidate.
    let dir = try Scratch()
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/template-wrappers").path
    for name in try FileManager.default.contentsOfDirectory(atPath: fixtures) where name.hasSuffix(".js") {
      try dir.write("repo/src/" + name, try String(contentsOfFile: fixtures + "/" + name, encoding: .utf8))
    }
    try dir.write("repo/.codeintel.json", #"{"clones": {"templateMinFunctions": 3}}"#)
    let repo = dir.root + "/repo"
    func functional(_ extra: [String]) throws -> [[String]] {
      let r = try CLI.run(["clones", repo, "--threshold", "0.5", "--all", "--format", "json", "--quiet"] + extra)
      #expect(r.status == 0, "\(r.stderr)")
      struct Report: Decodable {
        struct Group: Decodable {
          struct Member: Decodable { var name: String? }
          var kind: String
          var members: [Member]
        }
        var groups: [Group]
      }
      return try JSONDecoder().decode(Report.self, from: Data(r.stdout.utf8)).groups.filter { $0.kind == "functional" }
        .map { $0.members.compactMap(\.name).sorted() }
    }
    #expect(try functional([]) == [["insertAt", "search"]])
    let off = try functional(["--no-template-rule"])
    #expect(off.contains { $0.contains("evens") && $0.count >= 2 }, "\(off)")
    let help = try CLI.run(["clones", "--help"])
    #expect(help.stdout.contains("--no-template-rule"))
  }

  @Test func clonesLeavesOutBuildOutputAndExamplesUnlessAsked() throws {
    let dir = try Scratch()
    let body = (0..<8).map { "  total += values[\($0)] * \($0 + 3);" }.joined(separator: "\n")
    let function = "export function weighted(values) {\n  let total = 0;\n\(body)\n  return total;\n}\n"
    for p in ["src/a.js", "src/b.js", "dist/a.js", "examples/app/a.js"] { try dir.write("repo/" + p, function) }
    let repo = dir.root + "/repo"
    func paths(_ extra: [String]) throws -> Set<String> {
      let r = try CLI.run(["clones", repo, "--no-functional", "--no-near-miss"] + extra)
      #expect(r.status == 0, "\(r.stderr)")
      return Set(["src/a.js", "src/b.js", "dist/a.js", "examples/app/a.js"].filter { r.stdout.contains($0 + ":") })
    }
    let text = try CLI.run(["clones", repo, "--quiet"]).stdout
    #expect(text.contains("left out: 1 function in build output (--include-build), 1 function in example apps (--include-examples)"))
    #expect(try paths(["--quiet"]) == ["src/a.js", "src/b.js"])
    #expect(try paths(["--quiet", "--include-build"]) == ["src/a.js", "src/b.js", "dist/a.js"])
    #expect(try paths(["--quiet", "--include-examples"]) == ["src/a.js", "src/b.js", "examples/app/a.js"])
  }
}
