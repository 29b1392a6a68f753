import Augment
import Syntax
import Testing

/// Issue 19: the editor's "Rename function to …" must not leave a caller behind. `FileLocalRename` renames only
/// what one file fully owns and refuses the rest.
@Suite struct FileLocalRenameTests {
  /// The renamed text, or nil when the rename is refused. The function is the first declaration of `name`.
  func rename(_ source: String, _ name: String, to newName: String, language: Language = .typescript) throws
    -> String?
  {
    let tree = try Parser(language: language).parse(source)
    let analysis = ScopeAnalysis(tree: tree)
    let binding = try #require(analysis.bindings.first { $0.name == name && $0.kind != .parameter })
    guard let edits = FileLocalRename.edits(of: name, declaredAt: binding.declarationRange, to: newName, in: tree)
    else { return nil }
    var bytes = Array(source.utf8)
    for e in edits.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
      bytes.replaceSubrange(e.range, with: Array(e.text.utf8))
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  @Test func aModuleOwnsItsUnexportedFunctions() throws {
    let source = "import { log } from './log'\nfunction isValid(d) { return !!d }\nlog(isValid(1), { isValid })\n"
    #expect(
      try rename(source, "isValid", to: "isPresent")
        == "import { log } from './log'\nfunction isPresent(d) { return !!d }\nlog(isPresent(1), { isValid: isPresent })\n")
    // CommonJS counts as a module too: its exports are property keys, which keep their name
    let cjs = "function isValid(d) { return !!d }\nmodule.exports = { isValid }\n"
    #expect(
      try rename(cjs, "isValid", to: "isPresent", language: .javascript)
        == "function isPresent(d) { return !!d }\nmodule.exports = { isValid: isPresent }\n")
    // a nested function is local wherever it is
    let nested = "function outer() { const pick = (x) => x[0]; return pick([1]) }\n"
    #expect(
      try rename(nested, "pick", to: "first", language: .javascript)
        == "function outer() { const first = (x) => x[0]; return first([1]) }\n")
  }

  @Test func refusesWhatOtherCodeCanName() throws {
    // exported: other modules import it by this name
    #expect(try rename("export function isValid(d) { return !!d }\n", "isValid", to: "isPresent") == nil)
    #expect(
      try rename("function isValid(d) { return !!d }\nexport { isValid }\n", "isValid", to: "isPresent") == nil)
    // a script's top-level function is a global other scripts may call
    #expect(try rename("function isValid(d) { return !!d }\nisValid(1)\n", "isValid", to: "isPresent") == nil)
    // `typeof isValid` in a type: renamed with the rest, or refused; never left behind
    let typed = try rename(
      "import { x } from './x'\nfunction isValid(d: number) { return !!d }\ntype Check = typeof isValid\n",
      "isValid", to: "isPresent")
    #expect(
      typed == nil
        || typed == "import { x } from './x'\nfunction isPresent(d: number) { return !!d }\ntype Check = typeof isPresent\n")
    // an `eval` can see the name
    #expect(
      try rename(
        "import { x } from './x'\nfunction run(code) { function isValid(d) { return !!d } return eval(code) }\n",
        "isValid", to: "isPresent", language: .javascript) == nil)
  }

  @Test func refusesNamesThatAreNotNew() throws {
    let source = "import { x } from './x'\nfunction isValid(d) { return !!d }\nconst isPresent = 1\nisValid(isPresent)\n"
    #expect(try rename(source, "isValid", to: "isPresent") == nil)
    #expect(try rename(source, "isValid", to: "delete") == nil)
    #expect(try rename(source, "isValid", to: "is-valid") == nil)
    #expect(try rename(source, "isValid", to: "isValid") == nil)
    // a JSX tag must stay capitalised
    let jsx = "import { x } from './x'\nfunction Card() { return <div /> }\nexport const page = <Card />\n"
    #expect(try rename(jsx, "Card", to: "panel", language: .tsx) == nil)
    #expect(
      try rename(jsx, "Card", to: "Panel", language: .tsx)
        == "import { x } from './x'\nfunction Panel() { return <div /> }\nexport const page = <Panel />\n")
  }

  /// A `#private` member is scoped to its class body: every `#name` there is renamed, and nothing outside can
  /// name it. Refused when a nested class declares its own `#name` or the class already has the new name.
  @Test func privateMembersAreRenamedInTheirClassBody() throws {
    func renamePrivate(_ source: String, _ name: String, to newName: String) throws -> String? {
      let tree = try Parser(language: .typescript).parse(source)
      var declaration: Range<Int>?
      tree.root.walk { n in
        if declaration == nil, n.type == "private_property_identifier", n.text == name { declaration = n.byteRange }
        return declaration == nil
      }
      guard let d = declaration,
        let edits = FileLocalRename.privateMemberEdits(of: name, declaredAt: d, to: newName, in: tree)
      else { return nil }
      var bytes = Array(source.utf8)
      for e in edits.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
        bytes.replaceSubrange(e.range, with: Array(e.text.utf8))
      }
      return String(decoding: bytes, as: UTF8.self)
    }
    let source = "class A {\n  #check(x) { return !!x }\n  run(y) { return this.#check(y) && other.#check(y) }\n}\n"
    #expect(
      try renamePrivate(source, "#check", to: "#isValid")
        == "class A {\n  #isValid(x) { return !!x }\n  run(y) { return this.#isValid(y) && other.#isValid(y) }\n}\n")
    #expect(try renamePrivate(source, "#check", to: "isValid") == nil)
    let taken = "class A {\n  #check(x) { return !!x }\n  #isValid = 1\n}\n"
    #expect(try renamePrivate(taken, "#check", to: "#isValid") == nil)
    let nested = "class A {\n  #check(x) { return !!x }\n  make() { return class B { #check() { return 1 } } }\n}\n"
    #expect(try renamePrivate(nested, "#check", to: "#isValid") == nil)
  }
}
