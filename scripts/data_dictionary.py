"""Regenerate the README's data dictionary from the pandera models (schemas.TABLES).

Usage: python scripts/data_dictionary.py [--check]
--check exits 1 if the README section is out of date instead of rewriting it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.report.dictionary import readme_with_dictionary  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the README section is stale")
    args = parser.parse_args()
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    new = readme_with_dictionary(text)
    if args.check:
        if new != text:
            print("README data dictionary is out of date: run python scripts/data_dictionary.py", file=sys.stderr)
            return 1
        return 0
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
