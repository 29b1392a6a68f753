import Dispatch
import Syntax

#if canImport(Glibc)
  import Glibc
#endif

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
      if doc.parsePending {
        parseInBackground(doc)
      } else if doc.tree == nil {
        warnTooLarge(doc)
      }
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
    let wasAnalysed = doc.tree != nil || doc.parsePending
    do {
      try doc.apply(params.contentChanges, version: params.textDocument.version, maxBytes: configuration.maxFileBytes)
    } catch {
      logToEditor("could not apply an edit to \(doc.uri): \(error)", type: 1)
    }
    if doc.parsePending {
      parseInBackground(doc)
    } else if wasAnalysed && doc.tree == nil {
      warnTooLarge(doc)
    }
    scheduleDiagnostics(doc)
  }

  /// Parses a large document's text on the parse queue, so the server queue answers other requests (and
  /// takes edits) meanwhile. The tree lands back on the server queue if the document is still open and
  /// unchanged; after edits, the newest text is parsed next. The document's diagnostics follow.
  func parseInBackground(_ doc: Document) {
    guard doc.parsePending, !doc.parseInFlight else { return }
    doc.parseInFlight = true
    let (bytes, language, generation) = (doc.bytes, doc.language, doc.textGeneration)
    let parse = self.parse
    parseQueue.async { [weak self, weak doc] in
      guard let self, let doc else { return }
      let start = DispatchTime.now().uptimeNanoseconds
      let tree: Tree?
      do {
        tree = try parse(language, bytes)
      } catch {
        tree = nil
        Log.warning("could not parse \(doc.uri): \(error)")
      }
      let ms = (DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
      self.queue.async { [weak self, weak doc] in
        guard let self, let doc, self.documents[doc.uri] === doc else { return }
        doc.parseInFlight = false
        if doc.install(tree, textGeneration: generation) {
          Log.debug("parsed \(doc.uri) (\(bytes.count) bytes) off the request queue in \(ms) ms")
          self.scheduleDiagnostics(doc)
        } else {
          self.parseInBackground(doc)
        }
      }
    }
  }

  func didSave(_ params: DidSaveTextDocumentNotification.Params) {
    guard let doc = documents[params.textDocument.uri] else { return }
    // The saved file's annotations now count for its project's files, itself included.
    if doc.language.isTypeScript, let tree = doc.tree, let path = Self.path(fromURI: doc.uri) {
      providers.types.saved(path: path, tree: tree)
    }
    scheduleDiagnostics(doc)
  }

  /// Forgets the document and what was computed for it: its run is cancelled, its text, tree and caches
  /// go with it, and the clone finder goes back to the file on disk (the workspace's copy, indexed again
  /// on the index queue) or forgets it (a file outside the workspace). After a large document the heap is
  /// trimmed, so the memory goes back to the system rather than staying with the process.
  func didClose(_ params: DidCloseTextDocumentNotification.Params) {
    let uri = params.textDocument.uri
    guard let doc = documents.removeValue(forKey: uri) else { return }
    doc.analysis?.cancel()
    let wasLarge = doc.bytes.count >= Self.largeDocumentBytes
    setOpen(uri, false)
    providers.typeCheck?.forget(path: Self.path(fromURI: uri))
    notify(PublishDiagnosticsNotification.self, .init(uri: uri, version: nil, diagnostics: []))
    if let finder = providers.clones {
      let inWorkspace = rootPath.map { Self.path(fromURI: uri)?.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") == true } ?? false
      let indexer = WorkspaceIndexer(maxFileBytes: configuration.maxFileBytes)
      let indexing = configuration.indexWorkspace
      indexQueue.async { [weak self] in
        finder.remove(uri: uri)
        if inWorkspace && indexing, let path = Self.path(fromURI: uri), let self, !self.isOpen(uri),
          !indexer.files(at: [path]).isEmpty
        {
          indexer.index([path], into: finder, cancellation: CancellationToken(), skip: { self.isOpen($0) }, progress: { _, _ in })
        }
        if wasLarge { self?.returnFreeMemoryAfterAnalysis() }
      }
    } else if wasLarge {
      returnFreeMemoryAfterAnalysis()
    }
  }

  /// Trims the heap once the large-document queue has finished the run it is on (which holds the tree) and
  /// the parse queue the parse it is on.
  private func returnFreeMemoryAfterAnalysis() {
    largeAnalysisQueue.async { [parseQueue] in parseQueue.async { Self.returnFreeMemory() } }
  }

  /// Gives the heap's free pages back to the system (glibc keeps them otherwise, so RSS never drops).
  static func returnFreeMemory() {
    #if canImport(Glibc)
      typealias Trim = @convention(c) (Int) -> Int32
      if let symbol = dlsym(nil, "malloc_trim") { _ = unsafeBitCast(symbol, to: Trim.self)(0) }
    #endif
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
