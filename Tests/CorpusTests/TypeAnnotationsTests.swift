import Syntax
import Testing

@testable import Corpus

@Suite struct TypeAnnotationsTests {
  func deannotate(_ source: String, _ language: Language = .typescript) throws -> (DeannotatedFile, String) {
    let tree = try Parser(language: language).parse(source)
    #expect(!tree.hasError)
    let file = try TypeAnnotations.deannotate(tree)
    let text = String(decoding: file.text, as: UTF8.self)
    #expect(try !Parser(language: language).parse(bytes: file.text).hasError, "de-annotated text must parse: \(text)")
    return (file, text)
  }

  @Test func parametersOfEveryShape() throws {
    let (file, text) = try deannotate(
      """
      function draw({ x, y }: Point, opts?: Partial<Options>, ...rest: Array<string | number>): void {}
      """)
    #expect(file.sites.map(\.kind) == [.parameter, .parameter, .parameter, .return])
    #expect(file.sites.map(\.label) == ["Point", "Partial<Options>", "Array<string | number>", "void"])
    #expect(file.sites.map(\.name) == ["{ x, y }", "opts", "...rest", "draw"])
    #expect(text == "function draw({ x, y }, opts?, ...rest) {}")
  }

  @Test func offsetsPointWhereTheAnnotationWent() throws {
    let source = "const add = (a: number, b = 2): number => a + b;\nlet total: number | undefined = add(1);\n"
    let (file, text) = try deannotate(source)
    #expect(file.sites.map(\.label) == ["number", "number", "number | undefined"])
    #expect(file.sites.map(\.kind) == [.parameter, .return, .variable])
    // Putting `: label` back at each offset (from the end) restores the original text.
    var restored = Array(text.utf8)
    for site in file.sites.reversed() { restored.insert(contentsOf: Array(": \(site.label)".utf8), at: site.offset) }
    #expect(String(decoding: restored, as: UTF8.self) == source)
  }

  @Test func classMembersGenericsAndUnions() throws {
    let (file, text) = try deannotate(
      """
      class Store<T> {
        private items: Map<string,
          T[]> = new Map();
        ready!: boolean;
        static count?: number;
        get size(): number { return this.items.size; }
        constructor(private readonly name: string) {}
      }
      """)
    #expect(file.sites.map(\.kind) == [.property, .property, .property, .return, .parameter])
    #expect(file.sites.map(\.label) == ["Map<string, T[]>", "boolean", "number", "number", "string"])
    #expect(text.contains("ready;"))
    #expect(text.contains("static count?;"))
    #expect(text.contains("class Store<T>"))  // type parameters are not annotation sites
  }

  @Test func annotationsInsideTypesAreNotSites() throws {
    let (file, text) = try deannotate(
      """
      type Handler = (event: Event) => void;
      interface Props { onClick(e: MouseEvent): void; label: string }
      let h: (e: Event) => boolean = () => true;
      const x = y as { id: number };
      """)
    #expect(file.sites.map(\.label) == ["(e: Event) => boolean"])
    #expect(text.contains("type Handler = (event: Event) => void;"))
    #expect(file.sites.allSatisfy { !$0.isAny })
  }

  @Test func anyIsFlaggedAndTSXWorks() throws {
    let (file, _) = try deannotate(
      """
      function View(props: any): JSX.Element { return <div>{props.title}</div>; }
      """, .tsx)
    #expect(file.sites.map(\.isAny) == [true, false])
  }
}
