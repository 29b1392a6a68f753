import Syntax

/// Every unannotated parameter, function return and variable of a TypeScript tree: the sites the type head
/// scores in a real file (the dataset's sites come with the dataset). Anchors follow `TypeEvidence`: after
/// the name (after `?` of an optional parameter) for bindings, after the parameter list for returns.
/// Class properties, destructuring patterns, constructors, setters, generators and parenthesis-free arrow
/// parameters are left out (the annotation would need more than an insertion at one point).
public enum TypeSites {
  public struct Site: Sendable, Equatable {
    public var kind: TypeEvidence.Suggestion.Kind
    public var name: String
    public var nameRange: Range<Int>
    public var anchor: Int
    /// The name as the types dataset spells it (what the name prior is counted on): `name`, except for the
    /// return of a function without a name of its own (`const f = () => …`, a callback), which is empty.
    public var datasetName: String

    public init(
      kind: TypeEvidence.Suggestion.Kind, name: String, nameRange: Range<Int>, anchor: Int, datasetName: String? = nil
    ) {
      self.kind = kind
      self.name = name
      self.nameRange = nameRange
      self.anchor = anchor
      self.datasetName = datasetName ?? name
    }

    /// The dataset's spelling of the kind.
    public var datasetKind: String {
      switch kind {
      case .parameter: return "parameter"
      case .returnType: return "return"
      case .variable: return "variable"
      case .property: return "property"
      }
    }
  }

  public static func unannotated(in tree: Tree) -> [Site] {
    var out: [Site] = []
    tree.root.walk { node in
      switch node.type {
      case "variable_declarator":
        if node.child(field: "type") == nil, let name = node.child(field: "name"), name.type == "identifier" {
          out.append(Site(kind: .variable, name: name.text, nameRange: name.byteRange, anchor: name.endByte))
        }
      case "required_parameter", "optional_parameter":
        if node.child(field: "type") == nil, let pattern = node.child(field: "pattern"), pattern.type == "identifier",
          pattern.text != "this"
        {
          out.append(
            Site(
              kind: .parameter, name: pattern.text, nameRange: pattern.byteRange,
              anchor: parameterAnchor(node, pattern: pattern)))
        }
      case "function_declaration", "function_expression", "function", "arrow_function", "method_definition":
        if let site = returnSite(of: node) { out.append(site) }
      default:
        break
      }
      return true
    }
    return out.sorted { ($0.anchor, $0.kind.rawValue) < ($1.anchor, $1.kind.rawValue) }
  }

  /// Where `: T` goes for a parameter: after its pattern, or after the `?` of an optional one.
  static func parameterAnchor(_ parameter: Node, pattern: Node) -> Int {
    if parameter.type == "optional_parameter", let q = pattern.nextSibling, q.text == "?" { return q.endByte }
    return pattern.endByte
  }

  /// An unannotated class property (`public_field_definition` without a type, named by a property or
  /// `#private` identifier): its name node and where `: T` goes (after the name, or after its `?` / `!`).
  static func unannotatedProperty(_ node: Node) -> (name: Node, anchor: Int)? {
    guard node.type == "public_field_definition", node.child(field: "type") == nil,
      let name = node.child(field: "name"),
      name.type == "property_identifier" || name.type == "private_property_identifier"
    else { return nil }
    if let mark = name.nextSibling, mark.text == "?" || mark.text == "!" { return (name, mark.endByte) }
    return (name, name.endByte)
  }

  /// The return site of a function node without a return annotation (after its parameter list), named by its
  /// own name or the variable it initialises; nil for generators, setters, constructors, bodiless signatures
  /// and parenthesis-free arrows.
  static func returnSite(of node: Node) -> Site? {
    guard node.child(field: "return_type") == nil, let parameters = node.child(field: "parameters"),
      parameters.type == "formal_parameters", node.child(field: "body") != nil
    else { return nil }
    let keywords = Set(node.children.filter { !$0.isNamed }.map(\.text))
    if keywords.contains("*") || keywords.contains("set") { return nil }
    var name = ("<anonymous>", parameters.byteRange)
    var own = ""
    if let n = node.child(field: "name") {
      name = (n.text, n.byteRange)
      own = n.text
    } else if let parent = node.parent, parent.type == "variable_declarator", let n = parent.child(field: "name"),
      n.type == "identifier"
    {
      name = (n.text, n.byteRange)
    }
    if name.0 == "constructor" { return nil }
    return Site(kind: .returnType, name: name.0, nameRange: name.1, anchor: parameters.endByte, datasetName: own)
  }
}

/// How model predictions, the name prior and deterministic evidence make one ranked list.
public enum TypeCombination {
  /// Where a combined candidate came from.
  public enum Source: String, Sendable, Codable {
    case evidence, model, combined
    case namePrior = "name-prior"
    /// The project's own annotations elsewhere (`TypeProjectAnnotations`).
    case project
  }

  public struct Candidate: Sendable, Equatable {
    public var type: String
    public var confidence: Double
    public var source: Source
    public var reason: String
  }

  /// Evidence at or above this confidence goes first (chosen on the valid split; docs/TYPES.md).
  public static let evidenceThreshold = 0.8

  /// One ranked list: the type head's candidates and the name prior's (`TypeNamePrior`) ranked together by
  /// confidence (softmax probability; smoothed share of the name's train sites), the head first on a tie;
  /// the evidence goes before them when its best confidence reaches `threshold`, else after them. At most
  /// `top` types. A type that two sources propose is marked `combined` and keeps the higher confidence.
  /// With no prior candidates (an unknown name, or a head folder without a table) this is evidence → head.
  public static func combine(
    evidence: [TypeEvidence.Suggestion.Candidate], model: [(type: String, probability: Float)],
    prior: [TypeNamePrior.Candidate] = [], threshold: Double = evidenceThreshold, top: Int = 5,
    modelReason: String = "type head"
  ) -> [Candidate] {
    // Evidence keeps its own spelling (`Map<string, number>`); the head's and the prior's types are
    // normalised, shown with spaces around `|`. Two candidates are the same type when their normalised
    // texts are equal.
    let ev = evidence.map {
      Candidate(type: $0.type, confidence: $0.confidence, source: .evidence, reason: $0.reason)
    }
    let md = model.map {
      Candidate(
        type: TypeHeadModel.display($0.type), confidence: Double($0.probability), source: .model, reason: modelReason)
    }
    let pr = prior.map {
      Candidate(type: TypeHeadModel.display($0.type), confidence: $0.confidence, source: .namePrior, reason: $0.reason)
    }
    // Stable: on equal confidence the head's candidate (listed first) stays first.
    let learned = (md + pr).enumerated()
      .sorted {
        $0.element.confidence != $1.element.confidence
          ? $0.element.confidence > $1.element.confidence : $0.offset < $1.offset
      }
      .map(\.element)
    let evidenceFirst = (ev.first?.confidence ?? -1) >= threshold
    var out: [Candidate] = []
    var sources: [[Candidate]] = []  // per kept type, every candidate that proposed it, in list order
    for c in evidenceFirst ? ev + learned : learned + ev {
      if let i = out.firstIndex(where: { TypeAccuracy.normalize($0.type) == TypeAccuracy.normalize(c.type) }) {
        if !sources[i].contains(where: { $0.source == c.source }) { sources[i].append(c) }
        continue
      }
      guard out.count < top else { continue }
      out.append(c)
      sources.append([c])
    }
    for i in out.indices where sources[i].count > 1 {
      // The evidence's reason leads wherever it stands, else the first proposer's; the others agree.
      let lead = sources[i].first { $0.source == .evidence } ?? sources[i][0]
      let others = sources[i].filter { $0.source != lead.source }.map { agreement($0.source) }
      out[i].source = .combined
      out[i].confidence = sources[i].map(\.confidence).max() ?? out[i].confidence
      out[i].reason = ([lead.reason] + others).joined(separator: "; ")
    }
    return out
  }

  private static func agreement(_ source: Source) -> String {
    switch source {
    case .evidence: return "evidence agrees"
    case .model, .combined: return "type head agrees"
    case .namePrior: return "name prior agrees"
    case .project: return "the project agrees"
    }
  }
}
