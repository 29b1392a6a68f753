/// `initialize`: the first request; the editor says who it is and what it can do, the server
/// answers with its capabilities.
public enum InitializeRequest: LSPRequest {
  public static let method = "initialize"

  public struct Params: Codable, Sendable {
    public var processId: Int?
    public var rootUri: String?
    public var rootPath: String?
    public var workspaceFolders: [WorkspaceFolder]?
    public var capabilities: JSONValue?
    public var initializationOptions: JSONValue?

    public init(rootUri: String?, capabilities: JSONValue?, initializationOptions: JSONValue?) {
      self.rootUri = rootUri
      self.capabilities = capabilities
      self.initializationOptions = initializationOptions
    }
  }

  public struct Response: Codable, Sendable {
    public var capabilities: ServerCapabilities
    public var serverInfo: ServerInfo
  }

  public struct ServerInfo: Codable, Sendable {
    public var name: String
    public var version: String
  }
}

/// What codeintel-lsp offers.
public struct ServerCapabilities: Codable, Sendable {
  public struct TextDocumentSync: Codable, Sendable {
    public var openClose = true
    /// 2: incremental.
    public var change = 2
    public var save = SaveOptions()
  }

  public struct SaveOptions: Codable, Sendable {
    public var includeText = false
  }

  public struct CodeActionOptions: Codable, Sendable {
    public var codeActionKinds = ["quickfix", "refactor.rewrite"]
  }

  public struct ExecuteCommandOptions: Codable, Sendable {
    public var commands: [String]
  }

  public var textDocumentSync = TextDocumentSync()
  public var hoverProvider = true
  public var inlayHintProvider = true
  public var codeActionProvider = CodeActionOptions()
  public var executeCommandProvider: ExecuteCommandOptions
  public var positionEncoding = "utf-16"

  public init(commands: [String]) {
    executeCommandProvider = ExecuteCommandOptions(commands: commands)
  }
}
