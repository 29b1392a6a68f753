import Syntax
import Testing

@testable import Corpus

@Suite struct MethodNamesTests {
  func examples(_ source: String, _ language: Language = .typescript) throws -> [MethodNameExample] {
    let tree = try Parser(language: language).parse(source)
    return extractUnits(from: tree).compactMap { MethodNames.example(for: $0, in: tree) }
  }

  @Test func hidesOwnNameAndRecursiveCalls() throws {
    let e = try examples(
      """
      function factorialOf(n) {
        if (n <= 1) return 1;
        return n * factorialOf(n - 1);
      }
      """, .javascript)
    #expect(e.count == 1)
    #expect(e[0].name == "factorialOf" && e[0].target == ["factorial", "of"])
    #expect(e[0].input.contains("function METHOD_NAME(n)"))
    #expect(e[0].input.contains("n * METHOD_NAME(n - 1)"))
    #expect(!e[0].input.contains("factorialOf"))
    #expect(try !Parser(language: .javascript).parse(e[0].input).hasError)
  }

  @Test func methodsHideThisCallsButNotOtherObjects() throws {
    let e = try examples(
      """
      class Walker {
        visitNode(node: Node): void {
          this.count++;
          for (const c of node.children) this.visitNode(c);
          other.visitNode(node);
        }
        constructor() { this.count = 0; this.ready = true; }
      }
      """)
    #expect(e.map(\.name) == ["visitNode"])
    #expect(e[0].input.hasPrefix("METHOD_NAME(node: Node): void"))
    #expect(e[0].input.contains("this.METHOD_NAME(c)"))
    #expect(e[0].input.contains("other.visitNode(node)"))
  }

  @Test func prototypeAssignmentsHideThisCalls() throws {
    let e = try examples(
      """
      pp.parseStatement = function(context) {
        if (this.eat(tt.semi)) return this.parseStatement(context);
        return this.parseExpressionStatement();
      };
      """, .javascript)
    #expect(e.map(\.name) == ["parseStatement"])
    #expect(e[0].input.contains("return this.METHOD_NAME(context)"))
    #expect(!e[0].input.contains("parseStatement"))
  }

  @Test func arrowsTakeTheirVariableName() throws {
    let e = try examples(
      """
      const loadUserProfile = async (id: string) => {
        const res = await fetch(id);
        return res.json();
      };
      """)
    #expect(e.map(\.target) == [["load", "user", "profile"]])
    #expect(e[0].input.hasPrefix("async (id: string) =>"))
  }

  @Test func skipsTrivialNames() throws {
    let e = try examples(
      """
      function f(a) { a++; return a; }
      function short_body(a) { return a; }
      const concise = (a) => a * 2;
      const anon = [1].map(function (x) { x++; return x; });
      module.exports = function (a) { a++; return a; };
      """, .javascript)
    #expect(e.isEmpty)
  }
}
