import Augment
import Syntax
import Testing

@Suite struct ReformatTests {
  private func fmt(_ s: String, _ style: Reformat.Style, _ language: Language = .javascript) throws -> String {
    try applying(Reformat(style: style), to: s, language: language)
  }

  @Test func minifyMakesASIExplicit() throws {
    let src = "let a = 1\nlet b = a\n;[a, b] = [b, a]\nconst f = () => {\n  return a + +b\n}\n"
    #expect(try fmt(src, .init(mode: .minify)) == "let a=1;let b=a;[a,b]=[b,a];const f=()=>{return a+ +b;};")
  }

  @Test func minifyKeepsTokensApart() throws {
    #expect(try fmt("x = a - -b; y = 1 .toString(); z = a / /re/g.lastIndex", .init(mode: .minify))
      == "x=a- -b;y=1 .toString();z=a/ /re/g.lastIndex;")
    #expect(try fmt("x = lt-- > gt; y = a < !b", .init(mode: .minify)) == "x=lt-- >gt;y=a< !b;")
  }

  @Test func minifyKeepsRestrictedNewlines() throws {
    #expect(try fmt("function f() {\n  return\n  42\n}", .init(mode: .minify)) == "function f(){return;42;}")
    #expect(try fmt("a\n++b", .init(mode: .minify)) == "a;\n++b;")
  }

  @Test func beautifyIndentsAndBraces() throws {
    let src = "function f(a){if(a){return 1}else{return 2}}"
    #expect(try fmt(src, .init(mode: .beautify)) ==
      "function f(a) {\n  if (a) {\n    return 1;\n  } else {\n    return 2;\n  }\n}")
    #expect(try fmt(src, .init(mode: .beautify, indent: .tab, braces: .nextLine)) ==
      "function f(a)\n{\n\tif (a)\n\t{\n\t\treturn 1;\n\t}\n\telse\n\t{\n\t\treturn 2;\n\t}\n}")
  }

  @Test func omitsSemicolonsOnlyWhereASIRestoresThem() throws {
    let src = "let a = 1;\n[a] = [2];\nlet b = a;\nfoo();\n"
    #expect(try fmt(src, .init(mode: .beautify, omitSemicolons: true)) == "let a = 1;\n[a] = [2]\nlet b = a\nfoo()")
  }

  @Test func requotesStrings() throws {
    #expect(try fmt("x = 'it\\'s' + \"say \\\"hi\\\"\";", .init(mode: .minify, quotes: .double))
      == "x=\"it's\"+\"say \\\"hi\\\"\";")
    #expect(try fmt("x = \"it's\";", .init(mode: .minify, quotes: .single)) == "x='it\\'s';")
  }

  @Test func keepsTemplatesRegexAndTypes() throws {
    #expect(try fmt("const t = `a  ${ b }  c`;", .init(mode: .minify)) == "const t=`a  ${ b }  c`;")
    #expect(try fmt("let x: Array<number> = [];\ninterface I {\n  a: string\n  b(): void\n}", .init(mode: .minify), .typescript)
      == "let x:Array<number> =[];interface I{a:string;b():void;}")
  }

  @Test func worksOnAWrappedMethod() throws {
    let v = try augment(source: "get total() {\n  return this.a + this.b\n}", language: .javascript, seed: 1,
      transforms: ["reformat"], count: 8)
    for variant in v { #expect(variant.text.hasPrefix("get total()"), "\(variant.text)") }
  }
}
