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
    #expect(r.stderr == "codeintel: warning: \(empty): no functions, nothing embedded (use --per file to embed it whole)\n")
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
    #expect(line.model.hasPrefix("encoder:contracode-moco-small"))
    #expect(line.vector.count != 256 && !line.vector.isEmpty)
    let hashed = try CLI.run(["embed", good, "--model", "hashed"])
    #expect(try JSONDecoder().decode(Line.self, from: Data(hashed.stdout.utf8)).model == "hashed-features-v1-256")

    // clones and search take the same flag; an unknown model is a one-line error.
    try dir.write("repo/a.js", Self.function)
    let clones = try CLI.run(["clones", dir.root + "/repo", "--model", "encoder", "--format", "json", "--quiet"])
    #expect(clones.status == 0, "\(clones.stderr)")
    #expect(clones.stdout.contains("\"model\" : \"encoder:contracode-moco-small"))
    let search = try CLI.run(["search", "a.js:add", "--repo", dir.root + "/repo", "--model", "encoder", "--quiet"])
    #expect(search.status == 0, "\(search.stderr)")
    let bad = try CLI.run(["clones", dir.root + "/repo", "--model", dir.root + "/no-such-model"])
    #expect(bad.status == 1 && lines(bad.stderr).count == 1, "\(bad.stderr)")
  }
}
