// The `Tensor` part of codeintel; see docs/ARCHITECTURE.md.
