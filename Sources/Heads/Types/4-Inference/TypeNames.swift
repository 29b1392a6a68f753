import CodeIntel
import Foundation
import Syntax

/// The names a TypeScript file can use as types, and the check that a suggested type uses only those:
/// never a value as a type (error TS2749, `: This` from `new This()` where `This` is a variable, `: Proxy`),
/// never a name that is not there (TS2304), never a generic bare (TS2314, `: Query` for `Query<T>`), never a
/// confident `any`.
///
/// A name is a type in scope when the file declares it as a class, interface, type alias or enum, imports it
/// (the import may bring a value: the checker, `--check`, catches that), it is a type parameter of a
/// declaration around the site, or it is one of the global lib types in `globalTypes`. A qualified name
/// (`ts.Node`, `Color.Red`) needs its first part imported or declared as a namespace, module or enum.
public struct TypeNames {
  /// Global types of TypeScript's default libraries (ES2020 + DOM) that code commonly annotates with. Values
  /// that are not types (`Proxy`, `Reflect`, `Atomics`' namespace aside, `globalThis`) are deliberately
  /// absent: `const p: Proxy` is error TS2749.
  public static let globalTypes: Set<String> = [
    "Array", "ReadonlyArray", "Map", "ReadonlyMap", "Set", "ReadonlySet", "WeakMap", "WeakSet", "WeakRef",
    "Promise", "PromiseLike", "Date", "RegExp", "RegExpMatchArray", "RegExpExecArray", "Error", "TypeError",
    "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError", "Record", "Partial", "Required",
    "Readonly", "Pick", "Omit", "Exclude", "Extract", "NonNullable", "ReturnType", "Parameters", "InstanceType",
    "ConstructorParameters", "Awaited", "ThisType", "Uppercase", "Lowercase", "Capitalize", "Uncapitalize",
    "Iterable", "Iterator", "IterableIterator", "IteratorResult", "AsyncIterable", "AsyncIterator",
    "AsyncIterableIterator", "Generator", "AsyncGenerator", "ArrayLike", "ArrayBuffer", "SharedArrayBuffer",
    "DataView", "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
    "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array", "Function", "Object",
    "String", "Number", "Boolean", "Symbol", "BigInt", "JSON", "Math", "PropertyKey", "PropertyDescriptor",
    "TemplateStringsArray", "TypedPropertyDescriptor", "ProxyHandler",
    // DOM
    "Element", "HTMLElement", "HTMLInputElement", "HTMLCanvasElement", "HTMLDivElement", "HTMLAnchorElement",
    "HTMLImageElement", "HTMLButtonElement", "HTMLFormElement", "HTMLSelectElement", "HTMLTextAreaElement",
    "SVGElement", "Node", "NodeList", "NodeListOf", "Document", "DocumentFragment", "Window", "Event",
    "EventTarget", "MouseEvent", "KeyboardEvent", "FocusEvent", "InputEvent", "PointerEvent", "TouchEvent",
    "WheelEvent", "DragEvent", "CustomEvent", "ErrorEvent", "MessageEvent", "ProgressEvent", "Response",
    "Request", "RequestInit", "Headers", "URL", "URLSearchParams", "AbortController", "AbortSignal", "Blob",
    "File", "FileList", "FormData", "Storage", "WebSocket", "Worker", "CanvasRenderingContext2D", "DOMRect",
    "MutationObserver", "IntersectionObserver", "ResizeObserver", "XMLHttpRequest", "CSSStyleDeclaration",
    "ReadableStream", "WritableStream", "TextEncoder", "TextDecoder", "Console",
  ]

  /// Global namespaces whose members are types (`Intl.DateTimeFormat`).
  public static let globalNamespaces: Set<String> = ["Intl"]

  /// Global generic types that need type arguments in an annotation (no default for their first parameter).
  public static let genericGlobals: Set<String> = [
    "Array", "ReadonlyArray", "Map", "ReadonlyMap", "Set", "ReadonlySet", "WeakMap", "WeakSet", "WeakRef",
    "Promise", "PromiseLike", "Record", "Partial", "Required", "Readonly", "Pick", "Omit", "Exclude", "Extract",
    "NonNullable", "ReturnType", "Parameters", "InstanceType", "ConstructorParameters", "Awaited", "ThisType",
    "Uppercase", "Lowercase", "Capitalize", "Uncapitalize", "Iterable", "Iterator", "IterableIterator",
    "IteratorResult", "AsyncIterable", "AsyncIterator", "AsyncIterableIterator", "ArrayLike", "NodeListOf",
    "TypedPropertyDescriptor", "ProxyHandler",
  ]

  /// The most confidence a candidate that contains `any` (`any[]`, `Record<string, any>`) keeps.
  public static let anyCap = 0.5

  /// Classes, interfaces, type aliases and enums the file declares, and imported names.
  public private(set) var types: Set<String> = []
  /// Imports, namespaces, modules and enums: what may start a qualified type name.
  public private(set) var namespaces: Set<String> = []
  /// Declared generics whose first type parameter has no default: never valid bare.
  public private(set) var generics: Set<String> = []
  /// Names imported from a relative module that declares them as values only (a function, a constant).
  public private(set) var importedValues: Set<String> = []
  /// Names imported from a relative module that declares them generic, with the names of their type parameters in
  /// order (`InternalOptions` → `Node`, `ElementNode` for `interface InternalOptions<Node, ElementNode …>`).
  public private(set) var relativeGenericParameters: [String: [String]] = [:]
  private let tree: Tree
  private let parser = Parser(language: .typescript)

  /// With `path` (the file's), names imported from relative modules (`./query`) are looked up in those
  /// modules' files: one that declares the name as a value only is no type, one that declares a generic
  /// needs type arguments (`: Query` for `export class Query<T>`). A module that is not found, or re-exports the
  /// name, leaves the import accepted.
  public init(tree: Tree, path: String? = nil) {
    self.tree = tree
    var types: Set<String> = []
    var namespaces: Set<String> = []
    var generics: Set<String> = []
    var importedValues: Set<String> = []
    var relativeImports: [(source: String, name: String, local: String)] = []
    tree.root.walk { node in
      if node.type == "import_statement", let source = node.child(field: "source") {
        let spec = source.text.trimmingCharacters(in: CharacterSet(charactersIn: "'\"`"))
        if spec.hasPrefix(".") {
          node.walk { n in
            if n.type == "import_specifier", let name = n.child(field: "name") {
              relativeImports.append((spec, name.text, (n.child(field: "alias") ?? name).text))
            }
            return true
          }
        }
      }
      switch node.type {
      case "class_declaration", "abstract_class_declaration", "interface_declaration", "type_alias_declaration",
        "enum_declaration":
        guard let name = node.child(field: "name") else { return true }
        types.insert(name.text)
        if node.type == "enum_declaration" { namespaces.insert(name.text) }
        if let parameters = node.child(field: "type_parameters"),
          parameters.namedChildren.contains(where: { p in
            p.type == "type_parameter" && !p.namedChildren.contains { $0.type == "default_type" }
          })
        {
          generics.insert(name.text)
        }
      case "module", "internal_module":
        if let name = node.child(field: "name"), name.type == "identifier" || name.type == "nested_identifier" {
          namespaces.insert(String(name.text.prefix { $0 != "." }))
        }
      case "import_specifier":
        if let name = node.child(field: "alias") ?? node.child(field: "name") { types.insert(name.text) }
        return false
      case "import_clause":
        for child in node.namedChildren where child.type == "identifier" {
          types.insert(child.text)
          namespaces.insert(child.text)
        }
      case "namespace_import", "import_require_clause", "import_alias":
        if let name = node.namedChildren.first(where: { $0.type == "identifier" }) {
          types.insert(name.text)
          namespaces.insert(name.text)
        }
        return false
      default:
        break
      }
      return true
    }
    var parametersOf: [String: [String]] = [:]
    if let path, !relativeImports.isEmpty {
      let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
      var modules: [String: ModuleShape?] = [:]
      for (source, name, local) in relativeImports {
        if modules[source] == nil { modules[source] = .some(ModuleShape.load(source, from: directory)) }
        guard let shape = modules[source] ?? nil else { continue }
        if shape.types.contains(name) {
          if shape.generics.contains(name) { generics.insert(local) }
          if let p = shape.typeParameters[name], !p.isEmpty { parametersOf[local] = p }
        } else if shape.values.contains(name) {
          types.remove(local)
          importedValues.insert(local)
        }
      }
    }
    self.types = types
    self.namespaces = namespaces
    self.generics = generics
    self.importedValues = importedValues
    relativeGenericParameters = parametersOf
  }

  /// What a module's file declares at its top level (exported or not): types (and which of them are generic
  /// without defaults) and values.
  struct ModuleShape {
    var types: Set<String> = []
    var generics: Set<String> = []
    var values: Set<String> = []
    /// The type parameter names of each generic declaration, in order.
    var typeParameters: [String: [String]] = [:]

    /// The module `source` (relative, as written in the import) resolved from `directory` the way TypeScript
    /// resolves a relative import (`x.ts`, `x.tsx`, `x.d.ts`, `x/index.ts`; `x.js` as `x.ts`), or nil.
    static func load(_ source: String, from directory: URL) -> ModuleShape? {
      var base = directory.appendingPathComponent(source).standardizedFileURL.path
      for ext in [".js", ".jsx", ".mjs", ".cjs"] where base.hasSuffix(ext) { base.removeLast(ext.count) }
      let candidates = [base + ".ts", base + ".tsx", base + ".d.ts", base + "/index.ts", base + "/index.tsx", base]
      guard
        let file = candidates.first(where: { p in
          var isDirectory: ObjCBool = false
          return FileManager.default.fileExists(atPath: p, isDirectory: &isDirectory) && !isDirectory.boolValue
        }), let bytes = FileManager.default.contents(atPath: file),
        let tree = try? Parser(language: file.hasSuffix(".tsx") ? .tsx : .typescript).parse(bytes: Array(bytes))
      else { return nil }
      var shape = ModuleShape()
      func declaration(_ node: Node) {
        switch node.type {
        case "class_declaration", "abstract_class_declaration", "interface_declaration", "type_alias_declaration",
          "enum_declaration":
          guard let name = node.child(field: "name") else { return }
          shape.types.insert(name.text)
          if let parameters = node.child(field: "type_parameters"),
            parameters.namedChildren.contains(where: { p in
              p.type == "type_parameter" && !p.namedChildren.contains { $0.type == "default_type" }
            })
          {
            shape.generics.insert(name.text)
            shape.typeParameters[name.text] = parameters.namedChildren.filter { $0.type == "type_parameter" }
              .compactMap { $0.child(field: "name")?.text }
          }
        case "function_declaration", "generator_function_declaration", "function_signature":
          if let name = node.child(field: "name") { shape.values.insert(name.text) }
        case "lexical_declaration", "variable_declaration":
          for d in node.namedChildren where d.type == "variable_declarator" {
            if let name = d.child(field: "name"), name.type == "identifier" { shape.values.insert(name.text) }
          }
        case "export_statement", "ambient_declaration":
          for child in node.namedChildren { declaration(child) }
        default:
          break
        }
      }
      for node in tree.root.namedChildren { declaration(node) }
      // A name that is also a type (declaration merging) is a type.
      shape.values.subtract(shape.types)
      return shape
    }
  }

  /// The type parameters in scope at a byte offset of the file.
  public func typeParameters(at offset: Int) -> Set<String> { Self.typeParameters(in: tree, at: offset) }

  /// `typeParameters(at:)` without building the file's names.
  public static func typeParameters(in tree: Tree, at offset: Int) -> Set<String> {
    var names: Set<String> = []
    var node = tree.root.descendant(for: offset..<offset)
    while let n = node {
      if let parameters = n.child(field: "type_parameters") {
        for p in parameters.namedChildren where p.type == "type_parameter" {
          if let name = p.child(field: "name") { names.insert(name.text) }
        }
      }
      node = n.parent
    }
    return names
  }

  /// Answers of `problem(with:at:)` already given by this instance: a type whose answer did not look at the
  /// site's type parameters has the same answer at every offset; one whose did is remembered with them. The
  /// gate asks for the same few types (`string`, `number`, …) at hundreds of sites, each a parse without this.
  private final class ProblemMemo {
    var anywhere: [String: String?] = [:]
    var withParameters: [String: String?] = [:]
  }
  private let memo = ProblemMemo()

  /// Why `type` cannot be written at `offset`, or nil when every name in it is a type in scope.
  public func problem(with type: String, at offset: Int) -> String? {
    if let known = memo.anywhere[type] { return known }
    var parameters: Set<String>?
    if memo.withParameters[type] != nil {
      // This type's answer depends on the type parameters around the site: keyed by them.
      let p = typeParameters(at: offset)
      let key = type + "\u{0}" + p.sorted().joined(separator: "\u{0}")
      if let known = memo.withParameters[key] { return known }
      parameters = p
      let answer = problem(with: type, parameters: &parameters, at: offset)
      memo.withParameters[key] = .some(answer)
      return answer
    }
    let answer = problem(with: type, parameters: &parameters, at: offset)
    if let p = parameters {
      memo.withParameters[type] = .some(nil)  // marks the type as depending on them
      memo.withParameters[type + "\u{0}" + p.sorted().joined(separator: "\u{0}")] = .some(answer)
    } else {
      memo.anywhere[type] = .some(answer)
    }
    return answer
  }

  /// `problem(with:at:)` computed: `parameters` is the site's type parameters once looked up (nil until the walk
  /// needs them).
  private func problem(with type: String, parameters: inout Set<String>?, at offset: Int) -> String? {
    let prefix = "type __T = "
    guard let parsed = try? parser.parse(prefix + type + ";"), !parsed.hasError,
      let alias = parsed.root.namedChildren.first, alias.type == "type_alias_declaration",
      alias.child(field: "value") != nil
    else { return "`\(type)` does not parse as a type" }
    // Walk from the declaration, not the value: a cursor started at an aliased node (`type_identifier` is an
    // alias of `identifier`) reports the unaliased type. The alias's own name `__T` is skipped.
    let nameStart = prefix.utf8.count - "__T = ".utf8.count
    let value = alias
    // Names the type itself binds: mapped-type keys, `infer X`, a function type's own type parameters.
    var local: Set<String> = []
    value.walk { n in
      switch n.type {
      case "mapped_type_clause":
        if let name = n.namedChildren.first { local.insert(name.text) }
      case "infer_type":
        if let name = n.namedChildren.first(where: { $0.type == "type_identifier" }) { local.insert(name.text) }
      case "type_parameter":
        if let name = n.child(field: "name") { local.insert(name.text) }
      default:
        break
      }
      return true
    }
    var problem: String?
    value.walk { n in
      guard problem == nil else { return false }
      switch n.type {
      case "nested_type_identifier":
        let root = String(n.text.prefix { $0 != "." }).trimmingCharacters(in: .whitespaces)
        if !namespaces.contains(root) && !Self.globalNamespaces.contains(root) {
          problem = "`\(root)` is not an imported or declared namespace"
        }
        return false
      case "type_identifier":
        if n.startByte == nameStart { return false }
        let name = n.text
        if local.contains(name) { return false }
        if parameters == nil { parameters = typeParameters(at: offset) }
        if parameters?.contains(name) == true { return false }
        if importedValues.contains(name) {
          problem = "`\(name)` is imported as a value (its module declares no type of that name)"
          return false
        }
        guard types.contains(name) || Self.globalTypes.contains(name) else {
          problem = "`\(name)` is not a type in scope (not declared, imported or a global type)"
          return false
        }
        let applied = n.parent?.type == "generic_type" && n.fieldName == "name"
        if !applied && (generics.contains(name) || (!types.contains(name) && Self.genericGlobals.contains(name))) {
          problem = "`\(name)` is generic and needs type arguments"
        }
        return false
      default:
        return true
      }
    }
    return problem
  }

  /// A bare generic imported from a relative module, applied to the type parameters of its declaration when every
  /// one of them (by name) is a type parameter in scope at `offset` (`InternalOptions` → `InternalOptions<Node,
  /// ElementNode>` inside `function compile<Node, ElementNode>(…)`); nil for any other type.
  public func applied(_ type: String, at offset: Int) -> String? {
    let t = type.trimmingCharacters(in: .whitespaces)
    guard let parameters = relativeGenericParameters[t], !parameters.isEmpty else { return nil }
    let scope = typeParameters(at: offset)
    guard parameters.allSatisfy(scope.contains) else { return nil }
    return "\(t)<\(parameters.joined(separator: ", "))>"
  }

  /// The candidate as it may be shown, or nil: nil when a name in it is not a type in scope or it is `any`;
  /// confidence capped at `anyCap` when it contains `any`. A bare relative generic is first applied to the site's
  /// type parameters of the same names (`applied(_:at:)`).
  public func vet(_ candidate: TypeEvidence.Suggestion.Candidate, at offset: Int)
    -> TypeEvidence.Suggestion.Candidate?
  {
    guard let v = vetted(type: candidate.type, confidence: candidate.confidence, at: offset) else { return nil }
    var c = candidate
    c.type = v.type
    c.confidence = v.confidence
    return c
  }

  /// `vet`'s steps on a bare type and confidence (the evaluation's ranking takes them too): a bare relative generic
  /// applied (`applied(_:at:)`), nil for `any` or a name that is not a type in scope, the confidence capped at `anyCap`
  /// when the type contains `any`.
  public func vetted(type candidate: String, confidence: Double, at offset: Int)
    -> (type: String, confidence: Double)?
  {
    let typeText = applied(candidate, at: offset) ?? candidate
    let type = typeText.trimmingCharacters(in: .whitespaces)
    if type == "any" { return nil }
    if problem(with: type, at: offset) != nil { return nil }
    var confidence = confidence
    if type.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "$") }).contains("any") {
      confidence = min(confidence, Self.anyCap)
    }
    return (typeText, confidence)
  }
}
