/// A finding shown in the editor.
public struct Diagnostic: Codable, Sendable, Hashable {
  /// LSP severities.
  public enum Severity: Int, Codable, Sendable {
    case error = 1
    case warning = 2
    case information = 3
    case hint = 4
  }

  public var range: LSPRange
  public var severity: Severity?
  public var code: String?
  public var source: String?
  public var message: String
  public var relatedInformation: [DiagnosticRelatedInformation]?
  public var data: JSONValue?

  public init(
    range: LSPRange, severity: Severity?, code: String?, source: String? = "codeintel", message: String,
    relatedInformation: [DiagnosticRelatedInformation]? = nil, data: JSONValue? = nil
  ) {
    self.range = range
    self.severity = severity
    self.code = code
    self.source = source
    self.message = message
    self.relatedInformation = relatedInformation
    self.data = data
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    range = try c.decode(LSPRange.self, forKey: .range)
    severity = try? c.decodeIfPresent(Severity.self, forKey: .severity)
    // Other servers send numeric codes; keep them as text.
    if let s = try? c.decodeIfPresent(String.self, forKey: .code) {
      code = s
    } else if let n = try? c.decodeIfPresent(Int.self, forKey: .code) {
      code = String(n)
    } else {
      code = nil
    }
    source = try? c.decodeIfPresent(String.self, forKey: .source)
    message = try c.decode(String.self, forKey: .message)
    relatedInformation = try? c.decodeIfPresent([DiagnosticRelatedInformation].self, forKey: .relatedInformation)
    data = try? c.decodeIfPresent(JSONValue.self, forKey: .data)
  }
}

/// Another place that a diagnostic refers to (the other half of a clone pair).
public struct DiagnosticRelatedInformation: Codable, Sendable, Hashable {
  public var location: Location
  public var message: String
  public init(location: Location, message: String) {
    self.location = location
    self.message = message
  }
}
