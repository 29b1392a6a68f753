// The `Model` part of codeintel; see docs/ARCHITECTURE.md.
