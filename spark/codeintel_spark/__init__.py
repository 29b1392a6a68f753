"""Organisation-wide clone search on Apache Spark, around the `codeintel` binary (see ../README.md)."""
