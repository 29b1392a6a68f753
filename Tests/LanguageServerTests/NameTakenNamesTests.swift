import Foundation
import Heads
import Syntax
import Testing

/// A name another declaration of the same scope already has is never suggested (session 16): renaming to it would
/// clash, and with the file's place as input the head tends to copy the file's name onto every function in it.
@Suite struct NameTakenNamesTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static func units(_ source: String, _ language: Language = .typescript) throws -> (Tree, [FunctionUnit]) {
    let tree = try Parser(language: language).parse(source)
    return (tree, extractUnits(from: tree))
  }

  @Test("a module's functions, classes, variables and imports are taken; names inside other functions are not")
  func moduleScope() throws {
    let (tree, units) = try Self.units(
      """
      import def, { helper as aliasHelper, Thing } from './x';
      import * as ns from 'y';
      const value = 1, other = () => 2;
      class Widget {}
      function App() { function inner() { return 1; } return inner(); }
      export function Id() { const local = 3; return local; }
      export const make = () => 3;
      """)
    let id = try #require(units.first { $0.name == "Id" })
    let taken = NameAnalysis.takenNames(besides: id, in: tree)
    #expect(taken == ["def", "aliasHelper", "Thing", "ns", "value", "other", "Widget", "App", "make"])
    let other = try #require(units.first { $0.name == "other" })
    #expect(NameAnalysis.takenNames(besides: other, in: tree).isSuperset(of: ["value", "App", "Id", "make"]))
    #expect(!NameAnalysis.takenNames(besides: other, in: tree).contains("other"))
    // a nested function's scope is its enclosing function's body
    let inner = try #require(units.first { $0.name == "inner" })
    #expect(NameAnalysis.takenNames(besides: inner, in: tree).isEmpty)
  }

  @Test("a class member's taken names are its own class's other members; an object member's, its literal's other keys")
  func memberScopes() throws {
    let (tree, units) = try Self.units(
      """
      class A { range() { return 1; } get size() { return 2; } set size(v) { this.s = v; } other() { return 3; } }
      class B { range() { return 4; } }
      const o = { first() { return 1; }, second: function () { return 2; }, value };
      """)
    let aOther = try #require(units.first { $0.name == "other" })
    #expect(NameAnalysis.takenNames(besides: aOther, in: tree) == ["range", "size"])
    let bRange = try #require(units.last { $0.name == "range" })
    #expect(NameAnalysis.takenNames(besides: bRange, in: tree).isEmpty)
    // a getter and its setter share a name: the name is the function's own, not taken
    let setter = try #require(units.last { $0.name == "size" })
    #expect(!NameAnalysis.takenNames(besides: setter, in: tree).contains("size"))
    let first = try #require(units.first { $0.name == "first" })
    #expect(NameAnalysis.takenNames(besides: first, in: tree) == ["second", "value"])
  }

  @Test("the shipped head's copy of the file's name is not shown where a function of the file has that name")
  func fileNameNotCopiedOntoAnotherComponent() throws {
    let shipped = try NameHead.load(
      directory: Self.repository.appendingPathComponent("Models/contracode-hybrid-small/names").path)
    // The shipped head's weights at a display level of 0.3: since session 19 the copy below comes at about 0.55, under
    // the shipped level, but the rule must hold whatever level lets a taken name through.
    var display = try #require(shipped.display)
    display.minProbability = 0.3
    let head = NameHead(
      directory: shipped.directory, info: shipped.info, tokenizer: shipped.tokenizer, encoder: shipped.encoder,
      decoder: shipped.decoder, vocabulary: shipped.vocabulary, display: display)
    let counter = """
      import { useState } from 'react'

      function Counter() {
        const [count, setCount] = useState(0)
        const label = `clicked ${count} times`
        return <button onClick={() => setCount(count + 1)}>{label}</button>
      }

      """
    let app = """
      export default function App() {
        const [open, setOpen] = useState(false)
        return (
          <main>
            <h1>Demo</h1>
            {open && <Counter />}
          </main>
        )
      }
      """
    let path = "/work/demo/src/App.tsx"
    func suggestions(_ source: String) throws -> NameReport {
      let (tree, units) = try Self.units(source, .tsx)
      let unit = try #require(units.first { $0.name == "Counter" })
      return try #require(NameAnalysis.analyze(tree: tree, units: [unit], head: head, path: path, top: 5).first)
    }
    // Alone in App.tsx, the head reads `Counter` as `App` (at 0.78 when this was written with session 15's head)…
    let alone = try suggestions(counter)
    #expect(alone.suggestions.map(\.name).contains("App"))
    // …but beside `function App` that name is taken: not shown, counted as hidden.
    let beside = try suggestions(counter + app)
    #expect(!beside.suggestions.map(\.name).contains("App"))
    #expect(beside.hidden > alone.hidden)
  }
}
