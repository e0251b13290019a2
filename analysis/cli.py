"""The one command line: `python -m analysis <stage> [options]`, defaults from params.yaml."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from analysis import config
from analysis.io import InputError, TableError


def _ingest(args: argparse.Namespace) -> None:
    from analysis import ingest

    ingest.run(args.raw_dir, args.out_dir, args.manifest, config.load().furniture)


STAGES: dict[str, tuple[str, Callable[[argparse.Namespace], None]]] = {
    "ingest": ("manifest + raw texts -> documents.parquet, furniture.parquet", _ingest),
}


def build_parser() -> argparse.ArgumentParser:
    """One sub-command per stage; every default comes from params.yaml."""
    p = config.load()
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="stage", required=True)
    for name, (help_text, _) in STAGES.items():
        sp = sub.add_parser(name, help=help_text, description=help_text)
        sp.add_argument("--raw-dir", type=Path, default=p.raw_dir, help="folder with manifest.csv and texts")
        sp.add_argument("--manifest", default=p.manifest_name, help="manifest file name inside --raw-dir")
        sp.add_argument("--out-dir", type=Path, default=p.processed_dir, help="folder for the output tables")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one stage; bad input exits 2 with a one-paragraph message, nothing written."""
    args = build_parser().parse_args(argv)
    try:
        STAGES[args.stage][1](args)
    except (InputError, TableError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
