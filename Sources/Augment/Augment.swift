// The `Augment` part of codeintel; see docs/ARCHITECTURE.md.
