// swift-tools-version: 6.0
// codeintel: native code intelligence for JavaScript and TypeScript (ContraCode, arXiv 2007.04973).
// No package dependencies: the toolchain plus Debian's libtree-sitter-dev, libopenblas-dev and
// libsqlite3-dev. The grammar C sources are fetched by Grammars/fetch.sh (see README.md).
import PackageDescription

let optimized: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]

let package = Package(
  name: "codeintel",
  products: [
    .executable(name: "codeintel", targets: ["codeintel"]),
    .executable(name: "codeintel-lsp", targets: ["codeintel-lsp"]),
    .library(name: "CodeIntel", targets: ["CodeIntel"]),
  ],
  targets: [
    // MARK: - System libraries and grammars
    .systemLibrary(name: "CTreeSitter", path: "Sources/CTreeSitter"),
    .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
    .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
    .target(
      name: "TreeSitterGrammars",
      path: "Grammars/TreeSitterGrammars",
      cSettings: [.unsafeFlags(["-O2", "-w"])]
    ),

    // MARK: - Libraries
    .target(name: "Syntax", dependencies: ["CTreeSitter", "TreeSitterGrammars"]),
    .target(name: "Randomness"),
    .target(name: "Augment", dependencies: ["Syntax", "Randomness"]),
    .target(name: "Tokenizer", dependencies: ["Randomness"], swiftSettings: optimized),
    // Tensor is optimised in debug builds too: its SIMD loops run ~100x slower at -Onone.
    .target(
      name: "Tensor", dependencies: ["COpenBLAS", "Randomness"],
      swiftSettings: optimized + [.unsafeFlags(["-O"], .when(configuration: .debug))]
    ),
    .target(name: "Model", dependencies: ["Tensor", "Tokenizer", "Syntax", "Augment", "Corpus"], swiftSettings: optimized),
    .target(name: "Corpus", dependencies: ["Syntax", "Augment"]),
    // CloneIndex takes embeddings through its `Embedder` protocol; CodeIntel adapts `Model` to it.
    .target(name: "CloneIndex", dependencies: ["Syntax", "Augment", "COpenBLAS", "CSQLite"], swiftSettings: optimized),
    .target(
      name: "CodeIntel",
      dependencies: ["Syntax", "Augment", "Tokenizer", "Tensor", "Model", "Corpus", "CloneIndex"]
    ),
    .target(name: "LanguageServer", dependencies: ["CodeIntel", "Syntax", "CloneIndex"]),

    // MARK: - Executables (argument parsing and printing only)
    .executableTarget(
      name: "codeintel", dependencies: ["CodeIntel", "CloneIndex", "Corpus", "Model", "Tensor", "Augment", "Syntax"]),
    .executableTarget(name: "codeintel-lsp", dependencies: ["LanguageServer", "CodeIntel", "Tensor"]),
    // A child indexer the CloneIndex tests SIGKILL mid-run (crash-safety test).
    .executableTarget(name: "clone-index-child", dependencies: ["CloneIndex"], path: "Tests/CloneIndexChild"),

    // MARK: - Tests
    .testTarget(name: "SyntaxTests", dependencies: ["Syntax"]),
    .testTarget(name: "AugmentTests", dependencies: ["Augment", "Syntax"], exclude: ["Programs", "Support"]),
    .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer"]),
    .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
    .testTarget(name: "ModelTests", dependencies: ["Model", "Tensor", "Tokenizer"]),
    .testTarget(name: "CorpusTests", dependencies: ["Corpus", "Syntax"]),
    .testTarget(name: "CloneIndexTests", dependencies: ["CloneIndex", "Syntax"]),
    .testTarget(name: "CodeIntelTests", dependencies: ["CodeIntel", "Model", "Tokenizer", "Syntax"]),
    .testTarget(name: "LanguageServerTests", dependencies: ["LanguageServer", "CodeIntel", "CloneIndex", "Syntax"]),
  ],
  swiftLanguageModes: [.v6]
)
