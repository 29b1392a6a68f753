import CTreeSitter

// MARK: - Public model

/// One lexical scope of a JavaScript/TypeScript program.
public struct Scope: Sendable, Hashable, Identifiable {
  /// What created the scope.
  public enum Kind: String, Sendable, Hashable, Codable {
    /// The whole file (script or module). Holds top-level declarations and imports.
    case program
    /// A non-arrow function's parameter scope. Also holds the function's implicit `arguments`.
    case function
    /// An arrow function's parameter scope (no `arguments` of its own).
    case arrowFunction
    /// The body block of a function: `var` and function declarations of the body live here, apart from the
    /// parameters, so that default-parameter expressions never see the body's declarations.
    case functionBody
    /// The scope between a named function expression and its outside, holding only the name.
    case functionName
    /// A block, `for`/`for…in`/`for…of` header, or `switch` body: `let`, `const`, `class` and (strict
    /// mode rule) function declarations in blocks.
    case block
    /// A `catch` clause: its parameter.
    case catchClause
    /// A class: the inner name of a class expression; member initializers are resolved here.
    case classBody
    /// `static { … }` in a class: its own `var` scope.
    case staticBlock
    /// A TypeScript `namespace`/`module` body.
    case namespace
    /// A TypeScript signature or function type (`(x: number) => void`, overloads, interface methods):
    /// its parameters only.
    case signature
  }

  public let id: Int
  public let kind: Kind
  /// The enclosing scope (nil only for the program).
  public let parent: Int?
  /// Bytes of the node that created the scope.
  public let range: Range<Int>
  /// True when a direct `eval(…)` call or a `with` statement in this scope or in a scope nested in it can
  /// observe names dynamically: no binding of this scope may be renamed.
  public let isUnsafe: Bool
  /// The last scope id nested (transitively) inside this one; scope ids are in document pre-order, so
  /// `id...lastDescendant` are exactly this scope and the scopes inside it.
  public let lastDescendant: Int

  /// Whether `var` declarations hoist to this scope.
  public var isVarScope: Bool {
    kind == .program || kind == .functionBody || kind == .staticBlock || kind == .namespace
  }

  /// Whether `other` is this scope or nested in it.
  public func contains(scope other: Int) -> Bool { other >= id && other <= lastDescendant }
}

/// A declared name: every occurrence that refers to the same variable shares one binding.
public struct Binding: Sendable, Hashable, Identifiable {
  public enum Kind: String, Sendable, Hashable, Codable {
    case `var`, `let`, `const`, function, `class`, parameter, catchParameter, `import`
    case functionExpressionName, classExpressionName, arguments, `enum`, namespace
  }

  public let id: Int
  public let name: String
  public let kind: Kind
  /// The first declaring identifier (for the implicit `arguments`: an empty range at the function start).
  public let declarationRange: Range<Int>
  /// The scope the name is bound in.
  public let scope: Int
  /// Named by an export: `export const x`, `export function f`, `export { x }`, `export default class C`.
  public let isExported: Bool
  /// A function declaration directly inside a block (not a function body or the program). The analysis
  /// binds it in the block (the strict-mode and module rule); sloppy scripts also give it a function-wide
  /// `var` (Annex B.3.3), so renaming treats such names as untouchable.
  public let isBlockFunction: Bool
  /// A TypeScript parameter property (`constructor(private x)`): the name is also a class property.
  public let isParameterProperty: Bool
  /// Something in the program observes this name as text at run time: the binding receives an anonymous
  /// function or class (`const f = () => 1` gives `f.name == "f"`), or a `var` redeclares a catch parameter
  /// (Annex B.3.5), so the two names are tied.
  public let nameIsObservable: Bool
}

/// One occurrence of an identifier that names a variable (never a property key, member name, label or type).
public struct Reference: Sendable, Hashable {
  /// The identifier's bytes.
  public let range: Range<Int>
  public let name: String
  /// The binding it refers to; nil for a free (global or undeclared) name.
  public let binding: Int?
  /// The scope in which the name is looked up (where the occurrence is written).
  public let scope: Int
  /// This occurrence declares the binding (`let x`, parameter `x`, `function x`, import `x`, …).
  public let isDeclaration: Bool
  /// This occurrence assigns the variable (`x = …`, `x++`, `x += …`, a destructuring target, or a
  /// declaration with a value).
  public let isWrite: Bool
  /// A shorthand property: `{x}` in an object literal (reads `x` and names the key `x`) or in a pattern
  /// (names the key `x` and declares or assigns `x`). Renaming must write `x: newName`.
  public let isShorthand: Bool
  /// The name of a JSX element (`<Foo />`, `</Foo>`): a new name must stay capitalised.
  public let isJSXTag: Bool
  /// The local name in `export { x }` / `export { x as y }`.
  public let isExportSpecifier: Bool

  /// The text that replaces this occurrence when its variable is renamed to `newName`: the new name, or
  /// `name: newName` for a shorthand property, whose key must stay.
  public func renamedText(_ newName: String) -> String { isShorthand ? "\(name): \(newName)" : newName }
}

// MARK: - Analysis

/// Scope analysis of one parsed JavaScript, TypeScript or TSX file: every identifier occurrence that names
/// a variable, and the binding it refers to (or none, for globals and undeclared names).
///
/// The rules, chosen to be exactly right for strict-mode code and modules, and conservative elsewhere:
/// - `var` and function declarations in a function body hoist to the function body scope; default
///   parameter expressions are resolved in the parameter scope and never see body declarations. A `var` or
///   function in the body that repeats a parameter's name is that parameter's binding (they share a value).
/// - `let`, `const` and `class` are block scoped; function declarations directly in a block are block
///   scoped (strict rule) and flagged `isBlockFunction` (sloppy Annex B makes them function-wide too).
/// - Named function expressions and class expressions bind their name in a scope seen only inside them. A
///   class declaration is one binding in the enclosing scope (its inner name always agrees with it).
/// - `arguments` inside a non-arrow function resolves to an implicit `.arguments` binding of the function;
///   arrows see their enclosing function's.
/// - Property keys, member names, labels, `this`, private names and (TypeScript) type names are not
///   variables. `typeof x` in a type, `x is T` predicates and decorators are value references.
/// - `eval(…)` calls and `with` statements make their scope and all enclosing scopes unsafe.
/// - JSX: `<Foo>` and `<Foo.Bar>` reference `Foo`; lowercase tags (`<div>`) are intrinsic, not references.
///
/// Type positions are outside this model: `let c: C` does not reference class `C`. A tool that renames a
/// TypeScript class, enum or namespace must also rewrite the matching `type_identifier`s (the renaming
/// transforms simply leave such bindings alone).
public final class ScopeAnalysis: @unchecked Sendable {
  public let scopes: [Scope]
  public let bindings: [Binding]
  /// Every occurrence, sorted by start byte.
  public let references: [Reference]
  private let referencesByBinding: [[Int]]

  /// Analyzes `tree`. Never fails: error nodes are walked like any other node.
  public init(tree: Tree) {
    let builder = ScopeBuilder(tree: tree)
    builder.run()
    (scopes, bindings, references, referencesByBinding) = builder.finish()
  }

  /// The program scope.
  public var programScope: Scope { scopes[0] }

  /// The occurrence whose identifier covers `byteOffset` (its start, inside it, or just after its end).
  public func reference(at byteOffset: Int) -> Reference? {
    var lo = 0
    var hi = references.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if references[mid].range.lowerBound <= byteOffset { lo = mid + 1 } else { hi = mid }
    }
    guard lo > 0 else { return nil }
    let r = references[lo - 1]
    return byteOffset <= r.range.upperBound ? r : nil
  }

  /// The binding of the identifier occurrence at `byteOffset`, or nil for a free name or no identifier.
  public func binding(at byteOffset: Int) -> Binding? {
    reference(at: byteOffset).flatMap { $0.binding }.map { bindings[$0] }
  }

  /// All occurrences of `binding`, declarations included, in document order.
  public func references(of binding: Binding) -> [Reference] {
    referencesByBinding[binding.id].map { references[$0] }
  }

  /// Indices into `references` of the occurrences of `binding`.
  public func referenceIndices(of binding: Binding) -> [Int] { referencesByBinding[binding.id] }

  /// Occurrences of names that no declaration in the file binds (globals, undeclared names).
  public var freeReferences: [Reference] { references.filter { $0.binding == nil } }

  /// Whether bindings of `scope` must not be renamed (an `eval` or `with` can see them).
  public func isUnsafe(_ scope: Scope) -> Bool { scope.isUnsafe }

  /// The innermost scope whose node covers `byteOffset`.
  public func innermostScope(at byteOffset: Int) -> Scope {
    var best = scopes[0]
    var i = 1
    while i < scopes.count {
      let s = scopes[i]
      if s.range.contains(byteOffset) && best.contains(scope: s.id) {
        best = s
        i += 1
      } else if best.contains(scope: s.id) {
        i = s.lastDescendant + 1
      } else {
        break
      }
    }
    return best
  }

  /// Whether `scope` is `ancestor` or nested in it.
  public func isScope(_ scope: Int, inside ancestor: Int) -> Bool { scopes[ancestor].contains(scope: scope) }
}

// MARK: - Builder

private enum Role {
  case read
  case write
  case declare(Binding.Kind, target: Int)
}

private struct WorkItem {
  var node: TSNode
  var scope: Int
  var role: Role
  /// Declarations under `export`.
  var exported: Bool = false
  /// Parameter property (TypeScript accessibility modifier on a constructor parameter).
  var parameterProperty: Bool = false
  /// A function's body block (gets a `.functionBody` scope).
  var functionBody: Bool = false
}

private struct MutableScope {
  var kind: Scope.Kind
  var parent: Int?
  var range: Range<Int>
  var names: [String: Int] = [:]
  var unsafe = false
}

private struct MutableBinding {
  var name: String
  var kind: Binding.Kind
  var range: Range<Int>
  var scope: Int
  var exported = false
  var blockFunction = false
  var parameterProperty = false
  var observable = false
}

private struct PendingReference {
  var range: Range<Int>
  var name: String
  var binding: Int?  // set for declarations
  var scope: Int
  var isDeclaration = false
  var isWrite = false
  var isShorthand = false
  var isJSXTag = false
  var isExportSpecifier = false
  var namesFunction = false
}

private final class ScopeBuilder {
  let tree: Tree
  let g: GrammarTable
  let bytes: [UInt8]
  var scopes: [MutableScope] = []
  var bindings: [MutableBinding] = []
  var refs: [PendingReference] = []
  var stack: [WorkItem] = []
  var cursor: TSTreeCursor
  /// Start bytes of assignment targets that receive an anonymous function (`x = () => 1`, `{f = class {}}`);
  /// the binding they resolve to gets `nameIsObservable` in `finish`.
  var pendingNamesFunction: Set<Int> = []

  init(tree: Tree) {
    self.tree = tree
    g = GrammarTable.of(tree.language)
    bytes = tree.bytes
    cursor = ts_tree_cursor_new(tree.root.tsNode)
  }

  deinit { ts_tree_cursor_delete(&cursor) }

  // MARK: Helpers

  func text(_ n: TSNode) -> String {
    let s = Int(ts_node_start_byte(n))
    let e = Int(ts_node_end_byte(n))
    return String(decoding: bytes[s..<e], as: UTF8.self)
  }

  func range(_ n: TSNode) -> Range<Int> { Int(ts_node_start_byte(n))..<Int(ts_node_end_byte(n)) }

  func field(_ n: TSNode, _ id: TSFieldId) -> TSNode? {
    guard id != 0 else { return nil }
    let c = ts_node_child_by_field_id(n, id)
    return ts_node_is_null(c) ? nil : c
  }

  /// Children with their field ids.
  func children(_ n: TSNode) -> [(TSNode, TSFieldId)] {
    var out: [(TSNode, TSFieldId)] = []
    ts_tree_cursor_reset(&cursor, n)
    guard ts_tree_cursor_goto_first_child(&cursor) else { return out }
    repeat {
      out.append((ts_tree_cursor_current_node(&cursor), ts_tree_cursor_current_field_id(&cursor)))
    } while ts_tree_cursor_goto_next_sibling(&cursor)
    return out
  }

  func newScope(_ kind: Scope.Kind, parent: Int?, node: TSNode) -> Int {
    scopes.append(MutableScope(kind: kind, parent: parent, range: range(node)))
    return scopes.count - 1
  }

  func varScope(from scope: Int) -> Int {
    var s = scope
    while true {
      let k = scopes[s].kind
      if k == .program || k == .functionBody || k == .staticBlock || k == .namespace { return s }
      guard let p = scopes[s].parent else { return s }
      s = p
    }
  }

  /// Pushes children in reverse so that they are processed in document order.
  func pushChildren(_ n: TSNode, scope: Int, role: Role = .read) {
    // Appended in document order straight from the cursor (no array of children), then reversed in place.
    let first = stack.count
    ts_tree_cursor_reset(&cursor, n)
    guard ts_tree_cursor_goto_first_child(&cursor) else { return }
    repeat {
      let c = ts_tree_cursor_current_node(&cursor)
      if ts_node_is_named(c) { stack.append(WorkItem(node: c, scope: scope, role: role)) }
    } while ts_tree_cursor_goto_next_sibling(&cursor)
    stack[first...].reverse()
  }

  func push(_ n: TSNode?, scope: Int, role: Role = .read, exported: Bool = false) {
    guard let n else { return }
    stack.append(WorkItem(node: n, scope: scope, role: role, exported: exported))
  }

  // MARK: Declarations and references

  /// Declares `name` in `target` (after the hoisting and merging rules), records the occurrence.
  @discardableResult
  func declare(
    _ node: TSNode, kind: Binding.Kind, target: Int, lexicalScope: Int, exported: Bool = false,
    shorthand: Bool = false, write: Bool = true, parameterProperty: Bool = false
  ) -> Int {
    let name = text(node)
    var target = target
    var binding: Int?
    // A body-level `var`/function that repeats a parameter's name (or `arguments`) is that binding.
    if kind == .var || kind == .function, scopes[target].kind == .functionBody, let fn = scopes[target].parent {
      if let existing = scopes[fn].names[name] {
        binding = existing
        target = fn
      } else if name == "arguments", scopes[fn].kind == .function {
        binding = implicitArguments(in: fn)
        target = fn
      }
    }
    if binding == nil, let existing = scopes[target].names[name] { binding = existing }
    let id: Int
    if let binding {
      id = binding
    } else {
      id = bindings.count
      let blockFunction = kind == .function && !isVarLevel(target)
      bindings.append(
        MutableBinding(
          name: name, kind: kind, range: range(node), scope: target,
          blockFunction: blockFunction))
      scopes[target].names[name] = id
    }
    // Annex B.3.5: `var e` inside `catch (e)` initializes the catch parameter; tie the two names.
    if kind == .var {
      var s = lexicalScope
      while s != target {
        if scopes[s].kind == .catchClause, let b = scopes[s].names[name] {
          bindings[b].observable = true
          bindings[id].observable = true
        }
        guard let p = scopes[s].parent else { break }
        s = p
      }
    }
    if exported { bindings[id].exported = true }
    if parameterProperty { bindings[id].parameterProperty = true }
    refs.append(
      PendingReference(
        range: range(node), name: name, binding: id, scope: lexicalScope,
        isDeclaration: true, isWrite: write, isShorthand: shorthand))
    return id
  }

  func isVarLevel(_ scope: Int) -> Bool {
    let k = scopes[scope].kind
    return k == .program || k == .functionBody || k == .staticBlock || k == .namespace
  }

  func implicitArguments(in fn: Int) -> Int {
    if let b = scopes[fn].names["arguments"] { return b }
    let at = scopes[fn].range.lowerBound
    bindings.append(MutableBinding(name: "arguments", kind: .arguments, range: at..<at, scope: fn))
    scopes[fn].names["arguments"] = bindings.count - 1
    return bindings.count - 1
  }

  func reference(
    _ node: TSNode, scope: Int, write: Bool = false, shorthand: Bool = false, jsx: Bool = false,
    export: Bool = false, name: String? = nil
  ) {
    refs.append(
      PendingReference(
        range: range(node), name: name ?? text(node), binding: nil, scope: scope,
        isWrite: write, isShorthand: shorthand, isJSXTag: jsx, isExportSpecifier: export))
  }

  /// Whether `node` (through parentheses) is an anonymous function or class, whose `.name` is taken from the
  /// binding it is assigned to.
  func isAnonymousFunction(_ node: TSNode?) -> Bool {
    guard var n = node else { return false }
    while g.kind(of: n) == .parenthesizedExpression, ts_node_named_child_count(n) == 1 {
      n = ts_node_named_child(n, 0)
    }
    switch g.kind(of: n) {
    case .arrowFunction: return true
    case .functionExpression, .generatorFunction, .classExpression: return field(n, g.name) == nil
    default: return false
    }
  }

  func markLastNamesFunction(if value: TSNode?) {
    if isAnonymousFunction(value), !refs.isEmpty { refs[refs.count - 1].namesFunction = true }
  }

  // MARK: Walk

  func run() {
    let root = tree.root.tsNode
    let program = newScope(.program, parent: nil, node: root)
    pushChildren(root, scope: program)
    while let item = stack.popLast() { visit(item) }
  }

  func visit(_ item: WorkItem) {
    let n = item.node
    let s = item.scope
    switch g.kind(of: n) {
    case .comment, .string, .regex, .number, .typeIdentifier, .jsxText, .jsxNamespaceName:
      return
    case .identifier, .undefined:
      // `undefined` has its own node type in expressions, but it is an ordinary (global) name.
      switch item.role {
      case .read: reference(n, scope: s)
      case .write: reference(n, scope: s, write: true)
      case .declare(let kind, let target):
        declare(
          n, kind: kind, target: target, lexicalScope: s, exported: item.exported,
          parameterProperty: item.parameterProperty)
      }
    case .shorthandPropertyIdentifier:
      reference(n, scope: s, shorthand: true)
    case .shorthandPropertyIdentifierPattern:
      switch item.role {
      case .read: reference(n, scope: s, shorthand: true)
      case .write: reference(n, scope: s, write: true, shorthand: true)
      case .declare(let kind, let target):
        declare(n, kind: kind, target: target, lexicalScope: s, exported: item.exported, shorthand: true)
      }

    // MARK: patterns
    case .objectPattern, .arrayPattern, .restPattern:
      pushChildren(n, scope: s, role: item.role)
    case .assignmentPattern, .objectAssignmentPattern:
      if case .read = item.role {
        pushChildren(n, scope: s)
        return
      }
      let left = field(n, g.left)
      let right = field(n, g.right)
      push(right, scope: s)
      push(left, scope: s, role: item.role, exported: item.exported)
      if let left, isAnonymousFunction(right), isSimpleName(left) {
        // `{ f = () => 1 }`: the default gives the function the name; marked by position, resolved in `finish`.
        pendingNamesFunction.insert(Int(ts_node_start_byte(left)))
      }
    case .pairPattern:
      if case .read = item.role {
        pushChildren(n, scope: s)
        return
      }
      push(field(n, g.value), scope: s, role: item.role, exported: item.exported)
      if let key = field(n, g.key), g.kind(of: key) == .computedPropertyName { push(key, scope: s) }
    case .parenthesizedExpression:
      if case .read = item.role { pushChildren(n, scope: s) } else { pushChildren(n, scope: s, role: item.role) }

    // MARK: expressions that write
    case .assignmentExpression, .augmentedAssignmentExpression:
      let left = field(n, g.left)
      let right = field(n, g.right)
      push(right, scope: s)
      push(left, scope: s, role: .write)
      if let left, isSimpleName(left), isAnonymousFunction(right), assignsName(n) {
        pendingNamesFunction.insert(Int(ts_node_start_byte(left)))
      }
    case .updateExpression:
      pushChildren(n, scope: s, role: .write)
    case .callExpression:
      if let f = field(n, g.function), g.kind(of: f) == .identifier, text(f) == "eval" { scopes[s].unsafe = true }
      pushChildren(n, scope: s)
    case .withStatement:
      scopes[s].unsafe = true
      pushChildren(n, scope: s)

    // MARK: declarations
    case .variableDeclaration:
      visitDeclarators(n, kind: .var, target: varScope(from: s), scope: s, exported: item.exported)
    case .lexicalDeclaration:
      let isConst = field(n, g.kind).map { bytes[Int(ts_node_start_byte($0))] == UInt8(ascii: "c") } ?? false
      visitDeclarators(n, kind: isConst ? .const : .let, target: s, scope: s, exported: item.exported)
    case .functionDeclaration, .generatorFunctionDeclaration:
      if let name = field(n, g.name) {
        declare(name, kind: .function, target: s, lexicalScope: s, exported: item.exported)
      }
      visitFunction(n, scope: s, arrow: false)
    case .functionExpression, .generatorFunction:
      var outer = s
      if let name = field(n, g.name) {
        outer = newScope(.functionName, parent: s, node: n)
        declare(name, kind: .functionExpressionName, target: outer, lexicalScope: outer)
      }
      visitFunction(n, scope: outer, arrow: false)
    case .arrowFunction:
      visitFunction(n, scope: s, arrow: true)
    case .methodDefinition:
      visitFunction(n, scope: s, arrow: false)
    case .functionSignature:
      if let name = field(n, g.name) {
        declare(name, kind: .function, target: s, lexicalScope: s, exported: item.exported)
      }
      visitSignature(n, scope: s)
    case .methodSignature, .abstractMethodSignature, .callSignature, .constructSignature, .functionType,
      .constructorType:
      visitSignature(n, scope: s)
    case .classDeclaration, .abstractClassDeclaration:
      if let name = field(n, g.name) {
        declare(name, kind: .class, target: s, lexicalScope: s, exported: item.exported)
      }
      let inner = newScope(.classBody, parent: s, node: n)
      for (c, f) in children(n).reversed() where ts_node_is_named(c) && f != g.name {
        push(c, scope: inner)
      }
    case .classExpression:
      let inner = newScope(.classBody, parent: s, node: n)
      if let name = field(n, g.name) {
        declare(name, kind: .classExpressionName, target: inner, lexicalScope: inner)
      }
      for (c, f) in children(n).reversed() where ts_node_is_named(c) && f != g.name {
        push(c, scope: inner)
      }
    case .fieldDefinition, .publicFieldDefinition:
      for (c, f) in children(n).reversed() where ts_node_is_named(c) {
        if f == g.property || f == g.name {
          if g.kind(of: c) == .computedPropertyName { push(c, scope: s) }
        } else {
          push(c, scope: s)
        }
      }
    case .classStaticBlock:
      let block = newScope(.staticBlock, parent: s, node: n)
      if let body = field(n, g.body) { pushChildren(body, scope: block) }
    case .enumDeclaration:
      if let name = field(n, g.name) {
        declare(name, kind: .enum, target: s, lexicalScope: s, exported: item.exported)
      }
      push(field(n, g.body), scope: s)
    case .internalModule, .module:
      if let name = field(n, g.name) {
        var id: TSNode? = name
        while let cur = id, g.kind(of: cur) == .nestedIdentifier { id = ts_node_named_child(cur, 0) }
        if let id, g.kind(of: id) == .identifier {
          declare(id, kind: .namespace, target: s, lexicalScope: s, exported: item.exported)
        }
      }
      if let body = field(n, g.body) {
        let ns = newScope(.namespace, parent: s, node: n)
        pushChildren(body, scope: ns)
      }
    case .indexSignature:
      for (c, f) in children(n).reversed() where ts_node_is_named(c) && f != g.name { push(c, scope: s) }

    // MARK: scopes
    case .statementBlock, .switchBody:
      let block = newScope(item.functionBody ? .functionBody : .block, parent: s, node: n)
      pushChildren(n, scope: block)
    case .forStatement:
      let block = newScope(.block, parent: s, node: n)
      pushChildren(n, scope: block)
    case .forInStatement:
      let block = newScope(.block, parent: s, node: n)
      let kindNode = field(n, g.kind)
      for (c, f) in children(n).reversed() where ts_node_is_named(c) {
        if f == g.left {
          if let kindNode {
            let k = bytes[Int(ts_node_start_byte(kindNode))]
            if k == UInt8(ascii: "v") {
              push(c, scope: block, role: .declare(.var, target: varScope(from: block)))
            } else {
              push(c, scope: block, role: .declare(k == UInt8(ascii: "c") ? .const : .let, target: block))
            }
          } else {
            push(c, scope: block, role: .write)
          }
        } else {
          push(c, scope: block)
        }
      }
    case .catchClause:
      let k = newScope(.catchClause, parent: s, node: n)
      for (c, f) in children(n).reversed() where ts_node_is_named(c) {
        push(c, scope: k, role: f == g.parameter ? .declare(.catchParameter, target: k) : .read)
      }

    // MARK: modules
    case .importStatement:
      for (c, _) in children(n).reversed() where ts_node_is_named(c) {
        switch g.kind(of: c) {
        case .importClause, .importRequireClause: visitImportClause(c, scope: s)
        default: break
        }
      }
    case .importAlias:
      for (i, (c, _)) in children(n).filter({ ts_node_is_named($0.0) }).enumerated() {
        if i == 0 && g.kind(of: c) == .identifier {
          declare(c, kind: .import, target: s, lexicalScope: s, exported: item.exported)
        } else {
          push(c, scope: s)
        }
      }
    case .exportStatement:
      let hasSource = field(n, g.source) != nil
      for (c, f) in children(n).reversed() where ts_node_is_named(c) {
        if f == g.declaration {
          push(c, scope: s, exported: true)
        } else if f == g.source {
          continue
        } else {
          switch g.kind(of: c) {
          case .exportClause:
            if hasSource { continue }
            for spec in children(c) where g.kind(of: spec.0) == .exportSpecifier {
              if let local = field(spec.0, g.name), g.kind(of: local) == .identifier {
                reference(local, scope: s, export: true)
              }
            }
          case .namespaceExport: continue
          default: push(c, scope: s)
          }
        }
      }

    // MARK: JSX
    case .jsxOpeningElement, .jsxClosingElement, .jsxSelfClosingElement:
      for (c, f) in children(n).reversed() where ts_node_is_named(c) {
        if f == g.name, g.kind(of: c) == .identifier {
          if isComponentName(c) { reference(c, scope: s, jsx: true) }
        } else {
          push(c, scope: s)
        }
      }
    case .jsxAttribute:
      // `name={value}`: the attribute name is a property, never a variable.
      let kids = children(n).filter { ts_node_is_named($0.0) }
      for (c, _) in kids.dropFirst().reversed() { push(c, scope: s) }

    // MARK: declarations of TypeScript parameters in non-function positions (tuple members)
    case .requiredParameter, .optionalParameter:
      for (c, f) in children(n).reversed() where ts_node_is_named(c) && f != g.name && f != g.pattern {
        push(c, scope: s)
      }
    default:
      // Everything else (including a member expression as an assignment target, and declarators or
      // parameter lists met in error recovery) reads its parts.
      pushChildren(n, scope: s)
    }
  }


  func isSimpleName(_ n: TSNode) -> Bool {
    let k = g.kind(of: n)
    return k == .identifier || k == .shorthandPropertyIdentifierPattern
  }

  /// `=`, `||=`, `&&=`, `??=` give an anonymous function the target's name; other compound operators don't.
  func assignsName(_ n: TSNode) -> Bool {
    if g.kind(of: n) == .assignmentExpression { return true }
    for (c, f) in children(n) where !ts_node_is_named(c) && f != 0 {
      let t = text(c)
      return t == "||=" || t == "&&=" || t == "??="
    }
    return false
  }

  /// `import d, * as ns, { a, b as c } from "m"` and `import x = require("m")`: each local name is a binding.
  func visitImportClause(_ n: TSNode, scope s: Int) {
    for (c, _) in children(n) where ts_node_is_named(c) {
      switch g.kind(of: c) {
      case .identifier:
        declare(c, kind: .import, target: s, lexicalScope: s)
      case .namespaceImport:
        for (id, _) in children(c) where g.kind(of: id) == .identifier {
          declare(id, kind: .import, target: s, lexicalScope: s)
        }
      case .namedImports:
        for (spec, _) in children(c) where g.kind(of: spec) == .importSpecifier {
          if let local = field(spec, g.alias) ?? field(spec, g.name), g.kind(of: local) == .identifier {
            declare(local, kind: .import, target: s, lexicalScope: s)
          }
        }
      default:
        continue
      }
    }
  }

  func isComponentName(_ n: TSNode) -> Bool {
    let start = Int(ts_node_start_byte(n))
    let end = Int(ts_node_end_byte(n))
    guard start < end else { return false }
    let first = bytes[start]
    if first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z") { return false }
    return !bytes[start..<end].contains(UInt8(ascii: "-"))
  }

  func visitDeclarators(_ n: TSNode, kind: Binding.Kind, target: Int, scope s: Int, exported: Bool) {
    for (d, _) in children(n).reversed() where ts_node_is_named(d) {
      guard g.kind(of: d) == .variableDeclarator else {
        push(d, scope: s)
        continue
      }
      let value = field(d, g.value)
      for (c, f) in children(d).reversed() where ts_node_is_named(c) {
        if f == g.name {
          if g.kind(of: c) == .identifier {
            // Declared at once (not via the stack) so the `namesFunction` mark lands on this occurrence.
            declare(
              c, kind: kind, target: target, lexicalScope: s, exported: exported,
              write: value != nil || kind == .const)
            markLastNamesFunction(if: value)
          } else {
            push(c, scope: s, role: .declare(kind, target: target), exported: exported)
          }
        } else {
          push(c, scope: s)
        }
      }
    }
  }

  /// Parameters, body and the rest of a function; `scope` is where the function expression sits (or its
  /// name scope).
  func visitFunction(_ n: TSNode, scope s: Int, arrow: Bool) {
    let fn = newScope(arrow ? .arrowFunction : .function, parent: s, node: n)
    let kids = children(n)
    var work: [WorkItem] = []
    for (c, f) in kids where ts_node_is_named(c) {
      if f == g.name {
        // Function names are declared by the caller; method names are keys unless computed.
        if g.kind(of: c) == .computedPropertyName { work.append(WorkItem(node: c, scope: s, role: .read)) }
      } else if f == g.parameters {
        work.append(contentsOf: parameterItems(c, scope: fn))
      } else if f == g.parameter {
        work.append(WorkItem(node: c, scope: fn, role: .declare(.parameter, target: fn)))
      } else if f == g.body {
        if g.kind(of: c) == .statementBlock {
          work.append(WorkItem(node: c, scope: fn, role: .read, functionBody: true))
        } else {
          work.append(WorkItem(node: c, scope: fn, role: .read))
        }
      } else if g.kind(of: c) == .decorator {
        work.append(WorkItem(node: c, scope: s, role: .read))
      } else {
        work.append(WorkItem(node: c, scope: fn, role: .read))
      }
    }
    // Parameters must be declared before the body is walked (body `var x` merges into parameter `x`), and
    // the body scope must be created after any scope in the parameters (pre-order ids).
    stack.append(contentsOf: work.reversed())
  }

  func parameterItems(_ params: TSNode, scope fn: Int) -> [WorkItem] {
    var out: [WorkItem] = []
    for (c, _) in children(params) where ts_node_is_named(c) {
      switch g.kind(of: c) {
      case .requiredParameter, .optionalParameter:
        var property = false
        for (p, f) in children(c) {
          let k = g.kind(of: p)
          if k == .accessibilityModifier || k == .overrideModifier || (!ts_node_is_named(p) && text(p) == "readonly") {
            property = true
          }
          guard ts_node_is_named(p) else { continue }
          if f == g.pattern {
            var item = WorkItem(node: p, scope: fn, role: .declare(.parameter, target: fn))
            item.parameterProperty = property
            out.append(item)
          } else if f == g.name {
            continue
          } else {
            out.append(WorkItem(node: p, scope: fn, role: .read))
          }
        }
      case .comment:
        continue
      default:
        out.append(WorkItem(node: c, scope: fn, role: .declare(.parameter, target: fn)))
      }
    }
    return out
  }

  func visitSignature(_ n: TSNode, scope s: Int) {
    let sig = newScope(.signature, parent: s, node: n)
    var work: [WorkItem] = []
    for (c, f) in children(n) where ts_node_is_named(c) {
      if f == g.name {
        if g.kind(of: c) == .computedPropertyName { work.append(WorkItem(node: c, scope: s, role: .read)) }
      } else if f == g.parameters {
        work.append(contentsOf: parameterItems(c, scope: sig))
      } else {
        work.append(WorkItem(node: c, scope: sig, role: .read))
      }
    }
    stack.append(contentsOf: work.reversed())
  }

  // MARK: Finish

  func finish() -> ([Scope], [Binding], [Reference], [[Int]]) {
    // Resolve every non-declaration occurrence up the scope chain; `arguments` stops at the first
    // non-arrow function.
    for i in refs.indices where refs[i].binding == nil {
      var s: Int? = refs[i].scope
      let name = refs[i].name
      while let cur = s {
        if let b = scopes[cur].names[name] {
          refs[i].binding = b
          break
        }
        if name == "arguments", scopes[cur].kind == .function {
          refs[i].binding = implicitArguments(in: cur)
          break
        }
        s = scopes[cur].parent
      }
    }
    refs.sort { $0.range.lowerBound < $1.range.lowerBound }
    var byBinding = [[Int]](repeating: [], count: bindings.count)
    for (i, r) in refs.enumerated() {
      guard let b = r.binding else { continue }
      byBinding[b].append(i)
      if r.isExportSpecifier { bindings[b].exported = true }
      if r.namesFunction || (r.isWrite && pendingNamesFunction.contains(r.range.lowerBound)) {
        bindings[b].observable = true
      }
    }
    // Unsafe propagates outward; lastDescendant propagates from children (ids are pre-order).
    var unsafe = scopes.map(\.unsafe)
    var last = Array(scopes.indices)
    for i in scopes.indices.reversed() {
      guard let p = scopes[i].parent else { continue }
      if unsafe[i] { unsafe[p] = true }
      last[p] = max(last[p], last[i])
    }
    let outScopes = scopes.indices.map { i in
      Scope(
        id: i, kind: scopes[i].kind, parent: scopes[i].parent, range: scopes[i].range, isUnsafe: unsafe[i],
        lastDescendant: last[i])
    }
    let outBindings = bindings.indices.map { i in
      let b = bindings[i]
      return Binding(
        id: i, name: b.name, kind: b.kind, declarationRange: b.range, scope: b.scope,
        isExported: b.exported, isBlockFunction: b.blockFunction,
        isParameterProperty: b.parameterProperty, nameIsObservable: b.observable)
    }
    let outRefs = refs.map { r in
      Reference(
        range: r.range, name: r.name, binding: r.binding, scope: r.scope, isDeclaration: r.isDeclaration,
        isWrite: r.isWrite, isShorthand: r.isShorthand, isJSXTag: r.isJSXTag,
        isExportSpecifier: r.isExportSpecifier)
    }
    return (outScopes, outBindings, outRefs, byBinding)
  }
}
