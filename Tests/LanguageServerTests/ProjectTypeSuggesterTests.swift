import Foundation
import Heads
import Syntax
import Testing

@testable import LanguageServer

/// The editor's type hints read the project's own annotations as `suggest-types` does (`TypeProjectAnnotations`): a
/// project is read at the first request of one of its files, and a saved file's annotations replace its old ones.
@Suite struct ProjectTypeSuggesterTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static func project() throws -> URL {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-lsp-project-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: root.appendingPathComponent("src"), withIntermediateDirectories: true)
    func write(_ path: String, _ text: String) throws {
      try text.write(to: root.appendingPathComponent(path), atomically: true, encoding: .utf8)
    }
    try write("tsconfig.json", "{}\n")
    try write("src/types.ts", "export type PathLike = string | URL;\n")
    try write(
      "src/a.ts",
      "import { PathLike } from './types';\nexport function open(path: PathLike) { return path; }\n"
        + "export function stat(path: PathLike) { return path; }\n")
    try write("src/b.ts", "import { PathLike } from './types';\nexport function read(path: PathLike) { return path; }\n")
    try write("src/c.ts", Self.asked)
    return root
  }

  /// The shipped type head.
  static func model() throws -> TypeHeadModel {
    try TypeHeadModel.load(directory: repository.appendingPathComponent("Models/contracode-hybrid-small/types").path)
  }

  static let asked = "import { PathLike } from './types';\nexport function remove(path) { return path; }\n"

  static func leadReason(_ suggestions: [TypeEvidence.Suggestion]) -> String? {
    suggestions.first { $0.kind == .parameter && $0.name == "path" }?.candidates.first?.reason
  }

  @Test("hints lead with the project's type; a saved file is read again; off without a path or when turned off")
  func projectLeads() throws {
    let root = try Self.project()
    defer { try? FileManager.default.removeItem(at: root) }
    let model = try Self.model()
    let suggester = ModelTypeSuggester(model: model)
    let tree = try Parser(language: .typescript).parse(Self.asked)
    let token = CancellationToken()
    let c = root.appendingPathComponent("src/c.ts").path
    let first = try suggester.suggestTypes(in: tree, bytes: nil, cache: TypeHeadCache(), path: c, cancellation: token)
    let lead = try #require(first.first { $0.kind == .parameter && $0.name == "path" }?.candidates.first)
    #expect(lead.type == "PathLike" && lead.reason.contains("the project writes it at 3 of 3 sites"))
    // an unsaved document has no project; nor does a suggester made without it
    let unsaved = try suggester.suggestTypes(in: tree, bytes: nil, cache: TypeHeadCache(), path: nil, cancellation: token)
    #expect(Self.leadReason(unsaved)?.contains("the project") != true)
    let off = ModelTypeSuggester(model: model, projects: false)
    #expect(
      Self.leadReason(try off.suggestTypes(in: tree, bytes: nil, cache: TypeHeadCache(), path: c, cancellation: token))?
        .contains("the project") != true)
    // a.ts saved with `string`: PathLike keeps one site (b.ts), under the rule
    let a = "export function open(path: string) { return path; }\nexport function stat(path: string) { return path; }\n"
    suggester.saved(path: root.appendingPathComponent("src/a.ts").path, tree: try Parser(language: .typescript).parse(a))
    let after = try suggester.suggestTypes(in: tree, bytes: nil, cache: TypeHeadCache(), path: c, cancellation: token)
    #expect(Self.leadReason(after)?.contains("the project") != true)
  }

  @Test("the document's own annotations count as the buffer holds them: a type it writes at two sites of a name leads")
  func ownBufferAnnotations() throws {
    let root = try Self.project()
    defer { try? FileManager.default.removeItem(at: root) }
    let model = try Self.model()
    let declared = "type Done = (error?: Error) => void;\n"
    let text =
      declared + "export function a(done: Done) { done(); }\nexport function b(done: Done) { done(); }\n"
      + "export function c(done) { done(); }\n"
    let path = root.appendingPathComponent("src/e.ts").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    let suggester = ModelTypeSuggester(model: model)
    let token = CancellationToken()
    func lead(_ source: String) throws -> TypeEvidence.Suggestion.Candidate? {
      let tree = try Parser(language: .typescript).parse(source)
      return try suggester.suggestTypes(in: tree, bytes: nil, cache: TypeHeadCache(), path: path, cancellation: token)
        .first { $0.kind == .parameter && $0.name == "done" }?.candidates.first
    }
    let first = try #require(try lead(text))
    #expect(first.type == "Done" && first.reason.contains("2 in this file"))
    // the buffer without its two annotations gives its hole nothing, whatever the disk holds
    let bare = declared + "export function c(done) { done(); }\n"
    #expect(try lead(bare)?.reason.contains("in this file") != true)
    // saved without them, the buffer that still holds them counts them (unsaved edits count)
    suggester.saved(path: path, tree: try Parser(language: .typescript).parse(bare))
    #expect(try lead(text)?.reason.contains("2 in this file") == true)
    #expect(try lead(bare)?.reason.contains("in this file") != true)
  }

  @Test("through the server: the document's file URI reaches the project; typeProject.enabled false turns it off")
  func throughTheServer() throws {
    let root = try Self.project()
    defer { try? FileManager.default.removeItem(at: root) }
    let model = try Self.model()
    let uri = root.appendingPathComponent("src/c.ts").absoluteString
    func hints(project: Bool) throws -> [String] {
      let editor = try MockEditor(
        providers: AnalysisProviders(types: ModelTypeSuggester(model: model), useWorkspaceCloneIndex: false),
        options: [
          "codeintel": [
            "diagnostics": ["enabled": false], "typeCheck": ["enabled": false], "inlayHints": ["minConfidence": 0],
            "typeProject": ["enabled": .bool(project)], "index": ["enabled": false],
          ]
        ])
      editor.open(Self.asked, uri: uri)
      let result = try editor.result(
        "textDocument/inlayHint", ["textDocument": ["uri": .string(uri)], "range": MockEditor.everything])
      return result.items.compactMap { $0["tooltip"]?.stringValue }
    }
    // the hint's tooltip gives its reason: the project's, only when the setting is on
    let on = try hints(project: true)
    #expect(on.contains { $0.hasPrefix("codeintel: `PathLike`") && $0.contains("the project writes it at 3 of 3 sites") })
    #expect(try !hints(project: false).contains { $0.contains("the project") })
  }

  @Test("the setting typeProject.enabled")
  func setting() {
    var configuration = ServerConfiguration()
    #expect(configuration.typeProjectEnabled)
    #expect(configuration.apply(["codeintel": ["typeProject": ["enabled": false]]]).isEmpty)
    #expect(!configuration.typeProjectEnabled)
    #expect(configuration.apply(["typeProject": ["enabled": 1]]) == ["typeProject.enabled"])
  }
}
