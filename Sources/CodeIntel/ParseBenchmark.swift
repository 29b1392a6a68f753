import Dispatch
import Syntax

#if canImport(Glibc)
  import Glibc
#endif

/// Measures parsing on a set of files: throughput on one core (files read first, so only parsing
/// and unit extraction are timed), the share of files with ERROR nodes, and units found.
public struct ParseBenchmark: Sendable {
  public let files: Int
  public let bytes: Int
  public let filesWithErrors: [String]
  public let units: Int
  /// Best of `repeats` runs, in seconds of CPU time of the measuring thread (robust when other
  /// processes load the machine) and of wall-clock time.
  public let parseSeconds: Double
  public let parseAndUnitsSeconds: Double
  public let parseWallSeconds: Double
  public let parseAndUnitsWallSeconds: Double

  /// MB per CPU-second on one core.
  public var parseMBps: Double { Double(bytes) / 1_048_576 / parseSeconds }
  public var parseAndUnitsMBps: Double { Double(bytes) / 1_048_576 / parseAndUnitsSeconds }
  public var errorShare: Double { files == 0 ? 0 : Double(filesWithErrors.count) / Double(files) }

  public static func run(paths: [String], repeats: Int = 3) throws -> ParseBenchmark {
    let sources = try SourceFile.collect(paths).map { try SourceFile.load($0) }
    var parsers: [Language: Parser] = [:]
    for language in Language.allCases { parsers[language] = Parser(language: language) }
    var bestParse = Double.infinity
    var bestBoth = Double.infinity
    var bestParseWall = Double.infinity
    var bestBothWall = Double.infinity
    var errors: [String] = []
    var units = 0
    for _ in 0..<max(1, repeats) {
      var start = DispatchTime.now().uptimeNanoseconds
      var cpu = threadCPUSeconds()
      var trees: [Tree] = []
      trees.reserveCapacity(sources.count)
      for source in sources { trees.append(try parsers[source.language]!.parse(bytes: source.bytes)) }
      bestParse = min(bestParse, threadCPUSeconds() - cpu)
      bestParseWall = min(bestParseWall, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
      trees.removeAll()
      start = DispatchTime.now().uptimeNanoseconds
      cpu = threadCPUSeconds()
      var count = 0
      var bad: [String] = []
      for source in sources {
        let tree = try parsers[source.language]!.parse(bytes: source.bytes)
        count += extractUnits(from: tree).count
        if tree.hasError { bad.append(source.path) }
      }
      bestBoth = min(bestBoth, threadCPUSeconds() - cpu)
      bestBothWall = min(bestBothWall, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
      units = count
      errors = bad
    }
    return ParseBenchmark(
      files: sources.count, bytes: sources.reduce(0) { $0 + $1.bytes.count }, filesWithErrors: errors, units: units,
      parseSeconds: bestParse, parseAndUnitsSeconds: bestBoth, parseWallSeconds: bestParseWall,
      parseAndUnitsWallSeconds: bestBothWall)
  }

  private static func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }
}
