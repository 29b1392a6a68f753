// The `Corpus` part of codeintel; see docs/ARCHITECTURE.md.
