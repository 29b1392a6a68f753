import Foundation
import Testing

@Suite(.serialized) struct NameCLITests {
  static let source = """
    function isValid(u) {
      if (!u) return "missing";
      return "ok";
    }
    function sum(xs) {
      let s = 0;
      for (const x of xs) s += x;
      return s;
    }

    """

  func tempFile(_ text: String, _ ext: String = "js") throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("names-\(UUID()).\(ext)").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test("eval names with an empty train split: one line saying so, not a crash")
  func evalNamesEmptyTrain() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("names-ds-\(UUID())")
    let names = dir.appendingPathComponent("method-names")
    try FileManager.default.createDirectory(at: names, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data().write(to: names.appendingPathComponent("train.jsonl"))
    let line =
      #"{"package":"p","path":"a.js","name":"getUser","target":["get","user"],"input":"function() { return 1; }"}"#
    try Data((line + "\n").utf8).write(to: names.appendingPathComponent("test.jsonl"))
    let r = try CLI.run(["eval", "names", "--datasets", dir.path])
    #expect(r.status == 1)
    #expect(r.stderr.contains("train.jsonl has no examples") && r.stderr.split(separator: "\n").count == 1)
  }

  @Test func suggestNamesTextAndJSONWithoutAModel() throws {
    let path = try tempFile(Self.source)
    defer { try? FileManager.default.removeItem(atPath: path) }
    // no rule is on by default (none reached 80 % on real code, docs/NAMES.md)
    let quiet = try CLI.run(["suggest-names", path, "--no-model", "--only-mismatches"])
    #expect(quiet.status == 0 && quiet.stdout == "0 of 2 functions flagged in 1 file(s)\n")
    let text = try CLI.run(["suggest-names", path, "--no-model", "--rules", "all"])
    #expect(text.status == 0)
    #expect(
      text.stdout == """
        \(path):1:10  isValid  MISMATCH 0.80
            - named like a predicate (`is…`) but every return is a string literal, never a boolean
        \(path):5:10  sum
        1 of 2 functions flagged in 1 file(s)

        """)
    let only = try CLI.run([
      "suggest-names", path, "--no-model", "--only-mismatches", "--format", "json", "--rules", "predicate",
    ])
    #expect(only.status == 0)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(only.stdout.utf8)) as? [String: Any])
    #expect(object["model"] is NSNull)
    let files = try #require(object["files"] as? [[String: Any]])
    let functions = try #require(files.first?["functions"] as? [[String: Any]])
    #expect(functions.count == 1)
    #expect(functions[0]["name"] as? String == "isValid" && functions[0]["mismatch"] as? Bool == true)
    #expect(functions[0]["line"] as? Int == 1 && functions[0]["character"] as? Int == 9)
    #expect((functions[0]["reasons"] as? [String])?.count == 1)
  }

  @Test("suggest-names --rules: the set… rule is off by default and on when asked for; an unknown rule is one line")
  func suggestNamesRules() throws {
    let path = try tempFile("function setName(u, n) { const c = u; return c.name + n; }\n")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let byDefault = try CLI.run(["suggest-names", path, "--no-model", "--only-mismatches"])
    #expect(byDefault.status == 0 && byDefault.stdout == "0 of 1 functions flagged in 1 file(s)\n")
    let asked = try CLI.run(["suggest-names", path, "--no-model", "--only-mismatches", "--rules", "get,set"])
    #expect(
      asked.stdout.contains("setName  MISMATCH 0.80")
        && asked.stdout.hasSuffix("1 of 1 functions flagged in 1 file(s)\n"))
    let all = try CLI.run(["suggest-names", path, "--no-model", "--rules", "all"])
    #expect(all.stdout.contains("MISMATCH"))
    let bad = try CLI.run(["suggest-names", path, "--no-model", "--rules", "setter"])
    #expect(bad.status != 0 && bad.stderr.contains("--rules") && bad.stderr.split(separator: "\n").count == 1)
  }

  @Test func suggestNamesErrorsAreOneLine() throws {
    let missing = try CLI.run(["suggest-names", "/nonexistent/x.js", "--no-model"])
    #expect(missing.status != 0 && missing.stderr.split(separator: "\n").count == 1)
    let path = try tempFile(Self.source)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let badModel = try CLI.run(["suggest-names", path, "--names-model", "/tmp"])
    #expect(badModel.status != 0 && badModel.stderr.contains("config.json") && badModel.stdout.isEmpty)
    let badTop = try CLI.run(["suggest-names", path, "--top", "0"])
    #expect(badTop.status != 0 && badTop.stderr.contains("--top"))
  }

  @Test func evalNamesRequiresReadableDatasetsAndScoresTheBaseline() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("names-ds-\(UUID())")
    try FileManager.default.createDirectory(
      at: dir.appendingPathComponent("method-names"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    func line(_ name: String, _ target: [String]) -> String {
      let t = target.map { "\"\($0)\"" }.joined(separator: ",")
      return #"{"package":"p","path":"a.js","name":"\#(name)","target":[\#(t)],"input":"function() { return 1; }"}"#
    }
    let train = [line("getName", ["get", "name"]), line("getName", ["get", "name"]), line("setId", ["set", "id"])]
    try train.joined(separator: "\n").write(
      to: dir.appendingPathComponent("method-names/train.jsonl"), atomically: true, encoding: .utf8)
    // baseline `getName` against: getName (exact), getId (tp get, fp name, fn id), run (fp get, fp name, fn run)
    let test = [line("getName", ["get", "name"]), line("getId", ["get", "id"]), line("run", ["run"])]
    try test.joined(separator: "\n").write(
      to: dir.appendingPathComponent("method-names/test.jsonl"), atomically: true, encoding: .utf8)
    let r = try CLI.run(["eval", "names", "--datasets", dir.path, "--names-model", "/tmp"])
    #expect(r.status != 0 && r.stderr.contains("config.json"))
    // P = 3/6, R = 3/5, F1 = 2·0.5·0.6/1.1 = 0.5455, exact 1/3
    let env = ProcessInfo.processInfo.environment["CODEINTEL_NAMES_MODEL"]
    if env == nil {
      let ok = try CLI.run(["eval", "names", "--datasets", dir.path])
      #expect(ok.status == 0)
      #expect(ok.stdout.contains("| most frequent train name (`getName`) | 50.0 | 60.0 | 54.5 | 33.3 |"))
    }
    let broken = try CLI.run(["eval", "names", "--datasets", dir.path + "/nope"])
    #expect(broken.status != 0 && broken.stderr.split(separator: "\n").count == 1)
  }
}
