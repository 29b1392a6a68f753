import CodeIntel
import Foundation
import Tensor

// MARK: - Commands

/// Every subcommand, in the order `--help` lists them.
let commands: [any CLICommand.Type] = [
  ClonesCommand.self,
  IndexCommand.self,
  SearchCommand.self,
  EmbedCommand.self,
  UnitsCommand.self,
  GroupUnitsCommand.self,
  SuggestTypesCommand.self,
  SuggestNamesCommand.self,
  EvalCommand.self,
  ParseCommand.self,
  AugmentCommand.self,
  CorpusCommand.self,
  PretrainCommand.self,
  FinetuneCommand.self,
  BenchCommand.self,
]

let version = "0.1.0"

let overview = """
  codeintel \(version): code intelligence for JavaScript and TypeScript.

  Finds duplicated logic (exact, renamed and functional clones), suggests TypeScript types, and
  parses JS/TS/TSX into function units and scopes. Start with `codeintel clones <repo>`.

  USAGE: codeintel <command> [options]

  COMMANDS:
  \(commands.map { "  " + $0.name.padding(toLength: 15, withPad: " ", startingAt: 0) + $0.summary }.joined(separator: "\n"))

  OPTIONS:
    -h, --help     Show this help, or a command's help with `codeintel <command> --help`.
    --version      Print the version (with --verbose: the CPU, the OpenBLAS library and the kernels
                   it runs; see docs/TENSOR.md).

  Exit status: 0 success, 1 an input could not be processed, 2 a usage error,
  3 `clones --fail-on-clones` found clones.
  """

// MARK: - Entry point

func fail(_ message: String, status: Int32) -> Never {
  FileHandle.standardError.write(Data("codeintel: error: \(message)\n".utf8))
  exit(status)
}

// Before any matrix product: make OpenBLAS use the best kernels it has for this CPU (may re-execute once).
let blasStatus = BLASKernel.selectAtStartup { FileHandle.standardError.write(Data("codeintel: warning: \($0)\n".utf8)) }

let arguments = Array(CommandLine.arguments.dropFirst())
guard let first = arguments.first else {
  print(overview)
  exit(0)
}
switch first {
case "-h", "--help", "help":
  if arguments.count > 1, let command = commands.first(where: { $0.name == arguments[1] }) {
    print(command.help)
  } else {
    print(overview)
  }
  exit(0)
case "--version", "-V":
  print("codeintel \(version)")
  if arguments.dropFirst().contains("--verbose") { print(blasStatus) }
  exit(0)
default:
  guard let command = commands.first(where: { $0.name == first }) else {
    fail("unknown command '\(first)'; run 'codeintel --help' for the list", status: 2)
  }
  let rest = Array(arguments.dropFirst())
  if rest.contains("--help") || rest.contains("-h") {
    print(command.help)
    exit(0)
  }
  do {
    exit(try command.run(rest))
  } catch let error as UsageError {
    fail("\(error.description) (see 'codeintel \(command.name) --help')", status: 2)
  } catch {
    fail("\(error)", status: 1)
  }
}
