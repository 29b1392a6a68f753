// The `Tokenizer` part of codeintel; see docs/ARCHITECTURE.md.
