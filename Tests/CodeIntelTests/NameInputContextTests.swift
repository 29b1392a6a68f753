import Corpus
import Foundation
import Heads
import Syntax
import Testing

@Suite("The file's place as a name head's input (--context path)")
struct NameInputContextTests {
  @Test("the last two folders and the file name without its extension, whatever comes before")
  func placeWords() {
    #expect(NameInputContext.placeWords("packages/x/src/core/logger/format.ts") == "core/logger/format")
    // the dataset's package-relative path and the editor's absolute one agree
    #expect(
      NameInputContext.placeWords("/home/me/repo/packages/x/src/core/logger/format.ts")
        == NameInputContext.placeWords("src/core/logger/format.ts"))
    #expect(NameInputContext.placeWords("lib/date.test.js") == "lib/date.test")
    #expect(NameInputContext.placeWords("index.js") == "index")
    #expect(NameInputContext.placeWords(".eslintrc") == ".eslintrc")
    #expect(NameInputContext.placeWords("") == "")
    // nothing that would end or escape the string literal it is written into
    #expect(NameInputContext.placeWords("a/we\"ird\\na\u{2028}me.js") == "a/weirdname")
  }

  @Test("written before the function as a string, so the copy mechanism can take its words")
  func applied() {
    let record = MethodNameRecord(
      package: "p", path: "src/user/service.ts", name: "getUser", target: ["get", "user"],
      input: "function METHOD_NAME(id) {\n  const row = db.find(id);\n  return row;\n}")
    let text = record.modelInput(context: .path)
    #expect(text == "\"src/user/service\";\n" + record.input)
    #expect(record.modelInput(context: nil) == record.input)
    #expect(record.withContext(.path).input == text && record.withContext(nil) == record)
    // its words are copyable like a string's in the body; the body alone has no `user`
    #expect(BodySubtokens.of(text).contains("user") && !BodySubtokens.of(record.input).contains("user"))
    // a file with no place words leaves the input alone
    #expect(NameInputContext.path.apply(to: "x", path: "") == "x")
  }

  @Test("path+siblings: the file's other names, nearest first, from the whole split")
  func siblings() throws {
    func r(_ path: String, _ name: String, _ start: Int) -> MethodNameRecord {
      MethodNameRecord(
        package: "p", path: path, name: name, target: [name.lowercased()], input: "function METHOD_NAME() {}",
        startByte: start)
    }
    let records = [
      r("a.js", "setView", 100), r("a.js", "setZoom", 400), r("a.js", "zoomIn", 250), r("b.js", "other", 120),
      r("a.js", "setView", 900), r("a.js", "$near", 40),
    ]
    let with = MethodNameRecord.withSiblings(records)
    // nearest by start first; its own name (even a second function of that name) and other files left out
    #expect(with[0].siblings == ["$near", "zoomIn", "setZoom"])
    #expect(with[3].siblings == [])
    let text = with[0].modelInput(context: .pathAndSiblings)
    #expect(text == "\"a\";\n[$near, zoomIn, setZoom];\n" + records[0].input)
    // no siblings: the place only, as `path` writes it
    #expect(with[3].modelInput(context: .pathAndSiblings) == records[3].modelInput(context: .path))
    // a name that is not an identifier is not written; at most maxSiblings
    #expect(NameInputContext.pathAndSiblings.apply(to: "x", path: "a.js", siblings: ["ok", "not-one", "1x"]) == "\"a\";\n[ok];\nx")
    let many = (0..<20).map { r("c.js", "f\($0)", $0 * 10) }
    #expect(MethodNameRecord.withSiblings(many)[0].siblings?.count == MethodNameRecord.maxSiblings)
    // the dataset's start_byte is read, and siblings never come from a line
    let line = #"{"package":"p","path":"a.js","name":"f","target":["f"],"input":"x","start_byte":12}"#
    let decoded = try JSONDecoder().decode(MethodNameRecord.self, from: Data(line.utf8))
    #expect(decoded.startByte == 12 && decoded.siblings == nil)
  }

  @Test("taken names: a name another function of the same file holds, as the display fit leaves it out")
  func takenNames() throws {
    func r(_ pkg: String, _ path: String, _ target: [String]) -> MethodNameRecord {
      MethodNameRecord(
        package: pkg, path: path, name: target.joined(), target: target, input: "function METHOD_NAME() {}")
    }
    let records = [
      r("p", "a.js", ["set", "View"]), r("p", "a.js", ["zoom", "in"]), r("p", "b.js", ["reset"]),
      r("q", "a.js", ["reset"]), r("p", "a.js", ["set", "view"]),
    ]
    let with = MethodNameRecord.withTakenNames(records)
    // another function's name is taken, whatever the case of its subtokens; its own never (an overload keeps it)
    #expect(with[0].nameIsTaken(["zoom", "In"]))
    #expect(!with[0].nameIsTaken(["set", "view"]) && !with[4].nameIsTaken(["set", "View"]))
    #expect(with[1].nameIsTaken(["set", "view"]))
    // other files, and the same path in another package, hold nothing for it
    #expect(!with[1].nameIsTaken(["reset"]) && with[2].takenNames == [] && with[3].takenNames == [])
    // a part of a name is not the name
    #expect(!with[1].nameIsTaken(["set"]))
    // never read from a line, so a record nobody set it on takes nothing
    #expect(records[1].takenNames == nil && !records[1].nameIsTaken(["set", "view"]))
  }

  @Test("the product lists a function's siblings as the dataset does: kept functions of the file, nearest first")
  func productSiblings() throws {
    let source = """
      function setView(a) { const b = a + 1; return b; }
      function tiny(a) { return a; }
      function setZoom(z) { const y = z * 2; return y; }
      function zoomIn(d) { const e = d; return setZoom(e); }

      """
    let tree = try Parser(language: .javascript).parse(bytes: Array(source.utf8))
    let units = extractUnits(from: tree)
    let zoomIn = try #require(units.first { $0.name == "zoomIn" })
    // `tiny` has one statement, so the dataset would not keep it; the nearest kept one comes first
    let functions = NameAnalysis.siblingCandidates(units, in: tree)
    #expect(NameAnalysis.siblingNames(of: zoomIn, among: functions) == ["setZoom", "setView"])
  }
}
