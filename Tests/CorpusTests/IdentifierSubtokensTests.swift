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

/// Issue 19: a suggested name is spelled as the code spells the current one, and the same words are the same name
/// (the editor offered "Rename function to `mergeConfig`" for `_mergeConfig`).
@Suite struct SpellIdentifierTests {
  @Test(arguments: [
    // the same words give the current name back, decoration and acronyms as written
    (["merge", "config"], "_mergeConfig", "_mergeConfig"),
    (["to", "json"], "toJSON", "toJSON"),
    (["get", "value"], "#getValue", "#getValue"),
    // other words keep the decoration and the convention
    (["build", "config"], "_mergeConfig", "_buildConfig"),
    (["load", "url"], "parseURL", "loadURL"),
    (["url", "parser"], "parseURL", "urlParser"),
    (["read", "all"], "#getValue", "#readAll"),
    (["max", "items"], "MAX_SIZE", "MAX_ITEMS"),
    (["read", "file", "sync"], "load_file", "read_file_sync"),
    (["user", "card"], "ProfileCard", "UserCard"),
    (["next", "id"], "$emit", "$nextId"),
    (["handle", "click"], "onClick_", "handleClick_"),
  ])
  func spells(_ subtokens: [String], _ current: String, _ expected: String) {
    #expect(spellIdentifier(subtokens, like: current) == expected)
  }
}
