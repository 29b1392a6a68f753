// Corpus check and speed benchmark for the Augment pipeline (docs/benchmarks/augment.md).
//
//   augment-bench CORPUS_SRC OUT_DIR [--functions N] [--draws D] [--seed S] [--threads T]
//     [--check-draws D] [--distinct-sample N] [--speed-sample N] [--speed-repeats R] [--speed-only]
//     [--profile] [--log-skips NAME,…]
//
// 1. Collects N function units (default 50,000) from the JS/TS files under CORPUS_SRC (one folder per
//    Debian source package; minified, bundled, vendored and .d.ts files skipped), round-robin over
//    packages, deterministic for a seed.
// 2. For each unit draws D variants (default 20) with the ContraCode pipeline and checks each emitted
//    variant parses (as the unit did); counts distinct variants and the transforms skipped for new
//    parse errors.
// 3. Times the pipeline (one draw per unit, one thread) and writes the JavaScript units' parsed programs
//    to OUT_DIR/terser-input.json, for terser-bench.js to time terser on the very same functions.
// --profile adds the CPU time of each transform alone and of one bare tree-sitter parse (the floor);
// --log-skips writes each unit on which the named transforms were skipped, with its seed and the rejected
// output, to OUT_DIR/skips.txt.
import Augment
import Foundation
import Syntax

// MARK: - Arguments

var args = Array(CommandLine.arguments.dropFirst())
func option(_ args: inout [String], _ name: String, _ fallback: Int) -> Int {
  guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) else { return fallback }
  args.removeSubrange(i...(i + 1))
  return v
}
let wanted = option(&args, "--functions", 50_000)
let draws = option(&args, "--draws", 20)
let seed = UInt64(option(&args, "--seed", 1))
let threads = max(1, option(&args, "--threads", 2))
// Draws per function for the parse check over all functions; the distinct-variant count uses `draws` on a
// sample of `distinctSample` functions; the speed comparison times a sample of JavaScript functions.
let checkDraws = option(&args, "--check-draws", 20)
let distinctSample = option(&args, "--distinct-sample", 1_000_000)
let speedSample = option(&args, "--speed-sample", 1_000_000)
// Repeats of the timed speed loop (same functions, continuing generator), to dominate fixed costs.
let speedRepeats = max(1, option(&args, "--speed-repeats", 1))
let skipCheck = args.contains("--speed-only")
// Transforms whose skips are logged with the unit and its seed (to reproduce with `codeintel augment`).
let logSkips: Set<String> = {
  guard let i = args.firstIndex(of: "--log-skips"), i + 1 < args.count else { return [] }
  defer { args.removeSubrange(i...(i + 1)) }
  return Set(args[i + 1].split(separator: ",").map(String.init))
}()
let profile = args.contains("--profile")
args.removeAll { $0 == "--speed-only" || $0 == "--profile" }
guard args.count == 2 else {
  FileHandle.standardError.write("usage: augment-bench CORPUS_SRC OUT_DIR [--functions N] [--draws D] [--seed S] [--threads T] [--speed-only] [--profile] [--log-skips NAME,…]\n".data(using: .utf8)!)
  exit(2)
}
let corpus = URL(fileURLWithPath: args[0])
let outDir = URL(fileURLWithPath: args[1])
try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)

/// CPU seconds used by the calling thread: less sensitive than wall time to the other work on a shared
/// machine (the speed runs are single-threaded).
@Sendable func threadCPUSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

@Sendable func log(_ s: String) { FileHandle.standardError.write((s + "\n").data(using: .utf8)!) }

// MARK: - Collect units

struct Unit {
  var text: String
  var language: Language
  var package: String
}

func sourceFiles(in package: URL) -> [URL] {
  guard let e = FileManager.default.enumerator(at: package, includingPropertiesForKeys: [.fileSizeKey]) else { return [] }
  var files: [URL] = []
  for case let url as URL in e {
    let p = url.path
    if p.contains("/node_modules/") || p.contains("/dist/") || p.contains("/vendor/") || p.contains("/build/")
      || p.hasSuffix(".d.ts") || p.contains(".min.") || p.contains("bundle") || Language(path: p) == nil
    {
      continue
    }
    let size = (try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
    if size > 0 && size < 400_000 { files.append(url) }
  }
  return files.sorted { $0.path < $1.path }
}

var rng = SeededRandom(seed: seed)
let unitsCache = outDir.appendingPathComponent("units-\(wanted)-\(seed).json")
var units: [Unit] = []
if let data = FileManager.default.contents(atPath: unitsCache.path),
  let rows = try? JSONSerialization.jsonObject(with: data) as? [[String]]
{
  units = rows.compactMap { r in Language(rawValue: r[1]).map { Unit(text: r[0], language: $0, package: r[2]) } }
  log("reusing \(units.count) units from \(unitsCache.path)")
}
let packages = (try FileManager.default.contentsOfDirectory(at: corpus, includingPropertiesForKeys: nil))
  .sorted { $0.path < $1.path }
var perPackage: [[Unit]] = []
let parsers = Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0, Parser(language: $0)) })
let cap = max(wanted / max(packages.count, 1) * 3, 500)
for package in packages where units.isEmpty {
  var files = sourceFiles(in: package)
  files.shuffle(using: &rng)
  var units: [Unit] = []
  for file in files where units.count < cap {
    guard let language = Language(path: file.path), let data = FileManager.default.contents(atPath: file.path) else { continue }
    let bytes = [UInt8](data)
    // Skip minified text: very long average lines.
    let lines = bytes.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
    if bytes.count / lines > 200 { continue }
    guard let tree = try? parsers[language]!.parse(bytes: bytes), !tree.hasError else { continue }
    for u in extractUnits(from: tree) where u.lineCount >= 2 && u.lineCount <= 150 {
      units.append(Unit(text: String(decoding: bytes[u.byteRange], as: UTF8.self), language: language,
        package: package.lastPathComponent))
    }
  }
  units.shuffle(using: &rng)
  perPackage.append(units)
  log("\(package.lastPathComponent): \(units.count) units from \(files.count) files")
}
var round = 0
let collect = units.isEmpty
while collect && units.count < wanted {
  var added = false
  for list in perPackage where round < list.count && units.count < wanted {
    units.append(list[round])
    added = true
  }
  if !added { break }
  round += 1
}
log("collected \(units.count) units")
if collect {
  try JSONSerialization.data(withJSONObject: units.map { [$0.text, $0.language.rawValue, $0.package] })
    .write(to: unitsCache)
}

// MARK: - Corpus check: 20 draws per unit (both cores, one Augmenter per thread)

struct CheckResult: Sendable {
  var distinct: [Int] = []
  var newErrors = 0
  var emitted = 0
  var unitsThatParse = 0
  var changedVariants = 0
  var counters = AugmentCounters()
  var examples: [String] = []
  var skipLog: [String] = []
}

final class Shared: @unchecked Sendable {
  let lock = NSLock()
  var results: [CheckResult] = []
}

/// Progress on stderr every `progressEvery` units of a shard (the full check runs for a long time).
let progressEvery = 2_500

@Sendable func check(
  _ units: [Unit], shard: Int, of shards: Int, draws: Int, checkDraws: Int, distinctSample: Int, seed: UInt64
) -> CheckResult {
  let augmenter = Augmenter()
  var rejected: [String] = []
  if !logSkips.isEmpty {
    augmenter.skipObserver = { name, text in if logSkips.contains(name) { rejected.append("-- \(name) produced:\n\(text)\n") } }
  }
  let checker = Augmenter()
  var r = CheckResult()
  var i = shard
  while i < units.count {
    let unit = units[i]
    defer { i += shards }
    if (i / shards) % progressEvery == 0 && i >= shards {
      log("shard \(shard): \(i / shards) units, \(r.emitted) variants, \(r.newErrors) with new parse errors, "
        + "\(augmenter.counters.totalSkipped) skipped")
    }
    guard checker.parsedForm(of: unit.text, language: unit.language).parses else { continue }
    r.unitsThatParse += 1
    let inSample = i < distinctSample
    let n = inSample ? max(draws, checkDraws) : checkDraws
    let before = logSkips.map { augmenter.counters.skippedParseError[$0, default: 0] }
    let variants = augmenter.variants(of: unit.text, language: unit.language, seed: seed &+ UInt64(i), count: n)
    for (name, b) in zip(logSkips, before) where augmenter.counters.skippedParseError[name, default: 0] > b {
      r.skipLog.append("== \(name) skipped: unit \(i), \(unit.language.rawValue), seed \(seed &+ UInt64(i)), \(n) draws, package \(unit.package)\n\(unit.text)\n")
    }
    r.skipLog += rejected
    rejected.removeAll()
    if inSample { r.distinct.append(Set(variants.prefix(draws).map(\.text)).count) }
    for v in variants {
      r.emitted += 1
      if v.text != unit.text { r.changedVariants += 1 }
      if !checker.parsedForm(of: v.text, language: unit.language).parses {
        r.newErrors += 1
        if r.examples.count < 5 { r.examples.append("[\(v.applied)]\n\(unit.text)\n---\n\(v.text)") }
      }
    }
  }
  r.counters = augmenter.counters
  return r
}

let checkStart = Date()
var merged = CheckResult()
if !skipCheck {
  let shared = Shared()
  let all = units
  let d = draws
  let s0 = seed
  let cd = checkDraws
  let ds = distinctSample
  // Worker threads of their own (each with its own malloc arena): on the main thread, whose heap holds the
  // parsed unit list, a shard ran about 10x slower than its twin (glibc main-arena fragmentation).
  let group = DispatchGroup()
  for shard in 0..<threads {
    group.enter()
    let worker = Thread {
      let r = check(all, shard: shard, of: threads, draws: d, checkDraws: cd, distinctSample: ds, seed: s0)
      shared.lock.lock()
      shared.results.append(r)
      shared.lock.unlock()
      group.leave()
    }
    worker.stackSize = 16 << 20
    worker.start()
  }
  group.wait()
  for r in shared.results {
    merged.distinct += r.distinct
    merged.newErrors += r.newErrors
    merged.emitted += r.emitted
    merged.unitsThatParse += r.unitsThatParse
    merged.changedVariants += r.changedVariants
    merged.examples += r.examples
    merged.skipLog += r.skipLog
    for (k, v) in r.counters.attempted { merged.counters.attempted[k, default: 0] += v }
    for (k, v) in r.counters.applied { merged.counters.applied[k, default: 0] += v }
    for (k, v) in r.counters.skippedParseError { merged.counters.skippedParseError[k, default: 0] += v }
  }
  for e in merged.examples { log("NEW PARSE ERROR " + e + "\n===") }
  if !logSkips.isEmpty {
    try merged.skipLog.joined().write(to: outDir.appendingPathComponent("skips.txt"), atomically: true, encoding: .utf8)
    log("\(merged.skipLog.count) units with logged skips: \(outDir.appendingPathComponent("skips.txt").path)")
  }
}
let checkSeconds = Date().timeIntervalSince(checkStart)
let distinct = merged.distinct
let sortedDistinct = distinct.sorted()
let mean = Double(distinct.reduce(0, +)) / Double(max(distinct.count, 1))
let median =
  sortedDistinct.isEmpty ? 0
  : sortedDistinct.count % 2 == 1 ? Double(sortedDistinct[sortedDistinct.count / 2])
  : Double(sortedDistinct[sortedDistinct.count / 2 - 1] + sortedDistinct[sortedDistinct.count / 2]) / 2

// MARK: - Speed: one draw per JavaScript unit, one thread

var jsUnits: [Unit] = []
var terserInput: [String] = []
for u in units where u.language == .javascript && jsUnits.count < speedSample {
  let form = Augmenter(config: AugmentConfig(steps: [])).parsedForm(of: u.text, language: .javascript)
  if form.parses {
    jsUnits.append(u)
    terserInput.append(form.program)
  }
}
/// Runs `body` on a new thread (fresh malloc arena, like a training worker) and waits for it.
final class ResultBox<T>: @unchecked Sendable { var value: T? }

func onFreshThread<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
  let box = ResultBox<T>()
  let done = DispatchSemaphore(value: 0)
  let t = Thread {
    box.value = body()
    done.signal()
  }
  t.stackSize = 16 << 20
  t.start()
  done.wait()
  return box.value!
}

let speedUnits = jsUnits
let (speedSeconds, speedCPUSeconds, speedSink) = onFreshThread { () -> (Double, Double, Int) in
  let speedAugmenter = Augmenter()
  var speedRng = SeededRandom(seed: seed)
  var sink = 0
  let speedStart = Date()
  let speedCPUStart = threadCPUSeconds()
  for _ in 0..<speedRepeats {
    for u in speedUnits { sink &+= speedAugmenter.variant(of: u.text, language: .javascript, rng: &speedRng).text.utf8.count }
  }
  return (Date().timeIntervalSince(speedStart), threadCPUSeconds() - speedCPUStart, sink)
}
var sink = speedSink
let jsBytes = jsUnits.reduce(0) { $0 + $1.text.utf8.count }

try JSONSerialization.data(withJSONObject: terserInput).write(to: outDir.appendingPathComponent("terser-input.json"))

// Per-function CPU time of one draw for the parse alone and for each transform alone (probability 1), and
// of one bare tree-sitter parse of each unit's parsed program (the floor of any draw that parses its input),
// on a fresh thread like the speed loop.
let profileUnits = jsUnits
let profilePrograms = terserInput.map { Array($0.utf8) }
let profileRows: [[String: Any]] = !profile ? [] : onFreshThread { () -> [ProfileRow] in
  var rows: [ProfileRow] = []
  var sink = 0
  var configs: [(String, AugmentConfig)] = [("parse only", AugmentConfig(steps: []))]
  for step in AugmentConfig.contraCode.steps {
    configs.append((step.transform.name, AugmentConfig(steps: [.init(step.transform, probability: 1)])))
  }
  for (name, config) in configs {
    let a = Augmenter(config: config)
    var r = SeededRandom(seed: seed)
    let t0 = threadCPUSeconds()
    for u in profileUnits { sink &+= a.variant(of: u.text, language: .javascript, rng: &r).text.utf8.count }
    rows.append(ProfileRow(name: name, cpuSeconds: threadCPUSeconds() - t0, functions: profileUnits.count))
  }
  let parser = Parser(language: .javascript)
  let t0 = threadCPUSeconds()
  for _ in 0..<3 {
    for p in profilePrograms { sink &+= (try? parser.parse(bytes: p))?.bytes.count ?? 0 }
  }
  rows.append(ProfileRow(name: "one bare tree-sitter parse", cpuSeconds: threadCPUSeconds() - t0, functions: 3 * profilePrograms.count))
  if sink == 42 { log("") }
  return rows
}.map { row in
  log("profile \(row.name): \(Int(row.perSecond)) functions/CPU-s, \(Int(1e6 / row.perSecond)) µs each")
  return ["name": row.name, "functions_per_cpu_second": row.perSecond, "microseconds_each": 1e6 / row.perSecond]
}

struct ProfileRow: Sendable {
  var name: String
  var cpuSeconds: Double
  var functions: Int
  var perSecond: Double { Double(functions) / cpuSeconds }
}

// MARK: - Report

let c = merged.counters
let unitsThatParse = merged.unitsThatParse
let emitted = merged.emitted
let changedVariants = merged.changedVariants
let newErrors = merged.newErrors
let report: [String: Any] = [
  "profile": profileRows,
  "functions": units.count,
  "functions_parsing": unitsThatParse,
  "javascript": units.filter { $0.language == .javascript }.count,
  "typescript": units.filter { $0.language == .typescript }.count,
  "tsx": units.filter { $0.language == .tsx }.count,
  "packages": Set(units.map(\.package)).count,
  "draws_per_function_distinct": draws,
  "distinct_sample_functions": distinct.count,
  "draws_per_function_check": checkDraws,
  "variants_emitted": emitted,
  "variants_changed": changedVariants,
  "emitted_with_new_parse_errors": newErrors,
  "skipped_for_parse_errors": c.skippedParseError,
  "skipped_total": c.totalSkipped,
  "attempted": c.attempted,
  "applied": c.applied,
  "distinct_mean": mean,
  "distinct_median": median,
  "check_seconds": checkSeconds,
  "speed_js_functions": jsUnits.count,
  "speed_js_bytes": jsBytes,
  "speed_seconds": speedSeconds,
  "speed_repeats": speedRepeats,
  "speed_functions_per_second": Double(jsUnits.count * speedRepeats) / speedSeconds,
  "speed_cpu_seconds": speedCPUSeconds,
  "speed_functions_per_cpu_second": Double(jsUnits.count * speedRepeats) / speedCPUSeconds,
  "checksum": sink,
]
let json = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
try json.write(to: outDir.appendingPathComponent("augment-report.json"))
print(String(decoding: json, as: UTF8.self))
