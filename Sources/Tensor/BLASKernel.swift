import COpenBLAS
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

// MARK: - What the processor can do

/// The vector instruction sets that decide which OpenBLAS kernels can run here, read with cpuid (and XCR0,
/// so a set the operating system does not enable counts as absent).
public struct CPUFeatures: Sendable, Equatable {
  /// The processor's brand string ("AMD EPYC 9654 96-Core Processor"), or "unknown".
  public var model: String
  /// AVX2 and FMA3, with the YMM state enabled: what OpenBLAS's Haswell kernels use.
  public var avx2FMA: Bool
  /// AVX-512 F, CD, DQ, BW and VL, with the ZMM state enabled: what its SkylakeX kernels use.
  public var avx512: Bool
  /// AVX-512 BF16 on top (its Cooperlake kernels).
  public var avx512BF16: Bool

  public init(model: String, avx2FMA: Bool, avx512: Bool, avx512BF16: Bool) {
    self.model = model
    self.avx2FMA = avx2FMA
    self.avx512 = avx512
    self.avx512BF16 = avx512BF16
  }

  /// The instruction sets in words ("AVX-512 with BF16", "AVX2+FMA", "no AVX2").
  public var summary: String {
    if avx512 { return avx512BF16 ? "AVX-512 with BF16" : "AVX-512" }
    return avx2FMA ? "AVX2+FMA" : "no AVX2"
  }

  /// This processor, read with cpuid.
  public static func current() -> CPUFeatures {
    func cpuid(_ leaf: UInt32, _ sub: UInt32 = 0) -> (eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32) {
      var r: [UInt32] = [0, 0, 0, 0]
      _ = r.withUnsafeMutableBufferPointer { codeintel_cpuid(leaf, sub, $0.baseAddress) }
      return (r[0], r[1], r[2], r[3])
    }
    func bit(_ x: UInt32, _ n: UInt32) -> Bool { x & (1 << n) != 0 }
    let l1 = cpuid(1)
    let osxsave = bit(l1.ecx, 27)
    let xcr0 = osxsave ? codeintel_xgetbv0() : 0
    let osYMM = xcr0 & 0x6 == 0x6
    let osZMM = osYMM && xcr0 & 0xE0 == 0xE0
    let l7 = cpuid(7)
    let l71 = cpuid(7, 1)
    let avx2FMA = osYMM && bit(l1.ecx, 28) && bit(l1.ecx, 12) && bit(l7.ebx, 5)
    // F (16), DQ (17), CD (28), BW (30), VL (31)
    let avx512 = avx2FMA && osZMM && [16, 17, 28, 30, 31].allSatisfy { bit(l7.ebx, $0) }
    let bf16 = avx512 && bit(l71.eax, 5)
    var brand = [UInt8]()
    if cpuid(0x8000_0000).eax >= 0x8000_0004 {
      for leaf in UInt32(0x8000_0002)...0x8000_0004 {
        let r = cpuid(leaf)
        for word in [r.eax, r.ebx, r.ecx, r.edx] {
          for shift in stride(from: 0, to: 32, by: 8) { brand.append(UInt8(truncatingIfNeeded: word >> UInt32(shift))) }
        }
      }
    }
    let model = String(decoding: brand.prefix { $0 != 0 }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    return CPUFeatures(
      model: model.isEmpty ? "unknown" : model, avx2FMA: avx2FMA, avx512: avx512, avx512BF16: bf16)
  }
}

// MARK: - What the library offers

/// The loaded OpenBLAS: its build configuration, the kernels it runs, and which of the kernels codeintel may
/// select it carries (a `DYNAMIC_ARCH` build holds one `gotoblas_<CORE>` table per core type).
public struct OpenBLASInfo: Sendable, Equatable {
  /// `openblas_get_config()`, e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64".
  public var config: String
  /// `openblas_get_corename()`: the core type whose kernels run in this process.
  public var coreName: String
  /// Of `BLASKernel.selectable`, the core types this build carries.
  public var offered: Set<String>

  public init(config: String, coreName: String, offered: Set<String>) {
    self.config = config
    self.coreName = coreName
    self.offered = offered
  }

  /// "0.3.21", from the config string.
  public var version: String {
    let words = config.split(separator: " ")
    if let i = words.firstIndex(of: "OpenBLAS"), i + 1 < words.count { return String(words[i + 1]) }
    return "unknown"
  }

  /// Whether the library picks its kernels at load time (and so honours `OPENBLAS_CORETYPE`).
  public var dynamicArch: Bool { config.split(separator: " ").contains("DYNAMIC_ARCH") }

  /// The library this process loaded.
  public static func current() -> OpenBLASInfo {
    let config = openblas_get_config().map { String(cString: $0) } ?? "unknown"
    let core = openblas_get_corename().map { String(cString: $0) } ?? "unknown"
    var offered = Set<String>()
    if let handle = dlopen(nil, RTLD_NOW) {
      for name in BLASKernel.selectable where dlsym(handle, "gotoblas_" + name.uppercased()) != nil {
        offered.insert(name)
      }
      dlclose(handle)
    }
    return OpenBLASInfo(config: config, coreName: core, offered: offered)
  }
}

// MARK: - Choosing the kernels

/// Makes OpenBLAS use the best kernels it has for this processor. A `DYNAMIC_ARCH` OpenBLAS (Debian's)
/// picks its kernels once, when the library loads, from its own table of CPU models; on a processor newer
/// than that table (e.g. a current Xeon under 0.3.21) it falls back to its generic SSE3 "Prescott" kernels,
/// 3–5× slower. The only way to change its choice is the `OPENBLAS_CORETYPE` variable before the library
/// loads, so `selectAtStartup` sets it and re-executes the program once. `decide` is the whole policy, as a
/// pure function of the processor, the library and the environment, so it is tested on injected values.
public enum BLASKernel {
  /// The core types codeintel may choose, best first.
  public static let selectable = ["Cooperlake", "SkylakeX", "Haswell"]

  /// Set (to "<chosen>,<what OpenBLAS had picked>") on the re-executed process, so it never re-executes again.
  public static let markerVariable = "CODEINTEL_OPENBLAS_SELECTED"

  /// For tests and benchmarks on a processor OpenBLAS knows: with this set to 1, an `OPENBLAS_CORETYPE` of a
  /// generic core counts as the library's own fallback rather than the user's choice, so
  /// `OPENBLAS_CORETYPE=Prescott CODEINTEL_OPENBLAS_SIMULATE_FALLBACK=1 codeintel ...` goes through the real
  /// selection and re-exec exactly as on a processor OpenBLAS does not recognise.
  public static let simulateVariable = "CODEINTEL_OPENBLAS_SIMULATE_FALLBACK"

  /// OpenBLAS core names (lower-cased) older than AVX2: the generic fallbacks and pre-Haswell models.
  static let preAVX2: Set<String> = [
    "prescott", "katmai", "coppermine", "northwood", "banias", "atom", "core2", "penryn", "dunnington",
    "nehalem", "sandybridge", "athlon", "opteron", "opteron(sse3)", "barcelona", "bobcat", "nano",
    "bulldozer", "piledriver", "steamroller", "generic", "unknown",
  ]

  /// Whether `core` (an OpenBLAS core name) is a generic or pre-AVX2 kernel set.
  public static func isGeneric(_ core: String) -> Bool { preAVX2.contains(core.lowercased()) }

  /// The core types this processor can run, best first (a subset of `selectable`).
  public static func supported(by cpu: CPUFeatures) -> [String] {
    var cores = [String]()
    if cpu.avx512 && cpu.avx512BF16 { cores.append("Cooperlake") }
    if cpu.avx512 { cores.append("SkylakeX") }
    if cpu.avx2FMA { cores.append("Haswell") }
    return cores
  }

  /// What to do at start-up, and afterwards how the kernels in use came to be.
  public enum Decision: Sendable, Equatable {
    /// Leave OpenBLAS alone; the reason in words.
    case keep(String)
    /// The user's own `OPENBLAS_CORETYPE` (the value) is in force.
    case user(String)
    /// Set `OPENBLAS_CORETYPE` to this core type and re-execute.
    case reexec(String)
    /// This process was re-executed with `chosen` in place of the library's own `detected`.
    case selected(chosen: String, detected: String)
    /// This process was re-executed with `wanted`, but the library still runs `running`: go on, warn once.
    case notTaken(wanted: String, running: String)
  }

  /// The policy. Never answers `.reexec` when the marker is set, so a program re-executes at most once.
  public static func decide(cpu: CPUFeatures, blas: OpenBLASInfo, environment: [String: String]) -> Decision {
    let requested = environment["OPENBLAS_CORETYPE"].flatMap { $0.isEmpty ? nil : $0 }
    if let marker = environment[markerVariable] {
      let parts = marker.split(separator: ",", maxSplits: 1).map(String.init)
      let chosen = parts.first ?? ""
      if let requested, requested.lowercased() != chosen.lowercased() { return .user(requested) }
      if blas.coreName.lowercased() == chosen.lowercased() {
        return .selected(chosen: chosen, detected: parts.count > 1 ? parts[1] : "unknown")
      }
      return .notTaken(wanted: chosen, running: blas.coreName)
    }
    let simulated = environment[simulateVariable] == "1" && requested.map(isGeneric) == true
    if let requested, !simulated { return .user(requested) }
    guard blas.dynamicArch else {
      return .keep("this OpenBLAS is built for one processor type (no DYNAMIC_ARCH)")
    }
    guard isGeneric(blas.coreName) else { return .keep("OpenBLAS's own choice for this processor") }
    let supported = supported(by: cpu)
    guard !supported.isEmpty else { return .keep("the processor has neither AVX-512 nor AVX2+FMA") }
    guard let best = supported.first(where: blas.offered.contains) else {
      return .keep("this OpenBLAS has no kernels for \(cpu.summary)")
    }
    return .reexec(best)
  }

  /// The processor, the library and how its kernels were chosen, for `--version --verbose`, benchmarks and logs.
  public struct Status: Sendable, CustomStringConvertible {
    public var cpu: CPUFeatures
    public var blas: OpenBLASInfo
    public var decision: Decision

    /// One line: "Cooperlake (OpenBLAS's own choice for this processor)".
    public var kernels: String {
      switch decision {
      case .keep(let why): return "\(blas.coreName) (\(why))"
      case .user(let value): return "\(blas.coreName) (OPENBLAS_CORETYPE=\(value) set by the user)"
      case .reexec(let core): return "\(blas.coreName) (\(core) would be selected at start-up)"
      case .selected(let chosen, let detected):
        return "\(chosen) (selected by codeintel: OpenBLAS detected \(detected) on a processor with \(cpu.summary))"
      case .notTaken(let wanted, let running):
        return "\(running) (codeintel asked for \(wanted) but OpenBLAS did not take it)"
      }
    }

    /// A warning to print once, when the selection did not work out.
    public var warning: String? {
      if case .notTaken(let wanted, let running) = decision {
        return "OpenBLAS ignored OPENBLAS_CORETYPE=\(wanted) and runs its \(running) kernels; "
          + "matrix products may be several times slower"
      }
      return nil
    }

    public var description: String {
      """
      cpu: \(cpu.model) (\(cpu.summary))
      OpenBLAS: \(blas.version) (\(blas.config))
      OpenBLAS kernels: \(kernels)
      OpenBLAS kernels this CPU can use: \(supported(by: cpu).filter(blas.offered.contains).joined(separator: " "))
      """
    }

    /// "AMD EPYC, OpenBLAS 0.3.21 Cooperlake": the short form printed beside benchmark figures.
    public var short: String { "\(cpu.model), OpenBLAS \(blas.version) \(blas.coreName)" }
  }

  /// How things stand in this process (no side effects).
  public static func status(environment: [String: String] = ProcessInfo.processInfo.environment) -> Status {
    let cpu = CPUFeatures.current()
    let blas = OpenBLASInfo.current()
    return Status(cpu: cpu, blas: blas, decision: decide(cpu: cpu, blas: blas, environment: environment))
  }

  /// Call first thing in `main`, before any BLAS work: when OpenBLAS fell back to generic kernels on a
  /// processor it does not know, sets `OPENBLAS_CORETYPE` and re-executes this program with the same
  /// arguments (the call then does not return). If the exec fails, undoes the variables, calls `warn` and
  /// returns. Returns the status of this process.
  @discardableResult
  public static func selectAtStartup(warn: (String) -> Void) -> Status {
    var status = status()
    if case .reexec(let core) = status.decision {
      setenv("OPENBLAS_CORETYPE", core, 1)
      setenv(markerVariable, core + "," + status.blas.coreName, 1)
      fflush(nil)
      execv("/proc/self/exe", CommandLine.unsafeArgv)
      let reason = String(cString: strerror(errno))
      unsetenv("OPENBLAS_CORETYPE")
      unsetenv(markerVariable)
      warn(
        "could not restart with OpenBLAS's \(core) kernels (\(reason)); running its \(status.blas.coreName) kernels, "
          + "which may be several times slower (set OPENBLAS_CORETYPE=\(core) to avoid this)")
      status.decision = .keep("restarting with \(core) failed")
    } else if let warning = status.warning {
      warn(warning)
    }
    return status
  }
}
