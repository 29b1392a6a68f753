// A child indexer for the CloneIndex crash-safety test; filled in with the indexer.
import CloneIndex
