/// An error a user can act on; its description is one sentence, printed by the CLI on one line.
public struct CodeIntelError: Error, CustomStringConvertible, Equatable {
  public let description: String
  public init(_ description: String) { self.description = description }
}
