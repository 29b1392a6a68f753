// MARK: - Identifier words

/// Plausible local-variable names for `RenameLocals`: common programming words and camel-case compounds,
/// written for codeintel. The reserved words of JavaScript and TypeScript are listed apart, and every
/// renamer checks a candidate against them.
public enum IdentifierWords {
  /// A few hundred common identifier words and compounds.
  public static let all: [String] = [
    "value", "result", "item", "items", "data", "index", "count", "total", "sum", "list", "array", "map", "set",
    "key", "keys", "entry", "entries", "node", "nodes", "child", "children", "parent", "root", "tree", "leaf",
    "edge", "edges", "graph", "path", "paths", "name", "names", "label", "text", "str", "line", "lines", "word",
    "words", "token", "tokens", "char", "chars", "code", "source", "target", "dest", "input", "output", "buffer",
    "chunk", "chunks", "block", "blocks", "record", "records", "row", "rows", "column", "columns", "cell", "cells",
    "field", "fields", "prop", "props", "attr", "attrs", "option", "options", "config", "settings", "params", "args",
    "arg", "param", "state", "status", "flag", "flags", "mode", "kind", "type", "types", "tag", "tags", "id", "ids",
    "uid", "ref", "refs", "handle", "handler", "handlers", "callback", "cb", "fn", "func", "action", "actions",
    "event", "events", "listener", "listeners", "message", "messages", "error", "errors", "err", "reason", "cause",
    "info", "detail", "details", "request", "response", "req", "res", "query", "queries", "url", "uri", "host",
    "port", "address", "headers", "body", "payload", "content", "context", "ctx", "env", "scope", "user", "users",
    "account", "accounts", "owner", "member", "members", "group", "groups", "team", "role", "roles", "session",
    "secret", "hash", "salt", "file", "files", "dir", "folder", "filename", "ext", "size", "length", "width",
    "height", "depth", "offset", "start", "end", "begin", "finish", "from", "to", "min", "max", "low", "high",
    "left", "right", "top", "bottom", "center", "middle", "first", "last", "prev", "next", "current", "cur", "head",
    "tail", "front", "back", "step", "steps", "delta", "diff", "ratio", "rate", "scale", "factor", "weight",
    "weights", "score", "scores", "rank", "level", "limit", "threshold", "bound", "bounds", "range", "ranges",
    "span", "point", "points", "coord", "coords", "pos", "position", "x", "y", "dx", "dy", "angle", "radius", "area",
    "volume", "time", "date", "timestamp", "delay", "timeout", "interval", "duration", "elapsed", "deadline",
    "stamp", "tick", "ticks", "frame", "frames", "view", "views", "model", "models", "layer", "layers", "shape",
    "shapes", "color", "colors", "style", "styles", "theme", "image", "images", "icon", "icons", "title", "header",
    "footer", "menu", "button", "link", "links", "page", "pages", "element", "elements", "component", "components",
    "widget", "widgets", "container", "wrapper", "panel", "dialog", "form", "forms", "cache", "store", "storage",
    "registry", "pool", "queue", "stack", "heap", "bucket", "buckets", "slot", "slots", "table", "tables", "schema",
    "module", "modules", "plugin", "plugins", "service", "services", "client", "server", "worker", "workers", "task",
    "tasks", "job", "jobs", "pipeline", "stage", "reader", "writer", "parser", "lexer", "scanner", "builder",
    "factory", "manager", "provider", "helper", "util", "utils", "tool", "tools", "runner", "promise", "deferred",
    "future", "pending", "resolved", "rejected", "done", "ready", "active", "enabled", "visible", "valid", "dirty",
    "changed", "loaded", "found", "matched", "seen", "visited", "marked", "checked", "ok", "success", "failed",
    "answer", "acc", "accum", "memo", "counter", "tmp", "temp", "aux", "copy", "clone", "other", "rest", "extra",
    "more", "spare", "alt", "orig", "original", "base", "prefix", "suffix", "pattern", "regex", "matcher", "match",
    "matches", "needle", "haystack", "candidate", "candidates", "choice", "choices", "pick", "sample", "samples",
    "batch", "batches", "unit", "units", "amount", "price", "cost", "quantity", "qty", "order", "orders", "invoice",
    "product", "products", "cart", "customer", "vendor", "number", "num", "int", "float", "digit", "digits", "bits",
    "byte", "bytes", "mask", "shift", "sign", "exp", "radix", "mod", "quotient", "remainder", "lhs", "rhs",
    "operand", "operands", "operator", "op", "opcode", "expr", "term", "literal", "ident", "symbol", "symbols",
    "outer", "inner", "wrapped", "unwrapped", "raw", "parsed", "encoded", "decoded", "serialized", "normalized",
    "sorted", "filtered", "mapped", "reduced", "merged", "joined", "split", "parts", "part", "piece", "pieces",
    "segment", "segments", "section", "sections", "region", "regions", "origin", "location", "locale", "lang",
    "language", "translation", "template", "html", "markup", "doc", "docs", "note", "notes", "comment", "version",
    "release", "build", "platform", "device", "browser", "window", "document", "screen", "canvas", "viewport",
    "cursor", "selection", "itemCount", "totalCount", "maxValue", "minValue", "startIndex", "endIndex",
    "currentNode", "nextNode", "prevNode", "parentNode", "childNode", "rootNode", "fileName", "filePath", "dirPath",
    "lineCount", "lineNumber", "charCode", "keyName", "valueList", "resultList", "itemList", "userName", "userId",
    "requestId", "errorMessage", "errorCode", "statusCode", "retryCount", "timeoutMs", "delayMs", "elapsedMs",
    "startTime", "endTime", "bufferSize", "chunkSize", "pageSize", "pageIndex", "rowIndex", "colIndex", "newValue",
    "oldValue", "nextValue", "prevValue", "defaultValue", "initialValue", "finalValue", "tempValue", "isValid",
    "isReady", "isDone", "isEmpty", "hasNext", "hasValue", "shouldRetry", "canRead", "didChange", "needsUpdate",
    "onChange", "onClick", "onLoad", "onError", "onDone", "handleEvent", "callbackFn", "resolveFn", "rejectFn",
    "mapFn", "keyFn", "compareFn", "sortKey", "groupKey", "cacheKey", "hashKey", "lookupTable", "wordList",
    "tokenList", "nodeList", "entryMap", "valueMap", "countMap", "seenSet", "visitedSet", "pendingQueue",
    "workQueue", "outputBuffer", "inputText", "sourceText", "targetNode", "matchIndex", "matchCount", "sliceStart",
    "sliceEnd", "leftIndex", "rightIndex", "midIndex", "lowBound", "highBound", "stepSize", "scaleFactor",
    "totalSize", "byteLength", "textLength", "maxDepth", "curDepth", "levelIndex",
  ]

  /// Whether `s` is an identifier as written in source: a letter, `_` or `$`, then letters, digits, `_` or `$`
  /// (Unicode letters included; escapes are not).
  public static func isIdentifier(_ s: String) -> Bool {
    guard let first = s.unicodeScalars.first, first == "_" || first == "$" || first.properties.isAlphabetic else {
      return false
    }
    return s.unicodeScalars.allSatisfy {
      $0 == "_" || $0 == "$" || $0.properties.isAlphabetic || ("0"..."9").contains($0)
    }
  }

  /// Names a renamer must never introduce: JavaScript reserved words (also strict-mode and future ones),
  /// TypeScript's contextual keywords, and names with special meaning (`arguments`, `eval`, `undefined`, …).
  public static let reserved: Set<String> = [
    "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else",
    "enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof",
    "new", "null", "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void",
    "while", "with", "yield", "let", "static", "implements", "interface", "package", "private", "protected",
    "public", "await", "async", "of", "get", "set", "arguments", "eval", "undefined", "NaN", "Infinity",
    "globalThis", "constructor", "prototype", "type", "declare", "namespace", "module", "abstract", "as",
    "any", "number", "string", "boolean", "symbol", "bigint", "never", "unknown", "object", "keyof",
    "readonly", "infer", "is", "asserts", "satisfies", "override", "accessor", "out", "require", "global",
    "from", "target", "meta", "unique", "using",
  ]
}
