import CTreeSitter

/// The node kinds scope analysis and the renaming transforms care about, looked up once per language
/// from the grammar's symbol table so that the hot loops compare small integers, never strings.
///
/// Several grammar symbols can share one visible name (tree-sitter aliases, e.g. `identifier`), and an
/// anonymous token can share its name with a named node (`class` the keyword vs `class` the
/// expression): the table is built from the named symbols only, plus the few tokens listed below.
package enum SyntaxKind: UInt8, Sendable {
  case other
  // MARK: leaves
  case identifier, shorthandPropertyIdentifier, shorthandPropertyIdentifierPattern, undefined, typeIdentifier
  case comment, string, regex, number, templateString
  case semicolon  // the anonymous `;` token
  // MARK: scopes and functions
  case program, statementBlock, forStatement, forInStatement, catchClause, switchBody, withStatement
  case functionDeclaration, generatorFunctionDeclaration, functionExpression, generatorFunction, arrowFunction
  case methodDefinition, classStaticBlock, decorator
  case functionSignature, methodSignature, abstractMethodSignature, callSignature, constructSignature
  case functionType, constructorType
  case classDeclaration, abstractClassDeclaration, classExpression, fieldDefinition, publicFieldDefinition
  case computedPropertyName
  // MARK: declarations and patterns
  case variableDeclaration, lexicalDeclaration, variableDeclarator
  case formalParameters, requiredParameter, optionalParameter, accessibilityModifier, overrideModifier
  case assignmentPattern, objectPattern, arrayPattern, pairPattern, objectAssignmentPattern, restPattern
  case assignmentExpression, augmentedAssignmentExpression, updateExpression, parenthesizedExpression
  case callExpression
  // MARK: modules
  case importStatement, importClause, namedImports, importSpecifier, namespaceImport, importRequireClause
  case importAlias, exportStatement, exportClause, exportSpecifier, namespaceExport
  // MARK: JSX
  case jsxOpeningElement, jsxClosingElement, jsxSelfClosingElement, jsxNamespaceName, jsxAttribute, jsxText
  // MARK: TypeScript
  case enumDeclaration, internalModule, module, indexSignature, nestedIdentifier
  // MARK: statements whose trailing `;` is a terminator (used by canonicalization)
  case expressionStatement, returnStatement, throwStatement, breakStatement, continueStatement
  case doStatement, debuggerStatement, emptyStatement, typeAliasDeclaration, ambientDeclaration

  static let byName: [String: SyntaxKind] = [
    "identifier": .identifier, "shorthand_property_identifier": .shorthandPropertyIdentifier,
    "shorthand_property_identifier_pattern": .shorthandPropertyIdentifierPattern, "undefined": .undefined,
    "type_identifier": .typeIdentifier, "comment": .comment, "html_comment": .comment, "string": .string,
    "regex": .regex, "number": .number, "template_string": .templateString,
    "program": .program, "statement_block": .statementBlock, "for_statement": .forStatement,
    "for_in_statement": .forInStatement, "catch_clause": .catchClause, "switch_body": .switchBody,
    "with_statement": .withStatement, "function_declaration": .functionDeclaration,
    "generator_function_declaration": .generatorFunctionDeclaration, "function_expression": .functionExpression,
    "function": .functionExpression, "generator_function": .generatorFunction, "arrow_function": .arrowFunction,
    "method_definition": .methodDefinition, "class_static_block": .classStaticBlock, "decorator": .decorator,
    "function_signature": .functionSignature, "method_signature": .methodSignature,
    "abstract_method_signature": .abstractMethodSignature, "call_signature": .callSignature,
    "construct_signature": .constructSignature, "function_type": .functionType,
    "constructor_type": .constructorType, "class_declaration": .classDeclaration,
    "abstract_class_declaration": .abstractClassDeclaration, "class": .classExpression,
    "field_definition": .fieldDefinition, "public_field_definition": .publicFieldDefinition,
    "computed_property_name": .computedPropertyName, "variable_declaration": .variableDeclaration,
    "lexical_declaration": .lexicalDeclaration, "variable_declarator": .variableDeclarator,
    "formal_parameters": .formalParameters, "required_parameter": .requiredParameter,
    "optional_parameter": .optionalParameter, "accessibility_modifier": .accessibilityModifier,
    "override_modifier": .overrideModifier, "assignment_pattern": .assignmentPattern,
    "object_pattern": .objectPattern, "array_pattern": .arrayPattern, "pair_pattern": .pairPattern,
    "object_assignment_pattern": .objectAssignmentPattern, "rest_pattern": .restPattern,
    "assignment_expression": .assignmentExpression,
    "augmented_assignment_expression": .augmentedAssignmentExpression, "update_expression": .updateExpression,
    "parenthesized_expression": .parenthesizedExpression, "call_expression": .callExpression,
    "import_statement": .importStatement, "import_clause": .importClause, "named_imports": .namedImports,
    "import_specifier": .importSpecifier, "namespace_import": .namespaceImport,
    "import_require_clause": .importRequireClause, "import_alias": .importAlias,
    "export_statement": .exportStatement, "export_clause": .exportClause, "export_specifier": .exportSpecifier,
    "namespace_export": .namespaceExport, "jsx_opening_element": .jsxOpeningElement,
    "jsx_closing_element": .jsxClosingElement, "jsx_self_closing_element": .jsxSelfClosingElement,
    "jsx_namespace_name": .jsxNamespaceName, "jsx_attribute": .jsxAttribute, "jsx_text": .jsxText,
    "enum_declaration": .enumDeclaration, "internal_module": .internalModule, "module": .module,
    "index_signature": .indexSignature, "nested_identifier": .nestedIdentifier,
    "expression_statement": .expressionStatement, "return_statement": .returnStatement,
    "throw_statement": .throwStatement, "break_statement": .breakStatement,
    "continue_statement": .continueStatement, "do_statement": .doStatement,
    "debugger_statement": .debuggerStatement, "empty_statement": .emptyStatement,
    "type_alias_declaration": .typeAliasDeclaration, "ambient_declaration": .ambientDeclaration,
  ]
}

/// Per-language lookup tables: symbol → `SyntaxKind`, and the field ids the analysis reads.
package final class GrammarTable: Sendable {
  package let kinds: [SyntaxKind]
  package let name, value, parameters, parameter, body, left, right, pattern, key, alias, declaration, kind,
    function, property, source, label: TSFieldId

  init(language: Language) {
    let grammar = language.grammar
    let count = Int(ts_language_symbol_count(grammar))
    var kinds = [SyntaxKind](repeating: .other, count: count + 1)
    for symbol in 0..<count {
      let sym = TSSymbol(symbol)
      guard let cName = ts_language_symbol_name(grammar, sym) else { continue }
      let name = String(cString: cName)
      if ts_language_symbol_type(grammar, sym) == TSSymbolTypeRegular {
        kinds[symbol] = SyntaxKind.byName[name] ?? .other
      } else if name == ";" {
        kinds[symbol] = .semicolon
      }
    }
    self.kinds = kinds
    func field(_ n: String) -> TSFieldId {
      n.withCString { ts_language_field_id_for_name(grammar, $0, UInt32(n.utf8.count)) }
    }
    name = field("name")
    value = field("value")
    parameters = field("parameters")
    parameter = field("parameter")
    body = field("body")
    left = field("left")
    right = field("right")
    pattern = field("pattern")
    key = field("key")
    alias = field("alias")
    declaration = field("declaration")
    kind = field("kind")
    function = field("function")
    property = field("property")
    source = field("source")
    label = field("label")
  }

  @inline(__always) package func kind(of node: TSNode) -> SyntaxKind {
    let s = Int(ts_node_symbol(node))
    return s < kinds.count ? kinds[s] : .other
  }

  private static let javascript = GrammarTable(language: .javascript)
  private static let typescript = GrammarTable(language: .typescript)
  private static let tsx = GrammarTable(language: .tsx)

  /// The shared table of a language (built once, on first use).
  package static func of(_ language: Language) -> GrammarTable {
    switch language {
    case .javascript: return javascript
    case .typescript: return typescript
    case .tsx: return tsx
    }
  }
}

extension Node {
  /// The raw tree-sitter node, for code in this package that walks trees without allocating.
  package var tsNode: TSNode { raw }
}

extension Node {
  /// The node's kind in the small table scope analysis and the renaming/canonicalizing transforms use.
  package var syntaxKind: SyntaxKind { GrammarTable.of(tree.language).kind(of: raw) }
}
