/// Splits an identifier into lowercase subtokens: camelCase and PascalCase humps, acronyms
/// (`parseHTTPResponse` → parse, http, response), snake_case and kebab pieces, `$`, and runs of
/// digits (`toBase64` → to, base, 64).
public func identifierSubtokens(_ name: String) -> [String] {
  var tokens: [String] = []
  var current: [Character] = []
  func flush() {
    if !current.isEmpty { tokens.append(String(current).lowercased()) }
    current.removeAll()
  }
  let chars = Array(name)
  for (i, c) in chars.enumerated() {
    guard c.isLetter || c.isNumber else {
      flush()
      continue
    }
    if let last = current.last {
      let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
      let boundary =
        (last.isNumber != c.isNumber)  // letters ↔ digits
        || (last.isLowercase && c.isUppercase)  // camel hump: fooBar
        || (last.isUppercase && c.isUppercase && (next?.isLowercase ?? false))  // acronym end: HTTPResponse
      if boundary { flush() }
    }
    current.append(c)
  }
  flush()
  return tokens
}
