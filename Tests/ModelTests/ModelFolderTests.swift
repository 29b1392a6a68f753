import Foundation
import Testing

@testable import Model

/// `ModelFolder`: one error sentence for every broken folder, whichever loader opens it.
@Suite struct ModelFolderTests {
  struct Info: Codable {
    var format: String
    var version: Int
    var size: Int
  }

  func folder(_ config: String?) throws -> ModelFolder {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("model-folder-\(UUID())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    if let config { try config.write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8) }
    return ModelFolder(url: dir, kind: "name head")
  }

  func sentence(_ f: ModelFolder, _ body: (ModelFolder) throws -> Void) -> String {
    do {
      try body(f)
      return "no error"
    } catch let e as PretrainError {
      return e.description
    } catch {
      return "another error: \(error)"
    }
  }

  @Test func brokenFoldersSayWhichFileAndWhy() throws {
    let read = { (f: ModelFolder) in _ = try f.config(Info.self, format: "codeintel-names", version: 1) }
    let cases: [(String?, String)] = [
      (nil, "it has no readable config.json (not a name head)"),
      (#"{"format": "codeintel-typehead", "version": 1, "size": 1}"#, "config.json format is 'codeintel-typehead'"),
      (
        #"{"format": "codeintel-names", "version": 2, "size": 1}"#,
        "config.json is name head format version 2 but this codeintel reads 1"
      ),
      (#"{"format": "codeintel-names", "version": 1}"#, "config.json is not a name head's"),
    ]
    for (config, reason) in cases {
      let f = try folder(config)
      defer { try? FileManager.default.removeItem(at: f.url) }
      let s = sentence(f, read)
      #expect(s.hasPrefix("\(f.path) is not a usable model folder: \(reason)"), "\(s)")
      #expect(!s.contains("\n"))
    }
    let good = try folder(#"{"format": "codeintel-names", "version": 1, "size": 3}"#)
    defer { try? FileManager.default.removeItem(at: good.url) }
    #expect(try good.config(Info.self, format: "codeintel-names", version: 1).size == 3)
    #expect(sentence(good) { _ = try $0.tokenizer("tokenizer.json") }.hasSuffix("tokenizer.json is missing"))
    #expect(sentence(good) { _ = try $0.encoder("encoder.safetensors") }.hasSuffix("encoder.safetensors is missing"))
    try "not json".write(to: good.file("subtokens.json"), atomically: true, encoding: .utf8)
    #expect(
      sentence(good) { _ = try $0.json([String].self, file: "subtokens.json") }.contains(
        "subtokens.json is not valid JSON"))
  }

  @Test func headsAreLookedForInsideTheModelFolders() throws {
    let plain = ModelFolder.searchPaths(subfolder: nil)
    let names = ModelFolder.searchPaths(subfolder: "names")
    #expect(plain == ModelFolder.defaultSearchPaths())
    #expect(plain.allSatisfy { $0.hasSuffix("Models/" + ModelFolder.defaultModelName) })
    for p in plain { #expect(names.contains(p + "/names")) }
    let explicit = try ModelFolder.locate(explicit: "~/x", environmentVariable: nil, subfolder: "names", kind: "name head")
    #expect(explicit.folder?.path == NSString(string: "~/x").expandingTildeInPath && explicit.searched.isEmpty)
  }
}
