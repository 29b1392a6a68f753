import Augment
import Foundation
import Syntax
import Testing

/// A small generator of random but terminating JavaScript programs: functions with loops, branches,
/// closures, arrays, objects, strings, unary operators on values and on objects with `valueOf`, dead code
/// after returns and unused declarations, each called with literal arguments and its result printed.
struct ProgramGenerator {
  var rng: SeededRandom
  private var counter = 0

  init(seed: UInt64) { rng = SeededRandom(seed: seed) }

  private mutating func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
  private mutating func int(_ range: ClosedRange<Int>) -> Int {
    range.lowerBound + Int(rng.next() % UInt64(range.count))
  }
  private mutating func fresh(_ base: String) -> String {
    counter += 1
    return "\(base)\(counter)"
  }

  /// A numeric expression over the variables in scope.
  private mutating func number(_ vars: [String], depth: Int = 0) -> String {
    if depth > 2 || rng.chance(0.3) { return rng.chance(0.5) && !vars.isEmpty ? pick(vars) : "\(int(0...9))" }
    let a = number(vars, depth: depth + 1)
    let b = number(vars, depth: depth + 1)
    switch int(0...9) {
    case 0: return "(\(a) + \(b))"
    case 1: return "(\(a) - \(b))"
    case 2: return "(\(a) * \(b))"
    case 3: return "(\(a) % 7)"
    case 4: return "(\(a) > \(b) ? \(a) : \(b))"
    case 5: return "-(\(a))"
    case 6: return "(~\(a))"
    case 7: return "(\(a) | 0)"
    case 8: return "(\(a) === \(b) ? 1 : 0)"
    default: return "((\(a)) << 1)"
    }
  }

  /// A statement that updates `vars` (numbers), an array `arr`, a log string `log` and a counter `hits`.
  private mutating func statement(_ vars: inout [String], depth: Int) -> String {
    let indent = String(repeating: "  ", count: depth + 1)
    switch int(0...12) {
    case 0, 1:
      let v = fresh("v")
      let s = "\(indent)let \(v) = \(number(vars));"
      vars.append(v)
      return s
    case 2:
      guard let v = vars.last else { return "\(indent)hits += 1;" }
      return "\(indent)\(v) \(pick(["+=", "-=", "*=", "|="])) \(number(vars));"
    case 3 where depth < 2:
      var inner = vars
      let body = (0..<int(1...3)).map { _ in statement(&inner, depth: depth + 1) }.joined(separator: "\n")
      var other = vars
      let alt = (0..<int(0...2)).map { _ in statement(&other, depth: depth + 1) }.joined(separator: "\n")
      return "\(indent)if (\(number(vars)) > \(int(0...20))) {\n\(body)\n\(indent)} else {\n\(alt)\n\(indent)}"
    case 4 where depth < 2:
      let i = fresh("i")
      var inner = vars + [i]
      let body = (0..<int(1...3)).map { _ in statement(&inner, depth: depth + 1) }.joined(separator: "\n")
      return "\(indent)for (let \(i) = 0; \(i) < \(int(1...5)); \(i)++) {\n\(body)\n\(indent)}"
    case 5:
      return "\(indent)arr.push(\(number(vars)));"
    case 6:
      let f = fresh("g")
      return
        "\(indent)const \(f) = (x) => x * \(int(1...4)) + \(number(vars));\n\(indent)arr.push(\(f)(\(number(vars))));"
    case 7:
      return "\(indent)log += `\(pick(["a", "b", "c"]))${\(number(vars))}` + '\(pick([",", ";", "-"]))';"
    case 8, 12:
      // Conversions that run user code (kept by every transform) and ones that do not.
      let u = fresh("u")
      return pick([
        "\(indent)const \(u) = -{ valueOf() { hits++; return 2; } };",
        "\(indent)const \(u) = +{ valueOf: () => ++hits };",
        "\(indent)const \(u) = !{ valueOf() { hits++; return 1; } };",
        "\(indent)const \(u) = `${{ toString() { hits++; return 'x'; } }}`;",
        "\(indent)const \(u) = -[{ toString() { hits += 2; return '3'; } }];",
        "\(indent)const \(u) = [1, 'a', null];",
      ])
    case 9:
      let o = fresh("o")
      return "\(indent)const \(o) = { k: \(number(vars)), m() { return this.k + 1; } };\n\(indent)arr.push(\(o).m());"
    case 10 where depth < 2:
      return "\(indent)try {\n\(indent)  if (\(number(vars)) > 50) throw new Error('big');\n\(indent)  hits += 1;\n"
        + "\(indent)} catch (e) {\n\(indent)  log += e.message;\n\(indent)}"
    default:
      return "\(indent)hits += \(number(vars)) > 3 ? 1 : 0;"
    }
  }

  /// One program: two or three functions and the lines that print what they return.
  mutating func program() -> String {
    var out = ""
    var calls: [String] = []
    for _ in 0..<int(2...3) {
      let name = fresh("f")
      var vars = ["a", "b"]
      var body = ["  let hits = 0;", "  let log = '';", "  const arr = [];"]
      for _ in 0..<int(3...8) { body.append(statement(&vars, depth: 0)) }
      body.append("  return [\(pick(vars)), hits, log, arr.join()].join('|');")
      if rng.chance(0.3) { body.append("  hits = 99;") }  // dead code after the return
      out += "function \(name)(a, b) {\n" + body.joined(separator: "\n") + "\n}\n"
      calls.append("console.log(\(name)(\(int(0...9)), \(int(0...9))));")
    }
    return out + calls.joined(separator: "\n") + "\n"
  }
}

/// Issue 20: a bounded fuzz of the transforms. Seeded random programs from `ProgramGenerator`, every
/// semantics-preserving transform alone and the composed pipeline, each variant's transcript compared
/// with the original's under node.
@Suite struct TransformFuzzTests {
  static let programs = 40

  @Test(.enabled(if: ProgramSuite.nodeAvailable, "needs node at /usr/bin/node"))
  func generatedProgramsBehaveTheSameAfterEveryTransform() throws {
    var jobs: [ProgramSuite.Job] = []
    let pipeline = Augmenter(config: .semanticsPreserving)
    var changed = 0
    for index in 0..<Self.programs {
      var generator = ProgramGenerator(seed: 0xF022 + UInt64(index))
      let source = generator.program()
      var texts = [source]
      var labels = ["original"]
      for name in ExecutionTests.singleTransforms {
        let v = try augment(source: source, language: .javascript, seed: UInt64(index), transforms: [name])
        texts.append(v[0].text)
        labels.append(name)
      }
      for (i, v) in pipeline.variants(of: source, language: .javascript, seed: UInt64(index), count: 2).enumerated() {
        texts.append(v.text)
        labels.append("pipeline \(i): " + v.applied.joined(separator: ","))
      }
      changed += texts.dropFirst().filter { $0 != source }.count
      jobs.append(ProgramSuite.Job(name: "generated-\(index)", texts: texts, labels: labels))
    }
    let report = try ProgramSuite.run(jobs)
    #expect(report.broken.isEmpty, "generated programs that fail to run: \(report.broken.map(\.name))")
    for m in report.mismatches.prefix(5) {
      Issue.record("\(m.name) [\(m.label)]\n--- expected\n\(m.expected)\n--- got\n\(m.got)\n--- variant\n\(m.text)")
    }
    #expect(report.mismatches.isEmpty, "\(report.mismatches.count) variants changed behaviour")
    #expect(changed > Self.programs * 4)  // the transforms really ran
  }
}
