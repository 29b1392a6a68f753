// The `CodeIntel` part of codeintel; see docs/ARCHITECTURE.md.
