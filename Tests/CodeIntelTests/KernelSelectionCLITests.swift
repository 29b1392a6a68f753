import Foundation
import Testing

/// The OpenBLAS kernel selection of issue 22, end to end through the real executable and library: a
/// simulated fallback (OpenBLAS really running its generic Prescott kernels) is replaced by the best
/// kernels the CPU supports after one re-exec; the user's variable wins; a library that ignores the choice
/// gets a warning, not a loop.
@Suite(.serialized) struct KernelSelectionCLITests {
  static func run(_ env: [String: String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let bin = try #require(CLI.binary, "build the codeintel executable first (swift build) or set CODEINTEL_BIN")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: bin)
    process.arguments = ["--version", "--verbose"]
    var environment = ProcessInfo.processInfo.environment
    for key in ["OPENBLAS_CORETYPE", "CODEINTEL_OPENBLAS_SELECTED", "CODEINTEL_OPENBLAS_SIMULATE_FALLBACK"] {
      environment[key] = nil
    }
    environment.merge(env) { $1 }
    process.environment = environment
    let (out, err) = (Pipe(), Pipe())
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
  }

  static func line(_ prefix: String, _ text: String) -> String? {
    text.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
  }

  @Test func aFallbackIsReplacedByTheBestKernelsAfterOneReexec() throws {
    let plain = try Self.run([:])
    let usable = try #require(Self.line("OpenBLAS kernels this CPU can use: ", plain.stdout))
    let r = try Self.run(["OPENBLAS_CORETYPE": "Prescott", "CODEINTEL_OPENBLAS_SIMULATE_FALLBACK": "1"])
    #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
    let kernels = try #require(Self.line("OpenBLAS kernels: ", r.stdout))
    if let best = usable.split(separator: " ").first {
      #expect(kernels.hasPrefix("\(best) (selected by codeintel: OpenBLAS detected Prescott"), "\(kernels)")
      #expect(r.stdout.contains("DYNAMIC_ARCH NO_AFFINITY \(best) "), "the library must really run \(best)")
    } else {
      #expect(kernels.hasPrefix("Prescott ("))
    }
    #expect(r.stdout.hasPrefix("codeintel "))  // printed once: the first process printed nothing before exec
    #expect(r.stdout.components(separatedBy: "codeintel 0").count == 2)
  }

  @Test func theUsersVariableWins() throws {
    let r = try Self.run(["OPENBLAS_CORETYPE": "Prescott"])
    #expect(r.status == 0 && r.stderr.isEmpty)
    #expect(Self.line("OpenBLAS kernels: ", r.stdout) == "Prescott (OPENBLAS_CORETYPE=Prescott set by the user)")
  }

  @Test func aChoiceTheLibraryIgnoresWarnsOnceAndGoesOn() throws {
    // OpenBLAS silently ignores a core type it does not know, as an older build would ignore a newer name
    let r = try Self.run(["OPENBLAS_CORETYPE": "Nonesuch", "CODEINTEL_OPENBLAS_SELECTED": "Nonesuch,Prescott"])
    #expect(r.status == 0)
    #expect(r.stderr.hasPrefix("codeintel: warning: OpenBLAS ignored OPENBLAS_CORETYPE=Nonesuch"), "\(r.stderr)")
    #expect(r.stderr.split(separator: "\n").count == 1)
  }
}
