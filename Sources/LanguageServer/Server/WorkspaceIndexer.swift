import Foundation
import Syntax

/// Walks a workspace folder and feeds every JavaScript and TypeScript file to a `CloneLookup`.
/// Skips hidden folders, `node_modules`, `.d.ts` and `.min.js` files, and files over the size
/// limit. Runs on the server's index queue and polls its cancellation token between files.
public struct WorkspaceIndexer: Sendable {
  public var maxFileBytes: Int
  public var maxFiles: Int

  public init(maxFileBytes: Int, maxFiles: Int = 20_000) {
    self.maxFileBytes = maxFileBytes
    self.maxFiles = maxFiles
  }

  /// The files to index under `root`, sorted.
  public func files(under root: String) -> [String] {
    let rootURL = URL(fileURLWithPath: root, isDirectory: true)
    guard
      let walker = FileManager.default.enumerator(
        at: rootURL, includingPropertiesForKeys: [.isDirectoryKey, .fileSizeKey], options: [.skipsHiddenFiles])
    else { return [] }
    var out: [String] = []
    while let url = walker.nextObject() as? URL {
      let values = try? url.resourceValues(forKeys: [.isDirectoryKey, .fileSizeKey])
      if values?.isDirectory == true {
        if url.lastPathComponent == "node_modules" { walker.skipDescendants() }
        continue
      }
      let name = url.lastPathComponent
      guard Language(path: name) != nil, !name.hasSuffix(".d.ts"), !name.contains(".min."),
        (values?.fileSize ?? 0) <= maxFileBytes
      else { continue }
      out.append(url.path)
      if out.count >= maxFiles { break }
    }
    return out.sorted()
  }

  /// Those of `paths` that `files(under:)` would pick (by name and size).
  public func files(at paths: [String]) -> [String] {
    paths.filter { path in
      let name = (path as NSString).lastPathComponent
      guard Language(path: name) != nil, !name.hasSuffix(".d.ts"), !name.contains(".min."),
        let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
      else { return false }
      return size <= maxFileBytes
    }
  }

  /// Indexes `files` into `finder`, skipping those `skip` says the editor has open. `progress`
  /// gets (files done, total) after each file. Returns the number of files indexed.
  @discardableResult
  public func index(
    _ files: [String], into finder: any CloneLookup, cancellation: CancellationToken,
    skip: (String) -> Bool, progress: (Int, Int) -> Void
  ) -> Int {
    var parsers: [Language: Parser] = [:]
    var indexed = 0
    for (i, path) in files.enumerated() {
      if cancellation.isCancelled { break }
      defer { progress(i + 1, files.count) }
      let uri = LanguageServer.uri(fromPath: path)
      guard !skip(uri), let language = Language(path: path),
        let data = FileManager.default.contents(atPath: path), data.count <= maxFileBytes
      else { continue }
      let parser = parsers[language] ?? Parser(language: language)
      parsers[language] = parser
      guard let tree = try? parser.parse(bytes: Array(data)) else { continue }
      finder.update(uri: uri, tree: tree)
      indexed += 1
    }
    return indexed
  }
}

// MARK: - Background indexing with progress

extension LanguageServer {
  /// Indexes the workspace on the index queue, reporting `$/progress` when the editor supports
  /// it, and republishes the open documents' diagnostics when done.
  func startIndexing() {
    guard configuration.indexWorkspace, let root = rootPath, let finder = providers.clones else { return }
    indexToken?.cancel()
    let token = CancellationToken()
    indexToken = token
    indexRuns += 1
    let progressToken = "codeintel/index/\(indexRuns)"
    let indexer = WorkspaceIndexer(maxFileBytes: configuration.maxFileBytes)

    let run: @Sendable (Bool) -> Void = { [weak self] withProgress in
      self?.indexQueue.async { [weak self] in
        guard let self, !token.isCancelled else { return }
        let started = DispatchTime.now()
        if withProgress {
          self.notify(
            ProgressNotification.self,
            .init(
              token: progressToken,
              value: .init(kind: "begin", title: "codeintel: indexing", message: root, percentage: 0, cancellable: true)
            ))
        }
        let files = indexer.files(under: root)
        var lastPercent = 0
        let count = indexer.index(
          files, into: finder, cancellation: token, skip: { self.isOpen($0) },
          progress: { done, total in
            let percent = total == 0 ? 100 : done * 100 / total
            guard withProgress, percent > lastPercent else { return }
            lastPercent = percent
            self.notify(
              ProgressNotification.self,
              .init(
                token: progressToken,
                value: .init(
                  kind: "report", title: nil, message: "\(done)/\(total) files", percentage: percent,
                  cancellable: nil)))
          })
        let ms = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
        let summary =
          token.isCancelled
          ? "indexing cancelled"
          : "indexed \(count) files, \(finder.indexedFunctionCount) functions in \(Int(ms)) ms"
        Log.info(summary)
        if withProgress {
          self.notify(
            ProgressNotification.self,
            .init(
              token: progressToken,
              value: .init(kind: "end", title: nil, message: summary, percentage: nil, cancellable: nil)))
        }
        self.queue.async {
          guard self.lifecycle == .running else { return }
          for doc in self.documents.values { self.scheduleDiagnostics(doc) }
        }
      }
    }

    if clientSupportsWorkDoneProgress {
      sendRequest(WorkDoneProgressCreateRequest.self, .init(token: progressToken)) { result in
        if case .failure(let e) = result { Log.warning("the editor refused a progress token: \(e)") }
        run(result.isSuccess)
      }
    } else {
      run(false)
    }
  }
}

extension Result {
  var isSuccess: Bool {
    if case .success = self { return true }
    return false
  }
}
