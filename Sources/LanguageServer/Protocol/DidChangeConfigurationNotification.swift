/// `workspace/didChangeConfiguration`: new settings (the `codeintel` section, see docs/LSP.md).
public enum DidChangeConfigurationNotification: LSPNotification {
  public static let method = "workspace/didChangeConfiguration"
  public struct Params: Codable, Sendable {
    public var settings: JSONValue?
  }
}
