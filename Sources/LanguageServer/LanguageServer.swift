// The `LanguageServer` part of codeintel; see docs/ARCHITECTURE.md.
