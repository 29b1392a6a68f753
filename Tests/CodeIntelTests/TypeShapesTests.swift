import Foundation
import Syntax
import Testing

@testable import Heads

@Suite("Site shapes: the code's outer structure, the head's inner type (generate-then-rank)")
struct TypeShapesTests {
  /// The byte offset just after the first occurrence of `needle` in `text`.
  func offset(after needle: String, in text: String) -> Int {
    let bytes = Array(text.utf8)
    let n = Array(needle.utf8)
    let i = (0...(bytes.count - n.count)).first { Array(bytes[$0..<($0 + n.count)]) == n }!
    return i + n.count
  }

  func shapes(_ text: String) throws -> TypeShapes.FileShapes {
    TypeShapes.shapes(in: try Parser(language: .typescript).parse(text))
  }

  @Test("an async function's return: every candidate becomes Promise<…>, merged when two become one")
  func asyncReturn() throws {
    let text = "async function load(id) { const r = await fetch(id); return r.user; }\n"
    let s = try shapes(text)
    let anchor = offset(after: "load(id)", in: text)
    #expect(s.shape(anchor: anchor, kind: "return") == .promise)
    let shaped = s.shaped(
      [("User", 0.5), ("Promise<User>", 0.2), ("void", 0.1)], anchor: anchor, kind: "return")
    #expect(shaped.map(\.type) == ["Promise<User>", "Promise<void>"])
    #expect(abs(shaped[0].probability - 0.7) < 1e-6)
    // A plain function has no shape: the list is left as it was.
    let plain = "function load(id) { return id; }\n"
    #expect(try shapes(plain).shape(anchor: offset(after: "load(id)", in: plain), kind: "return") == nil)
  }

  @Test("returns of a value and of nothing: … | undefined; of a value and null: … | null; async wraps them")
  func nullableReturns() throws {
    let text = """
      function find(xs, k) { for (const x of xs) { if (x.k === k) return x; } return; }
      function get(m, k) { if (!m.has(k)) return null; return m.get(k); }
      async function first(xs) { if (xs.length === 0) return undefined; return xs[0]; }
      function both(a) { if (a) return null; if (a === 0) return; return a; }

      """
    let s = try shapes(text)
    let find = offset(after: "find(xs, k)", in: text)
    #expect(s.shape(anchor: find, kind: "return") == .orUndefined)
    #expect(s.shaped([("Node", 0.6), ("void", 0.3)], anchor: find, kind: "return").map(\.type) == ["Node|undefined"])
    let get = offset(after: "get(m, k)", in: text)
    #expect(s.shape(anchor: get, kind: "return") == .orNull)
    #expect(
      s.shaped([("string|null", 0.4), ("string", 0.3)], anchor: get, kind: "return").map(\.type) == ["string|null"])
    let first = offset(after: "first(xs)", in: text)
    #expect(s.shape(anchor: first, kind: "return") == .promiseOf(.orUndefined))
    #expect(s.shaped([("T", 0.6)], anchor: first, kind: "return").map(\.type) == ["Promise<T|undefined>"])
    // Both null and nothing: no shape is sure.
    #expect(s.shape(anchor: offset(after: "both(a)", in: text), kind: "return") == nil)
  }

  @Test("returns that say 'maybe nothing' in their own syntax: e || null, a?.b, xs.find((x) => …) (session 21)")
  func nullishReturnExpressions() throws {
    let text = """
      function getParent(elem: Node) { return elem.parent || null; }
      function orNull(m: Map<string, Node>, k: string) { return m.get(k) ?? null; }
      function attr(elem: Element, name: string) { return elem.attribs?.[name]; }
      function size(a: Box) { return a?.inner.size; }
      function call(f: Handler) { return f.run?.(); }
      function pick(xs: Item[], id: string) { return xs.find((x) => x.id === id); }
      function mixed(xs: Item[], a: boolean) { if (a) return null; return xs.find((x) => x.ok); }
      function plain(a: Box) { return a.inner.size || 0; }
      function chained(a: Box) { return (a?.inner).size; }
      function query(el: Cheerio, sel: string) { return el.find(sel); }
      function named(xs: Item[], test: Test) { return xs.find(test); }
      function legacy(xs: Item[]) { return xs.findLast(function (x) { return x.ok; }); }

      """
    let s = try shapes(text)
    func shape(_ f: String) -> TypeShapes.Shape? { s.shape(anchor: offset(after: f, in: text), kind: "return") }
    #expect(shape("getParent(elem: Node)") == .orNull)
    #expect(shape("orNull(m: Map<string, Node>, k: string)") == .orNull)
    #expect(shape("attr(elem: Element, name: string)") == .orUndefined)
    #expect(shape("size(a: Box)") == .orUndefined)
    #expect(shape("call(f: Handler)") == .orUndefined)
    #expect(shape("pick(xs: Item[], id: string)") == .orUndefined)
    // `null` on one path and `undefined` from `find` on the other: no shape is sure.
    #expect(shape("mixed(xs: Item[], a: boolean)") == nil)
    // `|| 0` is a default, not nothing; a parenthesised chain ends the short-circuit.
    #expect(shape("plain(a: Box)") == nil)
    #expect(shape("chained(a: Box)") == nil)
    // Only an array's `find(predicate)` with the predicate written in place: jQuery's and cheerio's `find(selector)`,
    // mongoose's `find(filter)` return objects, and a name may be either.
    #expect(shape("query(el: Cheerio, sel: string)") == nil)
    #expect(shape("named(xs: Item[], test: Test)") == nil)
    #expect(shape("legacy(xs: Item[])") == .orUndefined)
  }

  @Test("a union shape does not stack a member a function-typed union already has")
  func unionOfFunctionType() {
    // The `>` of `=>` once counted as a closing bracket, so `(() => void) | null` read as one member and the
    // `| null` shape made `(()=>void)|null|null` (6 system lists on github-valid, session 11).
    #expect(TypeShapes.topLevelMembers("(()=>void)|null") == ["(()=>void)", "null"])
    #expect(TypeShapes.Shape.orNull.apply("(() => void) | null") == "(()=>void)|null")
    #expect(
      TypeShapes.Shape.orUndefined.apply("Map<string,(x:T)=>void>|undefined") == "Map<string,(x:T)=>void>|undefined")
    // A bare function type is one member (its `|` belongs to the return type) and takes parentheses in a union:
    // `()=>void|null` would be a function returning `void | null`.
    #expect(TypeShapes.topLevelMembers("(a:number)=>string|undefined") == ["(a:number)=>string|undefined"])
    #expect(TypeShapes.Shape.orNull.apply("() => void") == "(()=>void)|null")
    #expect(
      TypeShapes.Shape.orUndefined.apply("(a:number)=>string|undefined") == "((a:number)=>string|undefined)|undefined")
    #expect(TypeShapes.Shape.orNull.apply("string | undefined") == "string|undefined|null")
  }

  @Test("arrays from `[]` and array-making calls; `new Map()` keeps only Map<…>")
  func initialisers() throws {
    let text = """
      const found = [];
      const names = items.map((i) => i.name);
      const keys = Object.keys(table);
      const one = [1];
      const byId = new Map();
      const typed = new Map<string, Node>();

      """
    let s = try shapes(text)
    let found = offset(after: "const found", in: text)
    #expect(s.shape(anchor: found, kind: "variable") == .array)
    #expect(
      s.shaped(
        [("Node", 0.5), ("string|number", 0.3), ("Node[]", 0.1), ("void", 0.1)], anchor: found, kind: "variable"
      )
      .map(\.type) == ["Node[]", "(string|number)[]"])
    #expect(s.shape(anchor: offset(after: "const names", in: text), kind: "variable") == .array)
    #expect(s.shape(anchor: offset(after: "const keys", in: text), kind: "variable") == .array)
    // A non-empty literal is the evidence's (`TypeEvidence`), not a shape.
    #expect(s.shape(anchor: offset(after: "const one", in: text), kind: "variable") == nil)
    let byId = offset(after: "const byId", in: text)
    #expect(s.shape(anchor: byId, kind: "variable") == .generic("Map"))
    #expect(
      s.shaped([("Node", 0.5), ("Map<string,Node>", 0.2)], anchor: byId, kind: "variable").map(\.type)
        == ["Map<string,Node>"])
    #expect(s.shape(anchor: offset(after: "const typed", in: text), kind: "variable") == nil)
  }

  @Test("a function whose every return is an array the code makes returns …[]; a literal row may be a tuple")
  func arrayReturns() throws {
    let text = """
      function names(xs) { if (!xs) return []; return xs.map((x) => x.name); }
      function collect(root) { const out = []; walk(root, (n) => out.push(n)); return out; }
      function pair(a, b) { return [a, b]; }
      function maybe(xs) { if (!xs) return; return xs.filter(Boolean); }
      function other(xs) { const out = []; if (xs) return xs; return out; }
      function shadowed(xs) { let out = []; { let out = xs.first; } return out; }
      async function load(ids) { const rows = await Promise.all(ids.map(get)); return Object.keys(rows); }

      """
    let s = try shapes(text)
    let names = offset(after: "names(xs)", in: text)
    #expect(s.shape(anchor: names, kind: "return") == .array)
    #expect(
      s.shaped([("string", 0.5), ("void", 0.3), ("string[]", 0.2)], anchor: names, kind: "return").map(\.type)
        == ["string[]"])
    #expect(s.shape(anchor: offset(after: "collect(root)", in: text), kind: "return") == .array)
    // `[a, b]` is as likely a tuple; a return of nothing beside the array stays `… | undefined`'s rule.
    #expect(s.shape(anchor: offset(after: "pair(a, b)", in: text), kind: "return") == nil)
    #expect(s.shape(anchor: offset(after: "maybe(xs)", in: text), kind: "return") == .orUndefined)
    // A parameter returned as it came, or a name declared twice, says nothing.
    #expect(s.shape(anchor: offset(after: "other(xs)", in: text), kind: "return") == nil)
    #expect(s.shape(anchor: offset(after: "shadowed(xs)", in: text), kind: "return") == nil)
    #expect(s.shape(anchor: offset(after: "load(ids)", in: text), kind: "return") == .promiseOf(.array))
  }

  @Test("class properties and variables initialised with null, undefined or []")
  func properties() throws {
    let text = """
      class Tree {
        parent = null;
        private children? = [];
        cached = undefined;
        size = 0;
      }
      let current = null;

      """
    let s = try shapes(text)
    #expect(s.shape(anchor: offset(after: "parent", in: text), kind: "property") == .orNull)
    #expect(s.shape(anchor: offset(after: "children?", in: text), kind: "property") == .array)
    #expect(s.shape(anchor: offset(after: "cached", in: text), kind: "property") == .orUndefined)
    #expect(s.shape(anchor: offset(after: "size", in: text), kind: "property") == nil)
    let current = offset(after: "let current", in: text)
    #expect(s.shape(anchor: current, kind: "variable") == .orNull)
    #expect(s.shaped([("Tree", 0.5), ("null", 0.3)], anchor: current, kind: "variable").map(\.type) == ["Tree|null"])
  }

  @Test("a bare generic the file only writes with type arguments becomes its most written application")
  func bareGenerics() throws {
    let text = """
      import { Options, Adapter } from "./types";
      function a(o: Options<Node, Element>) {}
      function b(o: Options<Node, Element>, d: Adapter) {}
      function c(o: Options<string, Element>, d: Adapter<Node>) {}
      function go(options) {}

      """
    let s = try shapes(text)
    #expect(s.applications["Options"] == "Options<Node,Element>")
    // `Adapter` is also written bare: it stays as it is.
    #expect(s.applications["Adapter"] == nil)
    let site = offset(after: "go(options", in: text)
    let shaped = s.shaped([("Options", 0.4), ("Adapter", 0.3)], anchor: site, kind: "parameter")
    #expect(shaped.map(\.type) == ["Options<Node,Element>", "Adapter"])
    let prior = s.shaped(
      [TypeNamePrior.Candidate(type: "Options", confidence: 0.8, reason: "`options` in train")], anchor: site,
      kind: "parameter")
    #expect(prior.map(\.type) == ["Options<Node,Element>"])
  }

  @Test("a bare imported generic the train labels apply becomes applications to the file's types nearest the site")
  func importedGenerics() throws {
    let text = """
      import { ComponentFixture, TestBed } from "@angular/core/testing";
      import { Observable, Subject } from "rxjs";
      import { ElementRef } from "@angular/core";
      import { Option } from "./option";
      class FirstApp {}
      class SecondApp {}
      function first() {
        let fixture;
        fixture = TestBed.createComponent(FirstApp);
      }
      function second() {
        let fixture;
        fixture = TestBed.createComponent(SecondApp);
      }
      function stream(s: Subject<number>, e) {}

      """
    let generics: [String: TypeNamePrior.GenericUse] = [
      "ComponentFixture": .init(arity: 1, applied: 24, bare: 0, packages: 3),
      "Observable": .init(arity: 1, applied: 524, bare: 7, packages: 9),
      "ElementRef": .init(arity: 1, applied: 8, bare: 3, packages: 2, application: "ElementRef<HTMLElement>"),
      // The file writes `Subject<number>`: the file's own application rule handles it.
      "Subject": .init(arity: 1, applied: 40, bare: 1, packages: 4),
    ]
    let s = TypeShapes.shapes(in: try Parser(language: .typescript).parse(text), generics: generics)
    #expect(Set(s.imported.keys) == ["ComponentFixture", "Observable", "ElementRef"])
    // Argument names: declared types and imported types never used as a value (`TestBed.…` is one).
    #expect(s.arguments.map(\.name) == ["FirstApp", "SecondApp", "Option"])
    let firstSite = offset(after: "first() {\n  let fixture", in: text)
    let secondSite = offset(after: "second() {\n  let fixture", in: text)
    // The first application takes the bare name's place and probability, the next ones half, a quarter.
    let shaped = s.shaped([("ComponentFixture", 0.6), ("string", 0.2)], anchor: firstSite, kind: "variable")
    #expect(
      shaped.map(\.type) == [
        "ComponentFixture<FirstApp>", "ComponentFixture<SecondApp>", "string", "ComponentFixture<Option>",
      ])
    #expect(abs(shaped[0].probability - 0.6) < 1e-6 && abs(shaped[1].probability - 0.3) < 1e-6)
    #expect(s.expansions(of: "ComponentFixture", anchor: secondSite)?.first == "ComponentFixture<SecondApp>")
    // A lib application from the train labels goes first.
    #expect(
      s.expansions(of: "ElementRef", anchor: firstSite) == [
        "ElementRef<HTMLElement>", "ElementRef<FirstApp>", "ElementRef<SecondApp>",
      ])
    // The name prior's candidates the same way (confidences scaled).
    let prior = s.shaped(
      [TypeNamePrior.Candidate(type: "Observable", confidence: 0.8, reason: "r")], anchor: secondSite, kind: "parameter")
    #expect(prior.map(\.type) == ["Observable<SecondApp>", "Observable<FirstApp>", "Observable<Option>"])
    #expect(prior.map(\.confidence) == [0.8, 0.4, 0.2])
    // Without the table nothing is expanded.
    #expect(try shapes(text).shaped([("ComponentFixture", 0.6)], anchor: firstSite, kind: "variable").map(\.type) == [
      "ComponentFixture"
    ])
  }

  @Test("an imported generic the file declares, applies, writes bare or imports from a relative module is not expanded")
  func importedGenericsLeftAlone() throws {
    let text = """
      import { Observable, Store, Query } from "rxjs";
      import { Parser } from "./parser";
      class Query {}
      class App {}
      function f(a: Store, b: Observable<App>, c) {}

      """
    let generics: [String: TypeNamePrior.GenericUse] = [
      "Observable": .init(arity: 1, applied: 524, bare: 7, packages: 9),
      "Store": .init(arity: 1, applied: 50, bare: 2, packages: 3),
      "Query": .init(arity: 1, applied: 50, bare: 2, packages: 3),
      // Imported from a relative module: the project's own `Parser`, whatever train says of another one.
      "Parser": .init(arity: 1, applied: 30, bare: 2, packages: 3),
    ]
    let s = TypeShapes.shapes(in: try Parser(language: .typescript).parse(text), generics: generics)
    #expect(s.imported.isEmpty)
  }

  @Test("union members at the top level only")
  func members() {
    #expect(TypeShapes.topLevelMembers("A|Map<string,B|undefined>") == ["A", "Map<string,B|undefined>"])
    #expect(TypeShapes.Shape.orUndefined.apply("A | undefined") == "A|undefined")
    #expect(TypeShapes.Shape.orUndefined.apply("Map<string,B|undefined>") == "Map<string,B|undefined>|undefined")
  }
}

@Suite("eval types --dump: one line per scored site")
struct TypeSiteDumpTests {
  @Test("label, head rank, system ranking; `any` sites left out")
  func lines() throws {
    let file = TypeEvaluation.File(
      package: "p", path: "a.ts", text: "let a = f(); let b = g();\n",
      sites: [
        .init(kind: "variable", name: "a", offset: 5, label: "Promise<User>"),
        .init(kind: "variable", name: "b", offset: 18, label: "any"),
      ])
    let system: [[[TypeCombination.Candidate]]] = [
      [
        [.init(type: "User", confidence: 0.6, source: .model, reason: "type head")], [],
      ]
    ]
    let data = TypeSiteDump.lines(
      files: [file], head: [[["User", "Promise<User>"], []]], system: system, reachable: [[true, false]], model: "m")
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
    #expect(lines.count == 1)
    let object = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
    #expect(object?["label"] as? String == "Promise<User>")
    #expect(object?["structured"] as? Bool == true)
    #expect(object?["reachable"] as? Bool == true)
    #expect(object?["headRank"] as? Int == 2)
    #expect(object?["system"] as? [String] == ["User"])
  }
}
