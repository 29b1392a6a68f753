import Augment
import Foundation
import Testing

@Suite struct JSNumberTests {
  @Test(arguments: [
    (0.0, "0"), (-0.0, "0"), (1.0, "1"), (-1.0, "-1"), (0.1, "0.1"), (0.1 + 0.2, "0.30000000000000004"),
    (100.0, "100"), (1e21, "1e+21"), (1e20, "100000000000000000000"), (123456789012345680000.0, "123456789012345680000"),
    (1e-6, "0.000001"), (1e-7, "1e-7"), (1.5e-7, "1.5e-7"), (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
    (Double.nan, "NaN"), (Double.infinity, "Infinity"), (-Double.infinity, "-Infinity"), (9007199254740993.0, "9007199254740992"),
    (2.5, "2.5"), (1.0 / 3.0, "0.3333333333333333"), (123e-20, "1.23e-18"), (-1.5e-10, "-1.5e-10"), (1180591620717411303424.0, "1.1805916207174113e+21"),
    (4.35, "4.35"), (0.000001234, "0.000001234"), (1e16, "10000000000000000"), (12345.678, "12345.678"),
  ])
  func formatsLikeNumberToString(value: Double, expected: String) {
    #expect(JSNumber.format(value) == expected)
  }

  @Test func literalsNeverDependOnGlobals() {
    #expect(JSNumber.literal(.nan) == "(0/0)")
    #expect(JSNumber.literal(.infinity) == "(1/0)")
    #expect(JSNumber.literal(-.infinity) == "(-1/0)")
    #expect(JSNumber.literal(-0.0) == "(-0)")
    #expect(JSNumber.literal(-5) == "(-5)")
    #expect(JSNumber.literal(3600000) == "3600000")
  }

  @Test(arguments: [
    ("12", 12.0), ("1.5e3", 1500), (".5", 0.5), ("5.", 5), ("0x1F", 31), ("0o17", 15), ("0b101", 5), ("1_000", 1000),
    ("0XAB", 171), ("1E-3", 0.001), ("0.0", 0), ("0", 0), ("9007199254740993", 9007199254740992),
  ])
  func parsesLiterals(text: String, value: Double) {
    #expect(JSNumber.parseLiteral(text) == value)
  }

  @Test func leavesUnfoldableLiteralsAlone() {
    for text in ["10n", "017", "08", "0x", "1e", "abc", "0xFFFFFFFFFFFFFFFFFF"] {
      #expect(JSNumber.parseLiteral(text) == nil, "\(text)")
    }
  }

  @Test func integerConversions() {
    #expect(JSNumber.toInt32(4294967295) == -1)
    #expect(JSNumber.toInt32(2147483648) == -2147483648)
    #expect(JSNumber.toInt32(-1.9) == -1)
    #expect(JSNumber.toUint32(-1) == 4294967295)
    #expect(JSNumber.toUint32(.nan) == 0)
    #expect(JSNumber.toUint32(1e20) == 1661992960)
    #expect(JSNumber.power(1, .infinity).isNaN)
    #expect(JSNumber.power(.nan, 0) == 1)
    #expect(JSNumber.power(1, .nan).isNaN)
    #expect(JSNumber.remainder(-7, 3) == -1)
    #expect(JSNumber.remainder(-0.0, 3).sign == .minus)
    #expect(JSNumber.remainder(5, .infinity) == 5)
  }

  /// 20,000 doubles (edge cases plus seeded random bit patterns and short decimals), printed by
  /// `JSNumber.format` and by node's `String(x)`, must agree exactly.
  @Test(.enabled(if: ProgramSuite.nodeAvailable, "needs node at /usr/bin/node"))
  func agreesWithNodeOnManyDoubles() throws {
    var rng = SeededRandom(seed: 2024)
    var values: [Double] = [0, 1, 2, 0.5, 1e21, 1e-7, 1e-6, 999999999999999900000, 5e-324, .greatestFiniteMagnitude]
    for _ in 0..<8000 { values.append(Double(bitPattern: rng.next())) }
    for _ in 0..<6000 {
      let digits = Double(rng.next() % 1_000_000)
      let exp = Int(rng.next() % 60) - 30
      values.append(digits * pow(10, Double(exp)))
    }
    for _ in 0..<6000 { values.append(Double(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 60))) }
    values = values.filter(\.isFinite)
    let bits = values.map { String($0.bitPattern) }.joined(separator: "\n")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("jsnumber-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = dir.appendingPathComponent("bits.txt")
    try bits.write(to: input, atomically: true, encoding: .utf8)
    let script = """
      const lines = require('fs').readFileSync(process.argv[1], 'utf8').split('\\n');
      const buf = new DataView(new ArrayBuffer(8));
      const out = lines.map(l => { buf.setBigUint64(0, BigInt(l)); return String(buf.getFloat64(0)); });
      process.stdout.write(out.join('\\n'));
      """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/node")
    process.arguments = ["-e", script, input.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let expected = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    #expect(expected.count == values.count)
    var mismatches = 0
    for (v, e) in zip(values, expected) where JSNumber.format(v) != e {
      mismatches += 1
      if mismatches < 5 { Issue.record("\(v.bitPattern): ours \(JSNumber.format(v)), node \(e)") }
    }
    #expect(mismatches == 0)
  }
}
