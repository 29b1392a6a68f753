import CloneIndex

/// The progress line of `suggest-types` on a terminal: files done, and while the type checker works on a file,
/// its suggestions checked. Drawn by `ProgressPrinter` (nothing when stderr is not a terminal or `--quiet`;
/// at most ten times a second).
final class SuggestTypesProgress {
  private let printer: ProgressPrinter
  private let files: Int

  /// `quiet`: draw nothing (`--quiet`).
  init(files: Int, quiet: Bool = false) {
    self.files = files
    printer = ProgressPrinter(quiet: quiet, verbose: false)
  }

  /// Shows `done` files of all, and optionally the file being checked with its (checked, total) suggestions.
  /// `reading`: the project folder whose annotations are being read.
  func update(done: Int, checking path: String? = nil, suggestions: (Int, Int)? = nil, reading root: String? = nil) {
    printer.draw(
      {
        var text = "\u{1B}[K[\(done)/\(files) files]"
        if let path, let (checked, total) = suggestions { text += " checking \(path): \(checked)/\(total) suggestions" }
        if let root { text += " reading the annotations of the project \(root)" }
        return text
      }())
  }

  /// Clears the line before other output.
  func clear() { printer.finish() }
}
