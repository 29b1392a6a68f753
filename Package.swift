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
    .library(name: "CodeIntel", targets: ["CodeIntel", "Heads"]),
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

    // The engine's elementwise and row kernels (GELU, softmax rows), one clone per x86-64 level picked at load
    // time; no contraction, so every level gives the same bits (docs/TENSOR.md).
    .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off", "-w"])]),

    // MARK: - Libraries
    .target(name: "Syntax", dependencies: ["CTreeSitter", "TreeSitterGrammars"]),
    .target(name: "Randomness"),
    // The one JSON value of the package: LSP messages, tokenizer.json, the corpus's JSON lines.
    .target(name: "JSON"),
    .target(name: "Augment", dependencies: ["Syntax", "Randomness"]),
    .target(name: "Tokenizer", dependencies: ["Randomness", "JSON"], swiftSettings: optimized),
    // Tensor is optimised in debug builds too: its SIMD loops run ~100x slower at -Onone.
    .target(
      name: "Tensor", dependencies: ["COpenBLAS", "CKernels", "Randomness", "JSON"],
      swiftSettings: optimized + [.unsafeFlags(["-O"], .when(configuration: .debug))]
    ),
    .target(name: "Model", dependencies: ["Tensor", "Tokenizer", "Syntax", "Augment", "Corpus"], swiftSettings: optimized),
    .target(name: "Corpus", dependencies: ["Syntax", "Augment", "JSON"]),
    // CloneIndex takes embeddings through its `Embedder` protocol; CodeIntel adapts `Model` to it.
    .target(name: "CloneIndex", dependencies: ["Syntax", "Augment", "COpenBLAS", "CSQLite"], swiftSettings: optimized),
    // What the executables share: source loading and checks, parse reports, benchmarks, eval's document.
    .target(
      name: "CodeIntel",
      dependencies: ["Syntax", "Augment", "Tokenizer", "Tensor", "Model", "Corpus", "CloneIndex"]
    ),
    // The heads on the encoder, one folder each (Types, Names, Clones), each in the same five parts:
    // 1-Data, 2-Model, 3-Training, 4-Inference, 5-Evaluation (docs/ARCHITECTURE.md).
    .target(
      name: "Heads",
      dependencies: ["CodeIntel", "Model", "Tensor", "Tokenizer", "Corpus", "Syntax", "Augment", "CloneIndex"]
    ),
    .target(name: "LanguageServer", dependencies: ["CodeIntel", "Heads", "Syntax", "Augment", "CloneIndex", "JSON"]),

    // MARK: - Executables (argument parsing and printing only)
    .executableTarget(
      name: "codeintel", dependencies: ["CodeIntel", "Heads", "CloneIndex", "Corpus", "Model", "Tensor", "Augment", "Syntax"]),
    .executableTarget(name: "codeintel-lsp", dependencies: ["LanguageServer", "CodeIntel", "Heads", "Tensor"]),
    // A child indexer the CloneIndex tests SIGKILL mid-run (crash-safety test).
    .executableTarget(name: "clone-index-child", dependencies: ["CloneIndex"], path: "Tests/CloneIndexChild"),

    // MARK: - Tests
    .testTarget(name: "SyntaxTests", dependencies: ["Syntax"]),
    .testTarget(name: "AugmentTests", dependencies: ["Augment", "Syntax"], exclude: ["Programs", "Support"]),
    .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer"]),
    .testTarget(name: "JSONTests", dependencies: ["JSON"]),
    .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
    .testTarget(name: "ModelTests", dependencies: ["Model", "Heads", "Tensor", "Tokenizer"]),
    .testTarget(name: "CorpusTests", dependencies: ["Corpus", "Syntax"]),
    .testTarget(name: "CloneIndexTests", dependencies: ["CloneIndex", "Syntax", "Randomness"]),
    .testTarget(name: "CodeIntelTests", dependencies: ["CodeIntel", "Heads", "Model", "Tensor", "Tokenizer", "Syntax"]),
    .testTarget(name: "LanguageServerTests", dependencies: ["LanguageServer", "CodeIntel", "Heads", "CloneIndex", "Syntax"]),
  ],
  swiftLanguageModes: [.v6]
)
