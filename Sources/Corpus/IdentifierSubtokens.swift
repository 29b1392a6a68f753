/// Splits an identifier into lowercase subtokens: camelCase and PascalCase humps, acronyms
/// (`parseHTTPResponse` → parse, http, response), snake_case and kebab pieces, `$`, and runs of
/// digits (`toBase64` → to, base, 64).
public func identifierSubtokens(_ name: String) -> [String] {
  identifierWords(name).map { $0.lowercased() }
}

/// The same pieces as `identifierSubtokens`, spelled as written (`parseHTTPResponse` → parse, HTTP, Response).
public func identifierWords(_ name: String) -> [String] {
  var tokens: [String] = []
  var current: [Character] = []
  func flush() {
    if !current.isEmpty { tokens.append(String(current)) }
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

/// Spells predicted subtokens the way the code already spells its names: `like` is the current name, whose
/// decoration (leading `#`, `_`, `$`; trailing `_`), case convention (camelCase, PascalCase, snake_case,
/// SCREAMING_SNAKE) and spelling of shared words (`URL`, not `Url`) the new name keeps. Subtokens equal to the
/// current name's give the current name back as written, so "the same name" is never shown as a new one
/// (`_mergeConfig` for `merge config`, `toJSON` for `to json`).
public func spellIdentifier(_ subtokens: [String], like current: String) -> String {
  let chars = Array(current)
  var start = 0
  while start < chars.count, "#_$".contains(chars[start]) { start += 1 }
  var end = chars.count
  while end > start, chars[end - 1] == "_" { end -= 1 }
  let prefix = String(chars[..<start]), suffix = String(chars[end...]), core = String(chars[start..<end])
  let written = identifierWords(core)
  let lower = subtokens.map { $0.lowercased() }
  if !written.isEmpty, lower == written.map({ $0.lowercased() }) { return current }
  // The convention of the core: snake when words are joined by `_`, screaming when it has no lower case.
  let letters = core.filter(\.isLetter)
  let snake = core.contains("_")
  let screaming = snake && !letters.isEmpty && !letters.contains(where: \.isLowercase)
  let pascal = !snake && (core.first?.isUppercase ?? false) && letters.contains(where: \.isLowercase)
  var spelling: [String: String] = [:]  // a word the current name holds, as it writes it
  for w in written where spelling[w.lowercased()] == nil { spelling[w.lowercased()] = w }
  var words: [String] = []
  for (i, w) in lower.enumerated() {
    if screaming {
      words.append(w.uppercased())
    } else if snake {
      words.append(w)
    } else if i == 0 && !pascal {
      words.append(w)
    } else if let kept = spelling[w], kept.first?.isUppercase ?? false {
      words.append(kept)
    } else {
      words.append(w.prefix(1).uppercased() + w.dropFirst())
    }
  }
  return prefix + words.joined(separator: snake ? "_" : "") + suffix
}
