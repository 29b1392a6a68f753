import Foundation
import Syntax

/// The numbers of arguments a function can be called with, read from its parameter list (issue 18, session 20;
/// docs/audits/clones-s20-inputs.md, docs/CLONES.md "What a function takes and returns").
///
/// Two functions with the same behaviour can be called the same way. A functional pair whose functions both have
/// known ranges that do not overlap (`insert(index, value)` and `at(index)`; a solution taking `(nums, k)` and one
/// taking `(grid)`) is not a functional clone, however alike the code looks: that is the input rule
/// (`CloneOptions.inputRule`). A parameter with a default value or a `?` is optional, a rest parameter makes the
/// maximum unbounded, a destructuring pattern is one argument, a TypeScript `this` parameter is none; a function
/// whose own body reads `arguments`, or that is nested in another function (a closure can take from the scope around
/// it what a standalone copy takes as a parameter), is unknown (nil) and never tells a pair apart.
public struct InputArity: Sendable, Hashable, CustomStringConvertible {
  public var required: Int
  /// Nil: unbounded (a rest parameter).
  public var maximum: Int?

  public init(required: Int, maximum: Int?) {
    self.required = required
    self.maximum = maximum
  }

  /// Whether some number of arguments calls both.
  public func overlaps(_ other: InputArity) -> Bool {
    let low = max(required, other.required)
    switch (maximum, other.maximum) {
    case (nil, nil): return true
    case (let m?, nil): return low <= m
    case (nil, let m?): return low <= m
    case (let a?, let b?): return low <= min(a, b)
    }
  }

  public var description: String {
    guard let maximum else { return "\(required)…" }
    return maximum == required ? "\(required)" : "\(required)…\(maximum)"
  }
}

public enum FunctionInputs {
  /// Whether two functions' argument ranges tell them apart: both known, no common number of arguments.
  public static func differ(_ a: InputArity?, _ b: InputArity?) -> Bool {
    guard let a, let b else { return false }
    return !a.overlaps(b)
  }

  /// The argument range of the function `node` (a function, method or arrow node); nil when unknown.
  public static func of(function node: Node) -> InputArity? {
    guard UnitTokens.functionTypes.contains(node.type) else { return nil }
    // A nested function can take through its closure what a standalone one takes as a parameter (`find(x)` reading
    // `parent` from the function around it, against `find(parent, x)`): its parameter list does not say how it is
    // called (candidate IOn of docs/audits/clones-s20-inputs.md).
    var up = node.parent
    while let p = up {
      if UnitTokens.functionTypes.contains(p.type) { return nil }
      up = p.parent
    }
    if let body = node.child(field: "body"), readsArguments(body) { return nil }
    var required = 0
    var total = 0
    for p in functionParameters(node) {
      if p.shape == .rest { return InputArity(required: required, maximum: nil) }
      total += 1
      if p.defaultValue == nil && !p.isOptional { required = total }
    }
    // A required parameter after an optional one (`f(a = 1, b)`) still needs every argument before it.
    return InputArity(required: required, maximum: total)
  }

  /// Whether `body` reads `arguments` outside nested non-arrow functions (which have their own).
  static func readsArguments(_ body: Node) -> Bool {
    var found = false
    body.walk { n in
      if found { return false }
      if n.type == "identifier" && n.text == "arguments" {
        found = true
        return false
      }
      if n.type != "arrow_function" && UnitTokens.functionTypes.contains(n.type) { return false }
      return true
    }
    return found
  }
}

/// What the functional kind's signature rules read of one function: the numbers of arguments it takes
/// (`FunctionInputs`) and the kinds of value it returns (`OutputKinds`); nil where unknown.
public struct FunctionSignature: Sendable, Hashable {
  public var inputs: InputArity?
  public var outputs: Set<OutputKind>?

  public init(inputs: InputArity?, outputs: Set<OutputKind>?) {
    self.inputs = inputs
    self.outputs = outputs
  }

  /// Whether the rules that are on tell two functions apart (`FunctionInputs.differ` with the input rule,
  /// `OutputKinds.differ` with the output rule); an unknown side never does.
  public static func differ(_ a: FunctionSignature?, _ b: FunctionSignature?, inputRule: Bool, outputRule: Bool)
    -> Bool
  {
    if inputRule && FunctionInputs.differ(a?.inputs, b?.inputs) { return true }
    if outputRule && OutputKinds.differ(a?.outputs, b?.outputs) { return true }
    return false
  }

  /// The index key of a unit's signature: the reading's version, its file's content hash and its byte range.
  public static func key(contentHash: String, unit: StoredUnit) -> String {
    "sig1|\(contentHash)|\(unit.startByte)|\(unit.endByte)"
  }

  /// One line that `init?(encoded:)` reads back: `i=R-M` (`M` `*` when unbounded) or `i=?`, then `;o=` and the
  /// kinds joined by commas, or `?`.
  public var encoded: String {
    let i = inputs.map { "\($0.required)-\($0.maximum.map(String.init) ?? "*")" } ?? "?"
    let o = outputs.map { $0.map(\.rawValue).sorted().joined(separator: ",") } ?? "?"
    return "i=\(i);o=\(o)"
  }

  public init?(encoded: String) {
    let parts = encoded.split(separator: ";", omittingEmptySubsequences: false)
    guard parts.count == 2, parts[0].hasPrefix("i="), parts[1].hasPrefix("o=") else { return nil }
    let i = parts[0].dropFirst(2)
    let o = parts[1].dropFirst(2)
    if i == "?" {
      inputs = nil
    } else {
      let ends = i.split(separator: "-", omittingEmptySubsequences: false)
      guard ends.count == 2, let r = Int(ends[0]) else { return nil }
      if ends[1] == "*" {
        inputs = InputArity(required: r, maximum: nil)
      } else {
        guard let m = Int(ends[1]) else { return nil }
        inputs = InputArity(required: r, maximum: m)
      }
    }
    if o == "?" {
      outputs = nil
    } else {
      var kinds: Set<OutputKind> = []
      for k in o.split(separator: ",") {
        guard let kind = OutputKind(rawValue: String(k)) else { return nil }
        kinds.insert(kind)
      }
      outputs = kinds
    }
  }

  /// The signature of each unit, from the index's `function_signatures` where it holds them, else read from the files
  /// under `root` (each file once) and stored there, so a warm run parses nothing. A unit whose file cannot be read,
  /// or whose range is no longer a function, gets nil (and nothing is stored for it). `contentHashes` (path → the
  /// index's content hash) saves reading the files table again when the caller has it.
  public static func of(
    units: [StoredUnit], root: String, store: IndexStore, contentHashes: [String: String]? = nil
  ) throws -> [FunctionSignature?] {
    let hashes = try contentHashes ?? store.files().mapValues(\.contentHash)
    let keys = units.map { u in hashes[u.path].map { key(contentHash: $0, unit: u) } }
    let known = try store.functionSignatures(keys.compactMap { $0 })
    var out = keys.map { k in k.flatMap { known[$0] }.flatMap(FunctionSignature.init(encoded:)) }
    let missing = out.indices.filter { out[$0] == nil }
    guard !missing.isEmpty else { return out }
    let read = of(units: missing.map { units[$0] }, root: root)
    var rows: [(key: String, value: String)] = []
    for (i, s) in zip(missing, read) {
      out[i] = s
      if let s, let k = keys[i] { rows.append((k, s.encoded)) }
    }
    try store.storeFunctionSignatures(rows)
    return out
  }

  /// Both parts of the function `node`.
  public static func of(function node: Node) -> FunctionSignature {
    FunctionSignature(inputs: FunctionInputs.of(function: node), outputs: OutputKinds.of(function: node))
  }

  /// The signature of each unit, reading each file under `root` once (nil for a unit whose file cannot be read or
  /// parsed, or whose byte range is no longer a function).
  public static func of(units: [StoredUnit], root: String) -> [FunctionSignature?] {
    OutputKinds.functionNodes(units: units, root: root) { $0.map(of(function:)) }
  }
}
