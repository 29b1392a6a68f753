import Syntax

/// One explicit TypeScript annotation site: where it was, what it said, and where it would go back
/// in the de-annotated text.
public struct TypeAnnotationSite: Sendable, Equatable {
  /// What the annotation is on.
  public enum Kind: String, Sendable, CaseIterable, Codable {
    case parameter
    case `return`
    case variable
    case property
  }

  public var kind: Kind
  /// The annotated name: the parameter's pattern, the variable or property name, or the function's
  /// name for a return type (empty when anonymous).
  public var name: String
  /// The annotation without its colon, whitespace-normalised (`Map<string, number[]>`).
  public var label: String
  /// Bytes removed from the original text (the `: T`, with a definite-assignment `!` before it).
  public var removedRange: Range<Int>
  /// Byte offset in the de-annotated text where the annotation was (where `: T` would go back).
  public var offset: Int

  /// `any` sites: recorded, but excluded from accuracy (as DeepTyper and ContraCode do).
  public var isAny: Bool { label == "any" }
}

/// A TypeScript file with every annotation site removed.
public struct DeannotatedFile: Sendable {
  /// The text without the annotations (type parameters, `as` casts, interfaces and type aliases
  /// stay: they are declarations or expressions, not annotation sites).
  public var text: [UInt8]
  public var sites: [TypeAnnotationSite]
}

/// Finds explicit annotation sites on parameters, return types, variable declarations and class
/// properties, and removes them.
public enum TypeAnnotations {
  /// Subtrees that are types or type declarations: annotations inside them (`(a: T) => U` in a type)
  /// are part of a type, not sites.
  static let typeContexts: Set<String> = [
    "type_annotation", "asserts_annotation", "type_predicate_annotation", "interface_declaration",
    "type_alias_declaration", "ambient_declaration", "object_type", "function_type", "constructor_type",
    "type_arguments", "type_parameters", "index_signature", "opting_type_annotation", "omitting_type_annotation",
  ]
  static let functionTypes: Set<String> = [
    "function_declaration", "generator_function_declaration", "function_expression", "function", "generator_function",
    "arrow_function", "method_definition", "function_signature", "abstract_method_signature",
  ]

  /// Every site in document order, with `offset` left at the original position.
  public static func sites(in tree: Tree) -> [TypeAnnotationSite] {
    var out: [TypeAnnotationSite] = []
    tree.root.walk { node in
      let type = node.type
      if typeContexts.contains(type) { return false }
      switch type {
      case "required_parameter", "optional_parameter":
        if let pattern = node.child(field: "pattern"), pattern.type != "this",
          let annotation = node.child(field: "type")
        {
          out.append(site(.parameter, name: pattern.text, annotation: annotation, owner: node))
        }
      case "variable_declarator":
        if let annotation = node.child(field: "type") {
          out.append(site(.variable, name: node.child(field: "name")?.text ?? "", annotation: annotation, owner: node))
        }
      case "public_field_definition":
        if let annotation = node.child(field: "type") {
          let name = node.child(field: "name")?.text ?? node.child(field: "property")?.text ?? ""
          out.append(site(.property, name: name, annotation: annotation, owner: node))
        }
      default:
        if functionTypes.contains(type), let annotation = node.child(field: "return_type") {
          out.append(site(.return, name: node.child(field: "name")?.text ?? "", annotation: annotation, owner: node))
        }
      }
      return true
    }
    return out.sorted { $0.removedRange.lowerBound < $1.removedRange.lowerBound }
  }

  private static func site(_ kind: TypeAnnotationSite.Kind, name: String, annotation: Node, owner: Node)
    -> TypeAnnotationSite
  {
    var text = annotation.text
    if text.hasPrefix(":") { text.removeFirst() }
    var start = annotation.startByte
    // `let x!: T` / `x!: T;` — the definite-assignment mark only makes sense with the annotation.
    if let bang = annotation.previousSibling, bang.type == "!", bang.parent == owner { start = bang.startByte }
    return TypeAnnotationSite(
      kind: kind, name: normalizeWhitespace(name), label: normalizeWhitespace(text),
      removedRange: start..<annotation.endByte, offset: start)
  }

  /// Removes every site from the file and maps each site to its position in the new text.
  public static func deannotate(_ tree: Tree) throws -> DeannotatedFile {
    var sites = sites(in: tree)
    let edits = sites.map {
      ByteEdit(start: $0.removedRange.lowerBound, deletedLength: $0.removedRange.count, inserted: [])
    }
    let text = try edits.apply(to: tree.bytes)
    var removed = 0
    for i in sites.indices {
      sites[i].offset = sites[i].removedRange.lowerBound - removed
      removed += sites[i].removedRange.count
    }
    return DeannotatedFile(text: text, sites: sites)
  }
}

// MARK: - What a type head may know about a site's context

/// The names a file makes available as types, and the type parameters in scope at a position:
/// what a type head needs to suggest a file's own or imported types and generics.
public enum TypeContext {
  /// Names declared in the file as types: interfaces, type aliases, classes, enums (sorted, unique).
  public static func declaredTypes(in tree: Tree) -> [String] {
    var out = Set<String>()
    tree.root.walk { node in
      switch node.type {
      case "interface_declaration", "type_alias_declaration", "class_declaration", "abstract_class_declaration",
        "enum_declaration", "class":
        if let name = node.child(field: "name") { out.insert(name.text) }
      default: break
      }
      return true
    }
    return out.sorted()
  }

  /// Local names bound by the file's imports (default, named, namespace; `import type` included).
  /// Without resolving modules a value cannot be told from a type, so every imported name is listed.
  public static func importedNames(in tree: Tree) -> [String] {
    var out = Set<String>()
    for statement in tree.root.namedChildren where statement.type == "import_statement" {
      statement.walk { node in
        switch node.type {
        case "import_specifier":
          if let name = node.child(field: "alias") ?? node.child(field: "name") { out.insert(name.text) }
          return false
        case "import_clause":
          for child in node.namedChildren where child.type == "identifier" { out.insert(child.text) }
          return true
        case "namespace_import":
          for child in node.namedChildren where child.type == "identifier" { out.insert(child.text) }
          return false
        case "string": return false
        default: return true
        }
      }
    }
    return out.sorted()
  }

  /// Type parameters declared by the declarations enclosing `offset` (innermost first, each
  /// declaration's parameters in order): a function's, a method's, a class's or an interface's.
  public static func typeParameters(at offset: Int, in tree: Tree) -> [String] {
    guard var node = tree.root.descendant(for: offset..<(offset + 1)) else { return [] }
    var out: [String] = []
    while true {
      if let parameters = node.child(field: "type_parameters") {
        for p in parameters.namedChildren where p.type == "type_parameter" {
          if let name = p.child(field: "name"), !out.contains(name.text) { out.append(name.text) }
        }
      }
      guard let parent = node.parent else { break }
      node = parent
    }
    return out
  }
}
