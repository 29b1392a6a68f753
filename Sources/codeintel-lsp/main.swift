// codeintel-lsp: the codeintel language server over stdio. Argument handling only; the server is
// the LanguageServer library.
import Foundation
import CodeIntel
import Heads
import LanguageServer
import Tensor

#if canImport(Glibc)
  import Glibc
#endif

let usage = """
  usage: codeintel-lsp [--stdio]

  Speaks the Language Server Protocol 3.17 on stdin/stdout for .js .mjs .cjs .jsx .ts .mts .cts .tsx
  files: type inlay hints, hover, code actions, clone diagnostics, and predicted names when a
  method-name head is installed (CODEINTEL_NAMES_MODEL or names/ next to the default model).
  Functional clones come from the workspace's clone index (codeintel clones) and are decided as the
  command line decides them: the learned pair scorer (clone-scorer.json next to the default model)
  at its calibrated bar; without it, cosine >= diagnostics.minSimilarity (the editor's log says so).
  Logs go to stderr (CODEINTEL_LSP_LOG=debug|info|warning|error). See docs/LSP.md.

  """

for argument in CommandLine.arguments.dropFirst() {
  switch argument {
  case "--stdio": continue
  case "--version":
    print("codeintel-lsp 0.1.0")
    exit(0)
  case "-h", "--help":
    print(usage, terminator: "")
    exit(0)
  default:
    FileHandle.standardError.write(Data("codeintel-lsp: unknown argument \(argument)\n\(usage)".utf8))
    exit(2)
  }
}

// Before any matrix product: make OpenBLAS use the best kernels it has for this CPU (may re-execute once,
// before a byte of stdin is read).
let blasStatus = BLASKernel.selectAtStartup { Log.warning($0) }
for line in blasStatus.description.split(separator: "\n") { Log.info(String(line)) }

signal(SIGPIPE, SIG_IGN)
var providers = AnalysisProviders.installed { FileHandle.standardError.write(Data("codeintel-lsp: \($0)\n".utf8)) }
// The method-name head, when one is installed ($CODEINTEL_NAMES_MODEL, else names/ next to the default model).
if let names = try? NameModel.loadDefault() {
  providers.names = HeadNameSuggester(model: names)
  FileHandle.standardError.write(Data("codeintel-lsp: method-name head \(names.directory)\n".utf8))
}
let server = LanguageServer(connection: StdioConnection(), providers: providers) { code in exit(code) }
server.start()
dispatchMain()
