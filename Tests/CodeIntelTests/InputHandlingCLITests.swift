import Foundation
import Testing

/// Issue 20: one input-handling rule for every command that takes paths — each bad input reported on one
/// line, the others still processed, exit 1 at the end — and `--quiet` accepted everywhere.
@Suite(.serialized) struct InputHandlingCLITests {
  /// A folder with one good file, a symbolic link loop and a link to nothing.
  private func fixture() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cli-inputs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try "function totalPrice(items) {\n  let t = 0\n  for (const i of items) t += i.price\n  return t\n}\n".write(
      to: dir.appendingPathComponent("good.js"), atomically: true, encoding: .utf8)
    try FileManager.default.createSymbolicLink(
      atPath: dir.appendingPathComponent("loop.js").path, withDestinationPath: "loop2.js")
    try FileManager.default.createSymbolicLink(
      atPath: dir.appendingPathComponent("loop2.js").path, withDestinationPath: "loop.js")
    try FileManager.default.createSymbolicLink(
      atPath: dir.appendingPathComponent("dangling.js").path, withDestinationPath: "gone.js")
    return dir
  }

  @Test(arguments: [
    ["suggest-names", "--no-model"], ["suggest-types"], ["parse"],
  ])
  func badPathsAreReportedOneLineEachAndTheRestIsProcessed(command: [String]) throws {
    let dir = try fixture()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (good, loop, dangling) = (
      dir.appendingPathComponent("good.js").path, dir.appendingPathComponent("loop.js").path,
      dir.appendingPathComponent("dangling.js").path
    )
    let missing = dir.appendingPathComponent("missing.js").path
    let r = try CLI.run(command + [missing, loop, good, dangling])
    #expect(r.status == 1, "\(command): \(r.stderr)")
    let lines = r.stderr.split(separator: "\n").map(String.init)
    #expect(lines.count == 3, "\(command): \(lines)")
    #expect(lines.contains { $0.contains(missing) && $0.contains("no such file or directory") })
    #expect(lines.contains { $0.contains(loop) && $0.contains("symbolic link loop") }, "\(lines)")
    #expect(lines.contains { $0.contains(dangling) && $0.contains("gone.js, which does not exist") }, "\(lines)")
    if command[0] != "suggest-types" {  // suggest-types lists TypeScript sites only; the file is JavaScript
      #expect(r.stdout.contains("totalPrice") || r.stdout.contains("good.js"), "\(command): \(r.stdout)")
    }
  }

  @Test(arguments: [
    ["parse", "Examples/basics/shapes.ts"], ["suggest-types", "Examples/basics/shapes.ts"],
    ["suggest-names", "--no-model", "Examples/basics/shapes.ts"], ["embed", "Examples/basics/shapes.ts"],
  ])
  func quietIsAcceptedEverywhere(command: [String]) throws {
    let r = try CLI.run(command + ["--quiet"])
    #expect(r.status == 0, "\(command): \(r.stderr)")
    #expect(r.stderr.isEmpty, "\(command): \(r.stderr)")
  }

  /// A model setting that names nothing is an error with a sentence, never a silent fallback.
  @Test(arguments: [["suggest-types"], ["suggest-names"]])
  func aModelFolderThatDoesNotExistIsAnError(command: [String]) throws {
    let r = try CLI.run(command + ["Examples/basics/shapes.ts"], environment: ["CODEINTEL_MODEL": "/nonexistent-model"])
    #expect(r.status == 1, "\(command): \(r.stderr)")
    #expect(r.stderr.contains("CODEINTEL_MODEL names a folder that does not exist"), "\(r.stderr)")
  }

  /// A head folder that is there but broken is called broken (not "no name head found"), with a sentence
  /// naming the file and the missing field instead of Swift's decoding internals.
  @Test func aBrokenNameHeadIsReportedAsSuch() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("broken-head-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try #"{"format": "codeintel-names"}"#.write(
      to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
    let r = try CLI.run(
      ["suggest-names", "Examples/basics/shapes.ts"], environment: ["CODEINTEL_NAMES_MODEL": dir.path])
    #expect(r.status == 1, "\(r.stderr)")
    #expect(r.stderr.contains("the name head cannot be used"), "\(r.stderr)")
    #expect(r.stderr.contains("config.json") && r.stderr.contains("lacks the field `version`"), "\(r.stderr)")
    #expect(!r.stderr.contains("DecodingError") && !r.stderr.contains("no name head found"), "\(r.stderr)")
  }

  /// Issue 20: an import used only in type positions has references in `parse --scopes`.
  @Test func importsUsedAsTypesHaveReferences() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scopes-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("area.ts")
    try """
    import { Point, scale } from "./geometry";
    import type { Shape } from "./shapes";
    import { Box } from "./box";
    interface Box { w: number }
    export function area<T>(s: Shape, p: Point): Array<Point> { return [scale(p)] }

    """.write(to: file, atomically: true, encoding: .utf8)
    let r = try CLI.run(["parse", "--scopes", file.path])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("Point (import) declared 1:10; references 5:38 5:52"), "\(r.stdout)")
    #expect(r.stdout.contains("Shape (import) declared 2:15; references 5:28"), "\(r.stdout)")
    // A name the file also declares as a type: which one a use means needs type scopes, so none is claimed.
    #expect(r.stdout.contains("Box (import) declared 3:10; references none"), "\(r.stdout)")
  }

  /// Issue 20: a file that parses with errors (a tagged template with an invalid escape, valid since ES2018)
  /// never gets `reformat`; `augment` says so instead of staying silent.
  @Test func augmentSaysWhenReformatCannotRun() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("augment-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("tagged.js")
    try "const tag = (s) => s.raw[0];\nconsole.log(tag`\\unicode`);\nfunction f(a) {   return a+1 }\n".write(
      to: file, atomically: true, encoding: .utf8)
    let r = try CLI.run(["augment", file.path, "-n", "1", "--transforms", "reformat"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("reformat skipped: the input has syntax errors, the first at line 2"), "\(r.stdout)")
    let clean = dir.appendingPathComponent("clean.js")
    try "function f(a) {   return a+1 }\n".write(to: clean, atomically: true, encoding: .utf8)
    let ok = try CLI.run(["augment", clean.path, "-n", "1", "--transforms", "reformat"])
    #expect(!ok.stdout.contains("skipped"), "\(ok.stdout)")
  }

  /// Issue 20: `eval clones --quick` without its data says what is missing and how to get it, in one line.
  @Test func evalClonesWithoutItsDataSaysWhatIsMissing() throws {
    let r = try CLI.run([
      "eval", "clones", "--quick", "--no-model", "--data", "/nonexistent-clone-data", "--no-augmentation-pairs",
    ])
    #expect(r.status == 1)
    #expect(r.stderr.contains("the LeetCode clone pairs are not at /nonexistent-clone-data/pairs.jsonl"), "\(r.stderr)")
    #expect(r.stderr.contains("--no-leetcode"), "\(r.stderr)")
    let neither = try CLI.run([
      "eval", "clones", "--quick", "--no-model", "--no-leetcode", "--datasets", "/nonexistent-datasets",
    ])
    #expect(neither.status == 1)
    #expect(neither.stderr.contains("nothing to evaluate: the augmentation pairs are not at"), "\(neither.stderr)")
    #expect(neither.stderr.contains("codeintel corpus build"), "\(neither.stderr)")
    #expect(neither.stderr.split(separator: "\n").count == 1, "\(neither.stderr)")
  }

  /// `pretrain --resume` on a folder without a checkpoint (and no warm start) says what to do in one line,
  /// instead of "cannot read the checkpoint".
  @Test func pretrainResumeWithoutACheckpointSaysWhatToDo() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(["pretrain", "--resume", "--out", dir.path, "--config", "Models/configs/mlm-small.json"])
    #expect(r.status != 0)
    #expect(r.stderr.contains("has no checkpoint.bin to resume: drop --resume"), "\(r.stderr)")
    #expect(!r.stderr.contains("cannot read the checkpoint"), "\(r.stderr)")
    #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
  }
}
