import Foundation
import Testing

@testable import Tensor

// MARK: - Choosing OpenBLAS's kernels (issue 22)

@Suite struct BLASKernelTests {
  static let debianConfig = "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Prescott MAX_THREADS=64"
  static let allOffered: Set<String> = ["Cooperlake", "SkylakeX", "Haswell"]
  static let xeon = CPUFeatures(model: "Intel Xeon", avx2FMA: true, avx512: true, avx512BF16: true)
  static let skylake = CPUFeatures(model: "Intel Xeon Gold 6130", avx2FMA: true, avx512: true, avx512BF16: false)
  static let ryzen = CPUFeatures(model: "AMD Ryzen", avx2FMA: true, avx512: false, avx512BF16: false)
  static let old = CPUFeatures(model: "Intel Core 2", avx2FMA: false, avx512: false, avx512BF16: false)

  static func blas(_ core: String, offered: Set<String> = allOffered, config: String? = nil) -> OpenBLASInfo {
    OpenBLASInfo(
      config: config ?? debianConfig.replacingOccurrences(of: "Prescott", with: core), coreName: core, offered: offered)
  }

  @Test func aGenericCoreOnANewerCPUIsReplacedByTheBestOfferedOne() {
    let d = { (cpu: CPUFeatures, offered: Set<String>) in
      BLASKernel.decide(cpu: cpu, blas: Self.blas("Prescott", offered: offered), environment: [:])
    }
    #expect(d(Self.xeon, Self.allOffered) == .reexec("Cooperlake"))
    #expect(d(Self.xeon, ["SkylakeX", "Haswell"]) == .reexec("SkylakeX"))
    #expect(d(Self.xeon, ["Haswell"]) == .reexec("Haswell"))
    #expect(d(Self.skylake, Self.allOffered) == .reexec("SkylakeX"))
    #expect(d(Self.ryzen, Self.allOffered) == .reexec("Haswell"))
    // pre-AVX2 model names count as generic too
    #expect(
      BLASKernel.decide(cpu: Self.skylake, blas: Self.blas("Sandybridge"), environment: [:]) == .reexec("SkylakeX"))
  }

  @Test func nothingChangesWhereOpenBLASKnowsTheCPUOrNothingBetterExists() {
    // a recognised processor (this machine: Zen 4 reported as Cooperlake) or a modern core name
    for core in ["Cooperlake", "SkylakeX", "Haswell", "Zen"] {
      #expect(
        BLASKernel.decide(cpu: Self.xeon, blas: Self.blas(core), environment: [:])
          == .keep("OpenBLAS's own choice for this processor"))
    }
    // an old processor: Prescott is right
    if case .keep = BLASKernel.decide(cpu: Self.old, blas: Self.blas("Prescott"), environment: [:]) {
    } else {
      Issue.record("an SSE-only processor must keep the generic kernels")
    }
    // the library has none of the kernels the processor could use
    #expect(
      BLASKernel.decide(cpu: Self.ryzen, blas: Self.blas("Prescott", offered: ["SkylakeX"]), environment: [:])
        == .keep("this OpenBLAS has no kernels for AVX2+FMA"))
    // a single-target build ignores OPENBLAS_CORETYPE
    let fixed = Self.blas("Prescott", config: "OpenBLAS 0.3.21 NO_AFFINITY Prescott MAX_THREADS=64")
    if case .keep = BLASKernel.decide(cpu: Self.xeon, blas: fixed, environment: [:]) {
    } else {
      Issue.record("a build without DYNAMIC_ARCH must be left alone")
    }
  }

  @Test func theUsersOwnVariableAlwaysWins() {
    let env = ["OPENBLAS_CORETYPE": "Prescott"]
    #expect(BLASKernel.decide(cpu: Self.xeon, blas: Self.blas("Prescott"), environment: env) == .user("Prescott"))
    // even when it names something OpenBLAS does not know, and even after a re-exec changed by the user
    let changed = ["OPENBLAS_CORETYPE": "Haswell", BLASKernel.markerVariable: "Cooperlake,Prescott"]
    #expect(BLASKernel.decide(cpu: Self.xeon, blas: Self.blas("Haswell"), environment: changed) == .user("Haswell"))
    // an empty variable is no choice (OpenBLAS ignores it as well)
    #expect(
      BLASKernel.decide(cpu: Self.xeon, blas: Self.blas("Prescott"), environment: ["OPENBLAS_CORETYPE": ""])
        == .reexec("Cooperlake"))
  }

  @Test func aSimulatedFallbackIsTreatedAsTheLibrarysOwn() {
    let env = ["OPENBLAS_CORETYPE": "Prescott", BLASKernel.simulateVariable: "1"]
    #expect(BLASKernel.decide(cpu: Self.xeon, blas: Self.blas("Prescott"), environment: env) == .reexec("Cooperlake"))
    // only a generic core can stand for a fallback
    let modern = ["OPENBLAS_CORETYPE": "Haswell", BLASKernel.simulateVariable: "1"]
    #expect(BLASKernel.decide(cpu: Self.xeon, blas: Self.blas("Haswell"), environment: modern) == .user("Haswell"))
  }

  @Test func theReexecutedProcessReportsTheChoiceAndNeverReexecutesAgain() {
    let env = ["OPENBLAS_CORETYPE": "Cooperlake", BLASKernel.markerVariable: "Cooperlake,Prescott"]
    #expect(
      BLASKernel.decide(cpu: Self.xeon, blas: Self.blas("Cooperlake"), environment: env)
        == .selected(chosen: "Cooperlake", detected: "Prescott"))
    // the library ignored the variable: warn, go on, no second exec
    let ignored = BLASKernel.decide(cpu: Self.xeon, blas: Self.blas("Prescott"), environment: env)
    #expect(ignored == .notTaken(wanted: "Cooperlake", running: "Prescott"))
    let status = BLASKernel.Status(cpu: Self.xeon, blas: Self.blas("Prescott"), decision: ignored)
    #expect(status.warning?.contains("OPENBLAS_CORETYPE=Cooperlake") == true)
  }

  /// Runs the start-up policy against a simulated library (which honours the variable or not) until it stops
  /// asking for a re-exec: every combination must stop after at most one.
  @Test func noCombinationReexecutesMoreThanOnce() {
    let cpus = [Self.xeon, Self.skylake, Self.ryzen, Self.old]
    let offers: [Set<String>] = [Self.allOffered, ["Haswell"], []]
    for cpu in cpus {
      for offered in offers {
        for honours in [true, false] {
          for detected in ["Prescott", "Cooperlake", "Nehalem"] {
            for user in [nil, "Prescott", "SkylakeX"] as [String?] {
              var env = [String: String]()
              if let user { env["OPENBLAS_CORETYPE"] = user }
              func loaded() -> OpenBLASInfo {
                let asked = env["OPENBLAS_CORETYPE"]
                let core = honours ? asked ?? detected : detected
                return Self.blas(core, offered: offered)
              }
              var execs = 0
              while case .reexec(let core) = BLASKernel.decide(cpu: cpu, blas: loaded(), environment: env) {
                execs += 1
                if execs > 1 { break }
                env["OPENBLAS_CORETYPE"] = core
                env[BLASKernel.markerVariable] = core + "," + detected
              }
              #expect(execs <= 1, "\(cpu.model) \(offered) honours=\(honours) \(detected) \(user ?? "-")")
              if user != nil { #expect(execs == 0) }
            }
          }
        }
      }
    }
  }

  @Test func theStatusSaysWhatRunsAndWhy() {
    let selected = BLASKernel.Status(
      cpu: Self.xeon, blas: Self.blas("Cooperlake"), decision: .selected(chosen: "Cooperlake", detected: "Prescott"))
    #expect(selected.blas.version == "0.3.21")
    #expect(selected.kernels.hasPrefix("Cooperlake (selected by codeintel: OpenBLAS detected Prescott"))
    #expect(selected.description.contains("OpenBLAS kernels this CPU can use: Cooperlake SkylakeX Haswell"))
    #expect(selected.short == "Intel Xeon, OpenBLAS 0.3.21 Cooperlake")
  }

  // MARK: This machine

  /// cpuid must agree with what the kernel reports in /proc/cpuinfo (Linux only).
  @Test func cpuidAgreesWithProcCpuinfo() throws {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return }
    let flags = Set(line.split(separator: ":", maxSplits: 1).last!.split(separator: " ").map(String.init))
    let cpu = CPUFeatures.current()
    #expect(cpu.avx2FMA == (flags.contains("avx2") && flags.contains("fma")))
    #expect(cpu.avx512 == ["avx512f", "avx512cd", "avx512dq", "avx512bw", "avx512vl"].allSatisfy(flags.contains))
    #expect(cpu.avx512BF16 == (cpu.avx512 && flags.contains("avx512_bf16")))
    if let model = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }) {
      let name = model.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces)
      #expect(
        cpu.model.split(separator: " ").joined(separator: " ") == name.split(separator: " ").joined(separator: " "))
    }
  }

  /// The loaded library runs the kernels OPENBLAS_CORETYPE asks for, so scripts/test.sh's loop over core
  /// types really tests each one (and without the variable, nothing here asks for a re-exec).
  @Test func theLoadedLibraryRunsTheRequestedKernels() {
    let status = BLASKernel.status()
    #expect(!status.blas.coreName.isEmpty && status.blas.config.contains(status.blas.coreName))
    if let requested = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], !requested.isEmpty,
      BLASKernel.selectable.contains(requested) || requested == "Prescott"
    {
      #expect(status.blas.coreName.lowercased() == requested.lowercased())
    }
    // every x86-64 DYNAMIC_ARCH build carries Haswell kernels: finding them proves the lookup works
    if status.blas.dynamicArch && status.cpu.avx2FMA { #expect(status.blas.offered.contains("Haswell")) }
  }
}
