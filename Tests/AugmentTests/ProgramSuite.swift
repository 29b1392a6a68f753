import Augment
import Foundation
import Syntax

/// The self-checking JavaScript programs under `Programs/` (several per file, each starting at a
/// `// ==== name` line) and the node runner that compares transcripts.
enum ProgramSuite {
  struct Program {
    var name: String
    var source: String
  }

  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

  static func load() throws -> [Program] {
    let dir = directory.appendingPathComponent("Programs")
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".js") }.sorted()
    var programs: [Program] = []
    for file in files {
      let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
      var name: String? = nil
      var lines: [Substring] = []
      func flush() {
        if let name { programs.append(Program(name: name, source: lines.joined(separator: "\n") + "\n")) }
      }
      for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("// ==== ") {
          flush()
          name = String(line.dropFirst(8))
          lines = []
        } else {
          lines.append(line)
        }
      }
      flush()
    }
    return programs
  }

  struct Job: Encodable {
    var name: String
    var texts: [String]
    var labels: [String]
  }

  struct Mismatch: Decodable {
    var name: String
    var label: String
    var expected: String
    var got: String
    var text: String
  }

  struct Broken: Decodable {
    var name: String
    var expected: String
  }

  struct Report: Decodable {
    var programs: Int
    var runs: Int
    var mismatches: [Mismatch]
    var broken: [Broken]
  }

  /// Runs every job's texts under node (one process for all) and returns what differed.
  static func run(_ jobs: [Job]) throws -> Report {
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("augment-exec-\(getpid())-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: tmp) }
    let input = tmp.appendingPathComponent("jobs.json")
    try JSONEncoder().encode(jobs).write(to: input)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/node")
    process.arguments = [directory.appendingPathComponent("Support/run-transcripts.js").path, input.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return try JSONDecoder().decode(Report.self, from: data)
  }

  static var nodeAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/node") }
}
