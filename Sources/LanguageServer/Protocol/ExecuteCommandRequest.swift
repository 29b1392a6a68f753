/// `workspace/executeCommand`: `codeintel.findSimilar`, `codeintel.showClones`, `codeintel.reindex`.
public enum ExecuteCommandRequest: LSPRequest {
  public static let method = "workspace/executeCommand"
  public struct Params: Codable, Sendable {
    public var command: String
    public var arguments: [JSONValue]?
    public init(command: String, arguments: [JSONValue]?) {
      self.command = command
      self.arguments = arguments
    }
  }
  public typealias Response = JSONValue
}
