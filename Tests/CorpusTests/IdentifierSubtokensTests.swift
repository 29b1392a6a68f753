import Testing

@testable import Corpus

@Suite struct IdentifierSubtokensTests {
  @Test(arguments: [
    ("getUserName", ["get", "user", "name"]),
    ("parseHTTPResponse", ["parse", "http", "response"]),
    ("to_snake_case", ["to", "snake", "case"]),
    ("toBase64", ["to", "base", "64"]),
    ("$emit", ["emit"]),
    ("XMLHttpRequest2", ["xml", "http", "request", "2"]),
    ("__proto__", ["proto"]),
    ("ID", ["id"]),
  ])
  func splits(_ name: String, _ expected: [String]) {
    #expect(identifierSubtokens(name) == expected)
  }
}
