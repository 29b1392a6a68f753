import Syntax

// MARK: - Document synchronisation

extension LanguageServer {
  /// The language of a document by its URI's extension, else by its `languageId`.
  static func language(uri: String, languageId: String?) -> Language? {
    if let path = path(fromURI: uri) ?? Optional(uri), let l = Language(path: path) { return l }
    switch languageId {
    case "javascript", "javascriptreact": return .javascript
    case "typescript": return .typescript
    case "typescriptreact": return .tsx
    default: return nil
    }
  }

  func didOpen(_ params: DidOpenTextDocumentNotification.Params) {
    let item = params.textDocument
    guard let language = Self.language(uri: item.uri, languageId: item.languageId) else {
      Log.info("not tracking \(item.uri): not a JavaScript or TypeScript file")
      return
    }
    do {
      let doc = try Document(
        uri: item.uri, language: language, version: item.version, text: item.text,
        maxBytes: configuration.maxFileBytes)
      documents[item.uri] = doc
      setOpen(item.uri, true)
      if doc.tree == nil { warnTooLarge(doc) }
      scheduleDiagnostics(doc)
    } catch {
      logToEditor("could not open \(item.uri): \(error)", type: 1)
    }
  }

  func didChange(_ params: DidChangeTextDocumentNotification.Params) {
    guard let doc = documents[params.textDocument.uri] else {
      Log.warning("didChange for \(params.textDocument.uri), which is not open; ignored")
      return
    }
    let wasAnalysed = doc.tree != nil
    do {
      try doc.apply(params.contentChanges, version: params.textDocument.version, maxBytes: configuration.maxFileBytes)
    } catch {
      logToEditor("could not apply an edit to \(doc.uri): \(error)", type: 1)
    }
    if wasAnalysed && doc.tree == nil { warnTooLarge(doc) }
    scheduleDiagnostics(doc)
  }

  func didSave(_ params: DidSaveTextDocumentNotification.Params) {
    guard let doc = documents[params.textDocument.uri] else { return }
    scheduleDiagnostics(doc)
  }

  func didClose(_ params: DidCloseTextDocumentNotification.Params) {
    let uri = params.textDocument.uri
    guard documents.removeValue(forKey: uri) != nil else { return }
    setOpen(uri, false)
    notify(PublishDiagnosticsNotification.self, .init(uri: uri, version: nil, diagnostics: []))
  }

  func didChangeConfiguration(_ params: DidChangeConfigurationNotification.Params) {
    guard let settings = params.settings else { return }
    let before = configuration
    let ignored = configuration.apply(settings)
    if !ignored.isEmpty { Log.warning("ignored settings with the wrong type: \(ignored.joined(separator: ", "))") }
    guard configuration != before else { return }
    Log.info("configuration changed")
    for doc in documents.values { scheduleDiagnostics(doc) }
    if configuration.indexWorkspace && !before.indexWorkspace { startIndexing() }
  }

  /// The open document at `uri`, or the error to answer with.
  func document(_ uri: String) throws -> Document {
    guard let doc = documents[uri] else {
      throw ResponseError.invalidParams("\(uri) is not open: send textDocument/didOpen first")
    }
    return doc
  }

  private func warnTooLarge(_ doc: Document) {
    logToEditor(
      "\(doc.uri) has \(doc.bytes.count) bytes, more than codeintel.maxFileBytes (\(configuration.maxFileBytes)); "
        + "it is not analysed", type: 2)
  }
}
