import Foundation
import Syntax
import Testing

@testable import CodeIntel
@testable import Heads

private func tree(_ source: String) throws -> Tree { try Parser(language: .typescript).parse(source) }

private func file(_ source: String, path: String = "x.ts") throws -> SourceFile {
  SourceFile(path: path, language: try #require(Language(path: path)), bytes: Array(source.utf8))
}

@Suite struct TypeHolesTests {
  static let source = """
    function run(cb) { return cb(1) }
    run((x) => x + 1);
    const typed: (n: number) => number = (y) => y;
    function plain(a, b = 2, c = null) {}
    export function api(p) { return 1 }
    function local() { return 1 }
    let later;
    const fixed = 1;
    export class Box { size; count = 0; items = []; #secret; private hidden() { return 1 } shown() { return 2 } }
    function rest(...args) {}
    function destructured({ a2, b2 }) {}
    [1].map(function (z) { return z });
    const handlers = { onClick: (e) => e };
    takes({ visit(node) { return node } });

    """

  /// name → whether the site is a hole, for every site of `source`.
  private func holes(_ source: String) throws -> [String: Bool] {
    var out: [String: Bool] = [:]
    for c in TypeHoles.classify(in: try tree(source)) { out["\(c.site.kind.rawValue) \(c.site.name)"] = c.isHole }
    return out
  }

  @Test func contextuallyTypedParametersAreNotHoles() throws {
    let h = try holes(Self.source)
    #expect(h["parameter cb"] == true)
    #expect(h["parameter x"] == false)  // a call argument
    #expect(h["parameter y"] == false)  // assigned to a typed variable
    #expect(h["parameter z"] == false)
    #expect(h["parameter node"] == false)  // a method of an object literal passed as an argument
    #expect(h["parameter a"] == true)
    #expect(h["parameter b"] == false)  // `= 2` gives the type
    #expect(h["parameter c"] == true)  // `= null` gives none
    #expect(h["parameter e"] == true)  // an object literal in an untyped variable: nothing types `e`
  }

  @Test func variablesPropertiesAndReturns() throws {
    let h = try holes(Self.source)
    #expect(h["variable later"] == true)
    #expect(h["variable fixed"] == false)
    #expect(h["property size"] == true)
    #expect(h["property count"] == false)
    #expect(h["property items"] == true)  // `[]` infers `never[]`
    #expect(h["property #secret"] == true)
    #expect(h["returnType api"] == true)  // exported
    #expect(h["returnType local"] == false)
    #expect(h["returnType run"] == false)
    #expect(h["returnType shown"] == true)  // public method of an exported class
    #expect(h["returnType hidden"] == false)  // private
  }

  @Test func classPropertiesRestAndDestructuredParametersAreSites() throws {
    let t = try tree(Self.source)
    let extra = TypeHoles.extraSites(in: t)
    let text = Self.source
    func after(_ s: TypeSites.Site) -> String {
      String(decoding: Array(text.utf8)[s.anchor...].prefix(2), as: UTF8.self)
    }
    let size = try #require(extra.first { $0.name == "size" })
    #expect(size.kind == .property && after(size) == "; ")
    let args = try #require(extra.first { $0.name == "args" })
    #expect(args.kind == .parameter && after(args) == ") ")
    let pattern = try #require(extra.first { $0.name == "{ a2, b2 }" })
    #expect(pattern.kind == .parameter && after(pattern) == ") ")
    // `TypeSites` already lists plain parameters; they are not extra.
    #expect(!extra.contains { $0.name == "a" || $0.name == "later" })
  }

  @Test func defaultListsOnlyHolesAndAllRestoresTheRest() throws {
    let f = try file(Self.source)
    let holes = try TypeSuggestions(file: f).suggestions.map { "\($0.name): \($0.best.type)" }
    let all = try TypeSuggestions(file: f, all: true).suggestions.map { "\($0.name): \($0.best.type)" }
    #expect(holes == ["api: number", "shown: number"])
    #expect(all.contains("fixed: number"))
    #expect(all.contains("b: number"))
    #expect(all.contains("count: number"))  // class property evidence
    #expect(all.contains("local: number"))
    #expect(all.contains("hidden: number"))
  }

  @Test func callbacksGetNoVoidHintsByDefault() throws {
    let f = try file("items.forEach((item) => { console.log(item) });\nexport function log(m) { console.log(m) }\n")
    let shown = try TypeSuggestions(file: f).suggestions.map { "\($0.kind.rawValue) \($0.name): \($0.best.type)" }
    #expect(shown == ["returnType log: void"])
    let all = try TypeSuggestions(file: f, all: true).suggestions
    #expect(all.contains { $0.name == "<anonymous>" && $0.best.type == "void" })
  }

  @Test func annotatingAPropertyWritesAValidField() throws {
    let f = try file("class C {\n  count = 0;\n  name? = 'x';\n}\n")
    let out = try TypeSuggestions(file: f, all: true).annotate(minConfidence: 0.5)
    let text = String(decoding: out.bytes, as: UTF8.self)
    #expect(text.contains("count: number = 0;"))
    #expect(text.contains("name?: string = 'x';"))
    #expect(!(try Parser(language: .typescript).parse(text)).hasError)
  }

  @Test func javaScriptKeepsEverySite() throws {
    let f = try file("function f(a = 1) { return 'x' }\n", path: "x.js")
    #expect(try TypeSuggestions(file: f).suggestions.count == 2)
  }
}

@Suite struct TypeNamesTests {
  static let source = """
    import { Query, Cache as Store } from './query';
    import * as ts from 'typescript';
    import Default from './d';
    class Foo<T> { m(x) { return x } }
    class WithDefault<T = string> {}
    interface Bar {}
    type Alias = string;
    enum Color { Red }
    const This = getClass();
    function outer<K>(k) {}

    """

  @Test func typesInScopeAreAccepted() throws {
    let names = TypeNames(tree: try tree(Self.source))
    for ok in [
      "Bar", "Alias", "Color", "Color.Red", "Query", "Store", "Default", "ts.Node", "ts.NodeArray<ts.Node>",
      "Foo<number>", "WithDefault", "Promise<Bar>", "Map<string, Bar[]>", "Bar | undefined", "string",
      "Record<string, number>", "{ [K in keyof Bar]: K }", "(a: number) => void", "Date", "RegExp", "HTMLElement",
      "'a' | 'b'", "typeof This", "Intl.DateTimeFormat",
    ] {
      #expect(names.problem(with: ok, at: 0) == nil, "\(ok)")
    }
  }

  @Test func valuesUnknownNamesAndBareGenericsAreRefused() throws {
    let names = TypeNames(tree: try tree(Self.source))
    for bad in ["This", "Proxy", "Scope", "Foo", "Promise", "Map", "Array", "Cache", "x.Node", "Bar<", "T"] {
      #expect(names.problem(with: bad, at: 0) != nil, "\(bad)")
    }
  }

  @Test func typeParametersCountOnlyInsideTheirDeclaration() throws {
    let t = try tree(Self.source)
    let names = TypeNames(tree: t)
    let text = Self.source
    let insideFoo = try #require(text.range(of: "m(x")).upperBound.utf16Offset(in: text)
    let insideOuter = try #require(text.range(of: "(k")).upperBound.utf16Offset(in: text)
    #expect(names.problem(with: "T", at: insideFoo) == nil)
    #expect(names.problem(with: "T[]", at: insideFoo) == nil)
    #expect(names.problem(with: "K", at: insideOuter) == nil)
    #expect(names.problem(with: "K", at: insideFoo) != nil)
  }

  /// `TypeNames` remembers its answers (per type, and per type and type parameters where those matter): asked
  /// again, at other sites and in any order, it answers what a fresh instance answers.
  @Test func rememberedProblemsAreTheFreshOnes() throws {
    let t = try tree(Self.source)
    let text = Self.source
    let offsets = [
      0, try #require(text.range(of: "m(x")).upperBound.utf16Offset(in: text),
      try #require(text.range(of: "(k")).upperBound.utf16Offset(in: text),
    ]
    let types = ["T", "K", "T[]", "Map<K, T>", "Bar", "string", "This", "Promise", "Bar<", "Foo<number>", "K | Bar"]
    for order in [false, true] {
      let names = TypeNames(tree: t)
      var pairs: [(String, Int)] = []
      for type in types { for offset in offsets { pairs.append((type, offset)) } }
      if order { pairs.reverse() }
      for _ in 0..<2 {
        for (type, offset) in pairs {
          #expect(
            names.problem(with: type, at: offset) == TypeNames(tree: t).problem(with: type, at: offset),
            "\(type) at \(offset)")
        }
      }
    }
  }

  @Test func anyIsNeverConfident() throws {
    let names = TypeNames(tree: try tree(Self.source))
    let any = TypeEvidence.Suggestion.Candidate(type: "any", confidence: 0.95, reason: "`as any`")
    #expect(names.vet(any, at: 0) == nil)
    let anyArray = TypeEvidence.Suggestion.Candidate(type: "any[]", confidence: 0.95, reason: "")
    #expect(names.vet(anyArray, at: 0)?.confidence == TypeNames.anyCap)
    let company = TypeEvidence.Suggestion.Candidate(type: "Company", confidence: 0.9, reason: "")
    #expect(names.vet(company, at: 0) == nil)
  }

  @Test func suggestionsNeverNameAValue() throws {
    let source = """
      const This = this.constructor;
      export const a = new This();
      export const p = new Proxy({}, {});
      export const q = value as any;
      export const m = new Map<string, number>();
      export class Query<T> {}
      export const r = new Query();

      """
    let shown = try TypeSuggestions(file: try file(source), all: true).suggestions.map { "\($0.name): \($0.best.type)" }
    #expect(shown == ["m: Map<string, number>"])
  }
}

@Suite struct ReturnShapeTests {
  private func shape(_ source: String) throws -> TypeHoles.ReturnShape {
    try #require(TypeHoles.classify(in: try tree(source)).first { $0.site.kind == .returnType }?.returns)
  }

  @Test func theBodyDecidesBetweenVoidAndAValue() throws {
    let returns = try shape("export function f(c) { if (c) { return { c } } }")
    #expect(!returns.admits("void") && returns.admits("{ c: any }") && !returns.admits("Promise<void>"))
    let silent = try shape("export function f(c) { c.go(); [1].map(() => 2); return; }")
    #expect(silent.admits("void") && silent.admits("never") && !silent.admits("number"))
    #expect(!silent.admits("Promise<void>"))
    let async = try shape("export async function f(c) { await c }")
    #expect(async.admits("Promise<void>") && !async.admits("void") && !async.admits("string"))
    let asyncValue = try shape("export async function f(c) { return await c }")
    #expect(asyncValue.admits("Promise<string>") && !asyncValue.admits("Promise<void>"))
    let expression = try shape("export const f = (c) => c.go()")
    #expect(expression.admits("void") && expression.admits("number"))
  }

  @Test func aModelsVoidForAFunctionThatReturnsAValueIsNotShown() throws {
    // What the type head said (0.94) for a method that returns `{ commands }` in a real project.
    let source = "export class LogError {\n  handle(commands) {\n    return { commands };\n  }\n}\n"
    let t = try tree(source)
    let site = try #require(TypeHoles.classify(in: t).first { $0.site.kind == .returnType }?.site)
    let planted = TypeEvidence.Suggestion(
      kind: .returnType, name: site.name, nameRange: site.nameRange, anchor: site.anchor,
      candidates: [
        .init(type: "void", confidence: 0.94, reason: "type head", source: "model"),
        .init(type: "Promise<void>", confidence: 0.01, reason: "type head", source: "model"),
      ])
    #expect(TypeHoles.gate([planted], in: t, all: false).isEmpty)
  }
}

@Suite struct RelativeImportTests {
  @Test func importedValuesAndBareImportedGenericsAreRefused() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-imports-\(getpid())")
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("lib"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try """
    export class Query<T> { value?: T }
    export function makeScope() { return 1 }
    export interface Options { retry: number }
    export const helper = 1;
    export { Other } from './other';
    const Merged = 1;
    type Merged = number;
    export { Merged };

    """.write(to: dir.appendingPathComponent("query.ts"), atomically: true, encoding: .utf8)
    try "export default class Widget {}\nexport type Id = string;\n".write(
      to: dir.appendingPathComponent("lib/index.ts"), atomically: true, encoding: .utf8)
    let source = """
      import { Query, makeScope, Options, helper as help, Other, Merged } from './query';
      import { Id } from './lib';
      import { X } from './nowhere';

      """
    let t = try tree(source)
    let names = TypeNames(tree: t, path: dir.appendingPathComponent("main.ts").path)
    for bad in ["Query", "makeScope", "help", "Query | undefined"] {
      #expect(names.problem(with: bad, at: 0) != nil, "\(bad)")
    }
    for ok in ["Query<number>", "Options", "Other", "X", "Id", "Merged", "Promise<Query<string>>"] {
      #expect(names.problem(with: ok, at: 0) == nil, "\(ok)")
    }
    // Without the file's path the imports are taken on trust (the checker catches the rest).
    let trusting = TypeNames(tree: t)
    #expect(trusting.problem(with: "Query", at: 0) == nil && trusting.problem(with: "makeScope", at: 0) == nil)
  }

  @Test func aBareGenericOfTheProjectIsAppliedToTheSameNamedTypeParameters() throws {
    // css-select's `InternalOptions<Node, ElementNode>`: the module declares the parameters, the site binds the same.
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("codeintel-relgen-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try "export interface Options<Node, ElementNode extends Node> { adapter: Node; root?: ElementNode }\n"
      .write(to: dir.appendingPathComponent("types.ts"), atomically: true, encoding: .utf8)
    let source = """
      import type { Options } from "./types.js";
      export function compile<Node, ElementNode extends Node>(options) { return options; }
      export function other<T>(options) { return options; }

      """
    let t = try tree(source)
    let names = TypeNames(tree: t, path: dir.appendingPathComponent("main.ts").path)
    let bytes = Array(source.utf8)
    let inCompile = try #require(bytes.firstIndex(of: UInt8(ascii: "("))) + 1
    let inOther = bytes.count - 30
    #expect(names.applied("Options", at: inCompile) == "Options<Node, ElementNode>")
    #expect(names.applied("Options", at: inOther) == nil, "T is not Node and ElementNode")
    #expect(names.applied("Options<Node, ElementNode>", at: inCompile) == nil)
    let vetted = names.vet(.init(type: "Options", confidence: 0.7, reason: "model"), at: inCompile)
    #expect(vetted?.type == "Options<Node, ElementNode>" && vetted?.confidence == 0.7)
    // Elsewhere the bare generic is refused, as before.
    #expect(names.vet(.init(type: "Options", confidence: 0.7, reason: "model"), at: inOther) == nil)
    // Without the module the name is taken on trust and never applied.
    #expect(TypeNames(tree: t).applied("Options", at: inCompile) == nil)
  }
}
