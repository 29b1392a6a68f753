"""Entry point for spark-submit: `spark-submit --py-files codeintel_spark.zip submit.py clones ...`
(the same arguments as `codeintel-spark`; the master comes from spark-submit)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from codeintel_spark.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
