import Foundation
import Testing

@testable import Syntax

// MARK: - Helpers

/// Parses and analyzes `source`.
private func analyze(_ source: String, _ language: Language = .javascript) throws -> ScopeAnalysis {
  ScopeAnalysis(tree: try Parser(language: language).parse(source))
}

/// A compact picture of every variable occurrence, in document order: `name=A` declares binding A,
/// `name:A` refers to it, `name:?` is free. Bindings are lettered in order of their first occurrence.
private func links(_ source: String, _ language: Language = .javascript) throws -> String {
  let a = try analyze(source, language)
  var letters: [Int: String] = [:]
  let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
  return a.references.map { r in
    guard let b = r.binding else { return "\(r.name):?" }
    let letter =
      letters[b]
      ?? {
        let l = String(alphabet[letters.count % 26])
        letters[b] = l
        return l
      }()
    return "\(r.name)\(r.isDeclaration ? "=" : ":")\(letter)"
  }.joined(separator: " ")
}

/// The binding named `name` (the first one, in declaration order).
private func binding(_ a: ScopeAnalysis, _ name: String, _ nth: Int = 0) -> Binding? {
  a.bindings.filter { $0.name == name }.dropFirst(nth).first
}

// MARK: - JavaScript rules

@Suite struct ScopeJavaScriptTests {
  @Test func varHoistsToTheFunctionBody() throws {
    #expect(try links("function f() { v; { var v = 1; } return v; }") == "f=A v:B v=B v:B")
    let a = try analyze("function f() { { var v; } }")
    let v = try #require(binding(a, "v"))
    #expect(v.kind == .var)
    #expect(a.scopes[v.scope].kind == .functionBody)
  }

  @Test func functionDeclarationsHoist() throws {
    #expect(try links("g(); function g() {} function h() { k(); function k() {} }") == "g:A g=A h=B k:C k=C")
  }

  @Test func letConstAndClassAreBlockScoped() throws {
    #expect(
      try links("let x = 1; { let x = 2; const y = x; class K {} K; } x; y; K;")
        == "x=A x=B y=C x:B K=D K:D x:A y:? K:?")
  }

  @Test func functionsInBlocksAreBlockScopedAndFlagged() throws {
    let a = try analyze("function f() { { function g() {} g(); } g(); }")
    #expect(try links("function f() { { function g() {} g(); } g(); }") == "f=A g=B g:B g:?")
    #expect(try #require(binding(a, "g")).isBlockFunction)
    #expect(try #require(binding(a, "f")).isBlockFunction == false)
  }

  @Test func defaultParametersDoNotSeeTheBody() throws {
    #expect(
      try links("var x; function f(a = x, b = a) { var x; return b; }") == "x=A f=B a=C x:A b=D a:C x=E b:D")
  }

  @Test func bodyVarRepeatingAParameterIsTheParameter() throws {
    #expect(try links("function f(a) { var a; return a; }") == "f=A a=B a=B a:B")
  }

  @Test func catchClauseParameters() throws {
    #expect(try links("try {} catch (e) { e; } e;") == "e=A e:A e:?")
    #expect(try links("try {} catch ({m, n: [o]}) { m + o; }") == "m=A o=B m:A o:B")
    let a = try analyze("try {} catch (e) {}")
    #expect(try #require(binding(a, "e")).kind == .catchParameter)
  }

  @Test func varRedeclaringACatchParameterTiesTheNames() throws {
    let a = try analyze("function f() { try {} catch (e) { var e = 1; } }")
    let es = a.bindings.filter { $0.name == "e" }
    #expect(es.count == 2 && es.allSatisfy { $0.nameIsObservable })
  }

  @Test func namedFunctionExpressionNameIsInnerOnly() throws {
    #expect(try links("const f = function g() { return g; }; g;") == "f=A g=B g:B g:?")
    let a = try analyze("(function g() {})")
    #expect(try #require(binding(a, "g")).kind == .functionExpressionName)
  }

  @Test func classNames() throws {
    #expect(try links("class C { m() { return C; } } new C();") == "C=A C:A C:A")
    #expect(try links("const D = class E { m() { return E; } }; E;") == "D=A E=B E:B E:?")
    let a = try analyze("const D = class E {};")
    #expect(try #require(binding(a, "E")).kind == .classExpressionName)
  }

  @Test func importsOfEveryForm() throws {
    let src = "import d, { a, b as c } from 'm'; import * as ns from 'n'; import 'side'; d(a, c, ns, b);"
    #expect(try links(src) == "d=A a=B c=C ns=D d:A a:B c:C ns:D b:?")
    let a = try analyze(src)
    #expect(a.bindings.filter { $0.kind == .import }.map(\.name) == ["d", "a", "c", "ns"])
  }

  @Test func exports() throws {
    let src =
      "export const x = 1; export function f() {} const a = 2; export { a as b }; export { c } from 'm'; export default a;"
    #expect(try links(src) == "x=A f=B a=C a:C a:C")
    let an = try analyze(src)
    #expect(try #require(binding(an, "x")).isExported)
    #expect(try #require(binding(an, "f")).isExported)
    #expect(try #require(binding(an, "a")).isExported)
    #expect(an.references.filter(\.isExportSpecifier).map(\.name) == ["a"])
  }

  @Test func destructuringWithDefaultsAndRest() throws {
    #expect(
      try links("const {a, b: [c = a, ...d], e = c, ...f} = o; let [g, , h = g, ...i] = p;")
        == "a=A c=B a:A d=C e=D c:B f=E o:? g=F h=G g:F i=H p:?")
  }

  @Test func shorthandProperties() throws {
    let a = try analyze("const a = 1; const o = {a}; const {b} = o; let c; ({c} = o); const {d = 2} = o;")
    let short = a.references.filter(\.isShorthand)
    #expect(short.map(\.name) == ["a", "b", "c", "d"])
    #expect(short[0].binding == binding(a, "a")?.id && !short[0].isDeclaration)
    #expect(short[1].isDeclaration && short[1].binding == binding(a, "b")?.id)
    #expect(short[2].isWrite && !short[2].isDeclaration && short[2].binding == binding(a, "c")?.id)
    #expect(short[3].isDeclaration)
  }

  @Test func propertyKeysAndMemberNamesAreNotVariables() throws {
    #expect(
      try links("const k = 1; ({a: 1, [k]: 2, b() {}}).a; obj.a; class C { a = 1; #p = 2; static s; a() {} [k]() {} }")
        == "k=A k:A obj:? C=B k:A")
  }

  @Test func labelsAreNotVariables() throws {
    #expect(try links("l: for (;;) { break l; continue l; } l;") == "l:?")
  }

  @Test func argumentsBinding() throws {
    let src = "function f() { arguments; const g = () => arguments; function h() { return arguments; } } arguments;"
    #expect(try links(src) == "f=A arguments:B g=C arguments:B h=D arguments:E arguments:?")
    let a = try analyze(src)
    let args = a.bindings.filter { $0.kind == .arguments }
    #expect(args.count == 2)
    #expect(a.scopes[args[0].scope].kind == .function)
    // A parameter named `arguments` shadows the implicit one.
    #expect(try links("function f(arguments) { return arguments; }") == "f=A arguments=B arguments:B")
  }

  @Test func thisIsNotAnIdentifier() throws {
    #expect(try links("function f() { return this.x + this; }") == "f=A")
  }

  @Test func evalAndWithMarkScopesUnsafe() throws {
    let a = try analyze("function f() { function g() { eval('1'); } function h() { let y; } } function k() {}")
    let g = try #require(a.bindings.first { $0.name == "g" })
    let unsafeKinds = a.scopes.filter(\.isUnsafe).map(\.kind)
    #expect(unsafeKinds == [.program, .function, .functionBody, .function, .functionBody])
    // h's scopes and k's are safe.
    let y = try #require(binding(a, "y"))
    #expect(!a.isUnsafe(a.scopes[y.scope]))
    #expect(a.isUnsafe(a.scopes[g.scope]))
    let w = try analyze("function f(o) { with (o) { x; } } function s(p) {}")
    #expect(try w.scopes[#require(binding(w, "o")).scope].isUnsafe)
    #expect(try !w.scopes[#require(binding(w, "p")).scope].isUnsafe)
    // `obj.eval()` is not a direct eval.
    #expect(try analyze("function f() { obj.eval('1'); }").scopes.allSatisfy { !$0.isUnsafe })
  }

  @Test func writes() throws {
    let a = try analyze("let x; x = 1; x++; x += 2; [x] = [3]; x;")
    #expect(a.references.map(\.isWrite) == [false, true, true, true, true, false])
  }

  @Test func loopHeaders() throws {
    #expect(
      try links("for (let i = 0; i < 2; i++) {} i; for (const k in o) k; for (x of y) {}")
        == "i=A i:A i:A i:? k=B o:? k:B x:? y:?")
    let a = try analyze("function f() { for (var i of a) {} return i; }")
    #expect(try links("function f() { for (var i of a) {} return i; }") == "f=A i=B a:? i:B")
    #expect(try a.scopes[#require(binding(a, "i")).scope].kind == .functionBody)
  }

  @Test func switchBodyIsABlock() throws {
    #expect(try links("switch (v) { case 1: let q = 1; q; } q;") == "v:? q=A q:A q:?")
  }

  @Test func typeofUndeclaredIsFree() throws {
    #expect(try links("typeof zz === 'undefined'") == "zz:?")
  }

  @Test func undefinedIsAReferenceToTheGlobalUnlessDeclared() throws {
    #expect(
      try links("undefined; function f(undefined) { return undefined; }") == "undefined:? f=A undefined=B undefined:B")
  }

  @Test func observableNamesOfAnonymousFunctions() throws {
    let a = try analyze(
      "function o() { const f = () => 1; let g; g = function () {}; const h = function n() {}; let {k = class {}} = {}; let m; m += 1; }"
    )
    #expect(try #require(binding(a, "f")).nameIsObservable)
    #expect(try #require(binding(a, "g")).nameIsObservable)
    #expect(try #require(binding(a, "h")).nameIsObservable == false)
    #expect(try #require(binding(a, "k")).nameIsObservable)
    #expect(try #require(binding(a, "m")).nameIsObservable == false)
  }

  @Test func lookupByOffset() throws {
    let src = "let abc = 1; abc + zz;"
    let a = try analyze(src)
    #expect(a.binding(at: 14)?.name == "abc")
    #expect(a.binding(at: 4)?.kind == .let)
    #expect(a.binding(at: 19) == nil)  // `zz` is free
    #expect(a.reference(at: 19)?.name == "zz")
    #expect(a.freeReferences.map(\.name) == ["zz"])
    let abc = try #require(binding(a, "abc"))
    #expect(a.references(of: abc).map(\.range.lowerBound) == [4, 13])
    #expect(a.innermostScope(at: 5).kind == .program)
    let nested = try analyze("function f(p) { { let q; } return p; }")
    #expect(nested.innermostScope(at: 20).kind == .block)  // inside `{ let q; }`
    #expect(nested.innermostScope(at: 30).kind == .functionBody)  // `return p`
    #expect(nested.innermostScope(at: 11).kind == .function)  // the parameter list
  }
}

// MARK: - TypeScript and TSX

@Suite struct ScopeTypeScriptTests {
  @Test func typesAreNotValueReferences() throws {
    let src =
      "interface I { f(a: number): void; [k: string]: any } type T = (p: number) => [n: string]; let x: I = y as T;"
    #expect(try links(src, .typescript) == "a=A p=B x=C y:?")
  }

  @Test func typeofInTypesAndPredicatesAreReferences() throws {
    #expect(
      try links("const q = 1; function f(z: typeof q): z is string { return true; }", .typescript)
        == "q=A f=B z=C q:A z:C")
  }

  @Test func classesAndEnumsAreValueBindings() throws {
    let src = "class A extends B {} enum E { X = 1, Y = X } new A(); E.X; let t: A;"
    #expect(try links(src, .typescript) == "A=A B:? E=B X:? A:A E:B t=C")
    let a = try analyze(src, .typescript)
    #expect(try #require(binding(a, "A")).kind == .class)
    #expect(try #require(binding(a, "E")).kind == .enum)
  }

  @Test func namespacesAreValueBindings() throws {
    let src = "namespace N.M { export const v = 1; } N.M.v;"
    #expect(try links(src, .typescript) == "N=A v=B N:A")
    let a = try analyze(src, .typescript)
    #expect(try #require(binding(a, "N")).kind == .namespace)
    #expect(try a.scopes[#require(binding(a, "v")).scope].kind == .namespace)
  }

  @Test func parameterPropertiesAreParameters() throws {
    let src = "class P { constructor(private x: number, public readonly y?: string, z = 1) { x; } }"
    let a = try analyze(src, .typescript)
    let x = try #require(binding(a, "x"))
    #expect(x.kind == .parameter && x.isParameterProperty)
    #expect(try #require(binding(a, "y")).isParameterProperty)
    #expect(try #require(binding(a, "z")).isParameterProperty == false)
    #expect(a.references(of: x).count == 2)
  }

  @Test func overloadsImportRequireAndAmbient() throws {
    let src =
      "function f(a: string): void; function f(a: any) { return a; } import m = require('m'); declare const d: number; m(d, f);"
    #expect(try links(src, .typescript) == "f=A a=B f=A a=C a:C m=D d=E m:D d:E f:A")
  }

  @Test func jsxComponentReferences() throws {
    let src = "import Foo from 'f'; const ui = <Foo.Bar x={y}><div className='a'>{z}</div><Baz /><my-el/></Foo.Bar>;"
    #expect(try links(src, .tsx) == "Foo=A ui=B Foo:A y:? z:? Baz:? Foo:A")
    let jsx = try analyze("const Baz = 1; <Baz></Baz>", .tsx)
    #expect(jsx.references.filter(\.isJSXTag).count == 2)
    #expect(try links("<Foo>{a}</Foo>", .javascript) == "Foo:? a:? Foo:?")
  }
}

// MARK: - Real code

@Suite struct ScopeRealCodeTests {
  /// A file full of tricky constructs: nothing crashes, every declaration occurrence names its binding, and
  /// every reference's binding is visible from where it is written.
  @Test func trickyFixtureIsConsistent() throws {
    let src = """
      'use strict';
      import def, * as all from 'x';
      export default class extends def { static #n = 1; static { var s = this.#n; } get [all.k]() { return s; } }
      label: for (const [a, {b = a, ...c}] of all.list) { if (a) continue label; else break label; }
      const fn = async function* gen({x = () => arguments}, ...[y, z]) { yield* gen(x, y, z); };
      try { throw 1 } catch { } finally { }
      with (Math) { max(1, 2); }
      new.target; import.meta; `t${fn}`; /re/g; a?.b?.(c) ?? d;
      """
    let a = try analyze(src)
    try checkConsistent(a)
  }

  @Test func realPackageFileIfPresent() throws {
    let candidates = ["/usr/share/nodejs/terser/lib/scope.js", "/usr/share/nodejs/terser/lib/compress/index.js"]
    let paths = candidates.filter { FileManager.default.fileExists(atPath: $0) }
    guard !paths.isEmpty else {
      print("skipped: no terser sources at /usr/share/nodejs/terser (apt-get install node-terser)")
      return
    }
    for path in paths {
      let text = try String(contentsOfFile: path, encoding: .utf8)
      let a = try analyze(text)
      #expect(a.bindings.count > 50)
      try checkConsistent(a)
    }
  }

  private func checkConsistent(_ a: ScopeAnalysis) throws {
    for r in a.references {
      guard let b = r.binding else { continue }
      let binding = a.bindings[b]
      #expect(binding.name == r.name)
      // The binding's scope encloses the occurrence (declarations of `var` may sit deeper than their scope).
      #expect(a.isScope(r.scope, inside: binding.scope) || binding.kind == .arguments)
    }
    for s in a.scopes.dropFirst() {
      let p = try #require(s.parent)
      #expect(p < s.id && a.scopes[p].contains(scope: s.id))
    }
  }
}
