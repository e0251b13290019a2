"""Entry point for `python -m analysis`."""

import sys

from analysis.cli import main

# guarded: worker processes of `extract --workers` import the main module again, and must not rerun the CLI
if __name__ == "__main__":
    sys.exit(main())
