import Corpus
import Heads
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
}
