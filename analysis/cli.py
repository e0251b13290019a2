"""The one command line: `python -m analysis <stage> [options]`, defaults from params.yaml."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from analysis import config, lexicon
from analysis.io import InputError, TableError, locked, staged


def _event(args: argparse.Namespace) -> config.Event:
    ev = config.load().event
    return config.make_event(
        ev.name,
        args.timezone,
        args.event_start or ev.start.replace(tzinfo=None).isoformat(),
        args.event_end or ev.end.replace(tzinfo=None).isoformat(),
    )


def _ingest(args: argparse.Namespace) -> None:
    from analysis import ingest

    # naive publication times in the manifest are local to the event unless a row names its own zone
    ingest.run(args.raw_dir, args.out_dir, args.manifest, config.load().furniture, timezone=_event(args).timezone)


def _times(args: argparse.Namespace) -> None:
    from analysis import times

    times.run(args.raw_dir, args.out_dir, _event(args).timezone)


def _claims(args: argparse.Namespace) -> None:
    from analysis import claims_stage

    claims_stage.run(args.raw_dir, args.out_dir, _event(args), args.place or config.load().place_of)


def _extract(args: argparse.Namespace) -> None:
    """Every extraction stage in order, for any corpus folder: written into a staging folder and moved into
    the out folder together at the end, so a failed run leaves the previous set as it was."""
    with staged(args.out_dir) as stage:
        inner = argparse.Namespace(**{**vars(args), "out_dir": stage})
        _ingest(inner)
        _times(inner)
        _claims(inner)


def _evaluate(args: argparse.Namespace) -> None:
    from analysis import evaluate

    p = config.load()
    unseen = args.unseen_dir or p.unseen_dir
    evaluate.run(args.out_dir, args.raw_dir, args.gold or p.annotations, args.timebank_dir, args.metrics_dir, unseen)


def _times_eval(args: argparse.Namespace) -> None:
    from analysis import times_eval

    times_eval.run(args.timebank_dir, args.metrics_dir / "times.json")


def _timeline(args: argparse.Namespace) -> None:
    from analysis import timeline

    timeline.run(args.out_dir, _event(args))


def _notebooks(args: argparse.Namespace) -> None:
    from analysis import report

    report.run_notebooks(out_dir=args.notebooks_dir)


# Stages that write tables into --out-dir: they hold its lock while they run.
WRITES_TABLES = frozenset({"ingest", "times", "claims", "extract", "timeline"})

STAGES: dict[str, tuple[str, Callable[[argparse.Namespace], None], tuple[str, ...]]] = {
    "ingest": ("manifest + raw texts -> documents.parquet, furniture.parquet", _ingest, ("event",)),
    "times": ("documents -> times.parquet (TIMEX3 expressions, resolved to UTC)", _times, ("event",)),
    "claims": ("documents, times -> claims.parquet, sources.parquet", _claims, ("event",)),
    "extract": ("ingest + times + claims for any corpus folder", _extract, ("event",)),
    "evaluate": ("claims vs gold -> metrics/extraction.json", _evaluate, ("gold", "timebank")),
    "times-eval": ("tagger vs TimeBank gold (TempEval-3 measures) -> metrics/times.json", _times_eval, ("timebank",)),
    "timeline": ("claims -> toll_timeline, toll_consensus (totals), toll_parts (parts)", _timeline, ("event",)),
    "notebooks": ("execute notebooks/src/*.ipynb -> notebooks/*.ipynb, reports/figures/", _notebooks, ("notebooks",)),
}


def build_parser() -> argparse.ArgumentParser:
    """One sub-command per stage; every default comes from params.yaml."""
    p = config.load()
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="stage", required=True)
    for name, (help_text, _, extras) in STAGES.items():
        sp = sub.add_parser(name, help=help_text, description=help_text)
        sp.add_argument("--raw-dir", type=Path, default=p.raw_dir, help="folder with manifest.csv and texts")
        sp.add_argument("--manifest", default=p.manifest_name, help="manifest file name inside --raw-dir")
        sp.add_argument("--out-dir", type=Path, default=p.processed_dir, help="folder of the tables")
        if "event" in extras:
            sp.add_argument("--timezone", default=p.event.timezone, help="IANA zone of the event (local times)")
            sp.add_argument("--event-start", help="start of the focal event, ISO local time")
            sp.add_argument("--event-end", help="end of the focal event, ISO local time")
            sp.add_argument("--place", action="append", help="a place of the focal event (repeatable)")
        if "notebooks" in extras:
            sp.add_argument(
                "--notebooks-dir", type=Path, default=config.ROOT / "notebooks", help="where executed notebooks go"
            )
        if "gold" in extras:
            sp.add_argument("--gold", type=Path, help="gold claims CSV")
            sp.add_argument("--unseen-dir", type=Path, help="blindly annotated articles of other events")
        if "timebank" in extras:
            sp.add_argument("--timebank-dir", type=Path, default=p.timebank_dir, help="TimeBank 1.2 .tml folder")
            sp.add_argument("--metrics-dir", type=Path, default=p.metrics_dir, help="folder for metrics files")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one stage; bad input (params included) exits 2 with a one-paragraph message, nothing written."""
    try:
        args = build_parser().parse_args(argv)
        lexicon.validate_all()  # a broken lexicon stops the run before any stage writes
        if "event" in STAGES[args.stage][2]:
            _event(args)  # a bad zone or window stops the run before any stage writes
        if args.stage in WRITES_TABLES:
            with locked(args.out_dir):  # one run at a time per out folder
                STAGES[args.stage][1](args)
        else:
            STAGES[args.stage][1](args)
    except (InputError, TableError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a read-only folder, a path that is a file, a full disk
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0
