import CodeIntel
import Foundation

/// The TypeScript compiler as a type-prediction peer: runs `scripts/eval/tsc-types.js` (one node
/// process for all files, JSON in and out) on the de-annotated files and reads, for every site, the
/// annotation its `inferFromUsage` code fix inserts and the checker's own type there.
///
/// A proposal of `any` counts as no proposal (the protocol never scores `any`, and it is the
/// compiler saying it does not know), so coverage is the share of sites with a real type.
public struct TypeScriptPeer: Sendable {
  /// What the compiler said about each site of one file (nil: nothing).
  public struct FileResult: Sendable, Decodable, Equatable {
    public var fix: [String?]
    public var checker: [String?]
    public var error: String?

    public init(fix: [String?], checker: [String?], error: String? = nil) {
      self.fix = fix
      self.checker = checker
      self.error = error
    }
  }

  /// The node script.
  public let script: String
  /// The node executable.
  public let node: String

  public init(script: String = "scripts/eval/tsc-types.js", node: String = "/usr/bin/node") {
    self.script = script
    self.node = node
  }

  /// Runs the compiler on `files`; one result per file, in order.
  public func run(_ files: [TypeEvaluation.File]) throws -> [FileResult] {
    guard FileManager.default.fileExists(atPath: script) else {
      throw CodeIntelError("\(script): not found; run from the repository root or set CODEINTEL_TSC_SCRIPT")
    }
    let input = files.map { f in
      [
        "package": f.package, "path": f.path, "text": f.text,
        "sites": f.sites.map { ["kind": $0.kind, "offset": $0.offset] as [String: Any] },
      ] as [String: Any]
    }
    let inputURL = FileManager.default.temporaryDirectory
      .appendingPathComponent("tsc-types-\(ProcessInfo.processInfo.processIdentifier).json")
    try JSONSerialization.data(withJSONObject: input).write(to: inputURL)
    defer { try? FileManager.default.removeItem(at: inputURL) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: node)
    process.arguments = [script, inputURL.path]
    var environment = ProcessInfo.processInfo.environment
    environment["NODE_PATH"] = environment["NODE_PATH"] ?? "/usr/share/nodejs"
    process.environment = environment
    let out = Pipe()
    process.standardOutput = out
    do {
      try process.run()
    } catch {
      throw CodeIntelError("could not start \(node): \(error); install node to run the compiler peer")
    }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw CodeIntelError(
        "\(script) exited with status \(process.terminationStatus); is node-typescript installed "
          + "(apt-get install -y node-typescript)?")
    }
    let results = try JSONDecoder().decode([FileResult].self, from: data)
    guard results.count == files.count else {
      throw CodeIntelError("\(script) answered for \(results.count) files, expected \(files.count)")
    }
    return results
  }

  /// The two rows: the code fix alone, and the best effort (fix, else the checker's type).
  public static func predictions(_ results: [FileResult]) -> (fix: [[[String]]], bestEffort: [[[String]]]) {
    func real(_ t: String?) -> String? {
      guard let t, TypeAccuracy.normalize(t) != "any" else { return nil }
      return t
    }
    let fix = results.map { r in r.fix.map { real($0).map { [$0] } ?? [] } }
    let best = results.map { r in
      r.fix.indices.map { i -> [String] in
        let checker = i < r.checker.count ? r.checker[i] : nil
        return (real(r.fix[i]) ?? real(checker)).map { [$0] } ?? []
      }
    }
    return (fix, best)
  }
}
