// The `CloneIndex` part of codeintel; see docs/ARCHITECTURE.md.
