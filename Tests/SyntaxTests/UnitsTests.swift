import Testing

@testable import Syntax

private func units(_ source: String, _ language: Language = .typescript) throws -> [FunctionUnit] {
  extractUnits(from: try Parser(language: language).parse(source))
}

@Suite struct UnitsTests {
  @Test func functionDeclarationsAndExpressions() throws {
    let u = try units(
      """
      function add(a, b) { return a + b }
      const sub = function (a, b) { return a - b }
      const named = function inner() {}
      function* gen() { yield 1 }
      async function load(url) { await fetch(url) }
      """, .javascript)
    #expect(u.map(\.name) == ["add", "sub", "inner", "gen", "load"])
    #expect(u.map(\.kind) == [.function, .functionExpression, .functionExpression, .function, .function])
    #expect(u[3].isGenerator && !u[3].isAsync)
    #expect(u[4].isAsync && !u[4].isGenerator)
    #expect(u[0].parameters.map(\.names) == [["a"], ["b"]])
    #expect(u[0].startLine == 1 && u[4].startLine == 5)
  }

  @Test func arrowsAndInferredNames() throws {
    let u = try units(
      """
      const f = x => x * 2;
      obj.handler = (e) => { log(e) };
      module.exports.run = function () {};
      let g; g = async () => 1;
      const h = (() => 0) as Fn;
      """)
    #expect(u.map(\.name) == ["f", "handler", "run", "g", "h"])
    #expect(u[0].kind == .arrow && u[0].parameters[0].names == ["x"])
    #expect(u[0].returnAnnotationInsertionOffset == nil)
    #expect(u[3].isAsync)
  }

  @Test func classAndObjectMembers() throws {
    let source = """
      class Shape<T> extends Base {
        private size: number = 1;
        constructor(private readonly id: T) { super() }
        get area(): number { return 0 }
        set area(v: number) {}
        static async *items() {}
        onClick = (e: Event) => {};
        ['computed']() {}
      }
      const o = { m() {}, n: function () {}, 'quoted': () => 1, [k]() {} };
      """
    let u = try units(source)
    #expect(u.map(\.name) == ["constructor", "area", "area", "items", "onClick", "computed", "m", "n", "quoted", nil])
    #expect(u.map(\.kind) == [.constructor, .getter, .setter, .method, .arrow, .method, .method, .functionExpression, .arrow, .method])
    #expect(u[0].enclosingClass == "Shape" && u[6].enclosingClass == nil)
    #expect(u[3].isStatic && u[3].isAsync && u[3].isGenerator)
    #expect(u[1].returnAnnotation == "number")
    #expect(u[2].parameters[0].annotation == "number")
    #expect(u[0].parameters[0].names == ["id"] && u[0].parameters[0].annotation == "T")
  }

  @Test func parameterShapes() throws {
    let u = try units("function f(a = 1, {b, c: [d, e = 2], ...f}: Opts = {}, [g, , h]?, ...rest: number[]): void {}")
    let p = u[0].parameters
    #expect(p.map(\.shape) == [.identifier, .object, .array, .rest])
    #expect(p.map(\.names) == [["a"], ["b", "d", "e", "f"], ["g", "h"], ["rest"]])
    #expect(p[0].defaultValue == "1" && p[0].annotation == nil)
    #expect(p[1].annotation == "Opts" && p[1].defaultValue == "{}")
    #expect(p[2].isOptional)
    #expect(p[3].annotation == "number[]")
    #expect(u[0].returnAnnotation == "void")
  }

  @Test func annotationInsertionOffsets() throws {
    let source = "function f(a, b?, c = 1) {}"
    let tree = try Parser(language: .typescript).parse(source)
    let u = extractUnits(from: tree)[0]
    let bytes = Array(source.utf8)
    let offsets = u.parameters.map(\.annotationInsertionOffset)
    #expect(offsets.map { String(decoding: bytes[..<$0], as: UTF8.self).last } == ["a", "?", "c"])
    #expect(String(decoding: bytes[..<u.returnAnnotationInsertionOffset!], as: UTF8.self).hasSuffix(")"))
  }

  @Test func nestingAndSpans() throws {
    let source = "function outer() {\n  const inner = () => {\n    return 1\n  }\n}\n"
    let u = try units(source, .javascript)
    #expect(u.count == 2)
    #expect(u[1].parent == 0 && u[0].parent == nil)
    #expect(u[0].startLine == 1 && u[0].endLine == 5 && u[0].lineCount == 5)
    #expect(u[1].startLine == 2 && u[1].endLine == 4)
    let bytes = Array(source.utf8)
    #expect(String(decoding: bytes[u[1].byteRange], as: UTF8.self).hasPrefix("() =>"))
    #expect(String(decoding: bytes[u[1].bodyRange], as: UTF8.self).hasPrefix("{"))
  }

  @Test func signaturesWithoutBodiesAreNotUnits() throws {
    let u = try units(
      """
      interface I { m(a: number): void }
      declare function d(x: string): void;
      abstract class A { abstract k(): void; real() {} }
      function over(a: string): void;
      function over(a: any) {}
      """)
    #expect(u.map(\.name) == ["real", "over"])
  }

  @Test func tsxAndJsx() throws {
    let u = try units("const App = ({ title }: Props) => <div onClick={() => go()}>{title}</div>;", .tsx)
    #expect(u.map(\.name) == ["App", nil])
    let j = try units("export default function Page() { return <main /> }", .javascript)
    #expect(j.map(\.name) == ["Page"])
  }
}
