"""The one command line: `python -m analysis <command> [options]`, defaults from a params file."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from analysis import config, lexicon
from analysis.io import InputError, TableError, locked, staged
from analysis.stages import notebooks

EPILOG = f"""\
Defaults come from a params file: --params FILE, else the file named by ${config.PARAMS_ENV}, else the
project's params.yaml (the bundled 2007 Islamabad case, which `dvc repro` runs). Relative paths in a params
file are read from its folder.

Your own event, from an empty folder: `init DIR`, `import FILE --into DIR`, `run DIR`
(README, "Use it on your own corpus")."""


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Each option's default after its help (none for options without one); descriptions kept as written."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False) or action.default is argparse.SUPPRESS:
            return action.help
        return super()._get_help_string(action)


def params_file(given: Path | str | None = None) -> Path:
    """The params file in use: given, else $TOLLWATCH_PARAMS, else the project's params.yaml."""
    return Path(given or os.environ.get(config.PARAMS_ENV) or config.PARAMS_FILE).resolve()


def is_project_params(path: Path) -> bool:
    """Whether path is the project's own params.yaml (the bundled case)."""
    return Path(path).resolve() == config.PARAMS_FILE.resolve()


def _params(args: argparse.Namespace) -> config.Params:
    return config.load(getattr(args, "params", None))


def _window_given(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "event_start", None) or getattr(args, "event_end", None))


def _event(args: argparse.Namespace) -> config.Event:
    """The params' event with --timezone, --event-start and --event-end applied; a bad value's error names its
    option (an empty one is bad, not the default)."""
    ev = _params(args).event
    zone, start, end = (getattr(args, key, None) for key in ("timezone", "event_start", "event_end"))
    given = [opt for opt, value in (("--event-start", start), ("--event-end", end)) if value is not None]
    if zone is not None:
        _option_value("--timezone", config.check_zone, zone)
    for opt, value in (("--event-start", start), ("--event-end", end)):
        if value is not None:
            _option_value(opt, config.parse_local, value, zone or ev.timezone)
    try:
        return config.make_event(
            ev.name,
            zone if zone is not None else ev.timezone,
            start if start is not None else ev.start.replace(tzinfo=None).isoformat(),
            end if end is not None else ev.end.replace(tzinfo=None).isoformat(),
        )
    except ValueError as exc:  # only an empty window is left: name what moved it
        raise InputError(f"{', '.join(given) or _params_name(args)}: {exc}") from None


def _option_value(option: str, parse: Callable, *values):
    """parse(*values), its ValueError raised as an InputError naming the option."""
    try:
        return parse(*values)
    except ValueError as exc:
        raise InputError(f"{option}: {exc}") from None


def _params_name(args: argparse.Namespace) -> str:
    return f"{params_file(getattr(args, 'params', None))}: key event"


def _places(args: argparse.Namespace):
    """--place, else the params' places; the bundled event's places never apply to a window given on the
    command line (another event)."""
    if args.place:
        return args.place
    if _window_given(args) and is_project_params(args.params):
        return ()
    return _params(args).place_of


def _ingest(args: argparse.Namespace) -> None:
    from analysis.stages import ingest

    # naive publication times in the manifest are local to the event unless a row names its own zone
    ingest.run(args.raw_dir, args.out_dir, args.manifest, _params(args).furniture, timezone=_event(args).timezone)


def _times(args: argparse.Namespace) -> None:
    from analysis.stages import times

    times.run(args.raw_dir, args.out_dir, _event(args).timezone)


def _claims(args: argparse.Namespace) -> None:
    from analysis.stages import claims as claims_stage

    claims_stage.run(args.raw_dir, args.out_dir, _event(args), _places(args))


def _extract(args: argparse.Namespace) -> None:
    """Every extraction stage in order, for any corpus folder: written into a staging folder and moved into
    the out folder together at the end, so a failed run leaves the previous set as it was."""
    from analysis.stages import extract as engine

    event = _event(args)
    with staged(args.out_dir) as stage:
        done = engine.run(args.raw_dir, stage, args.manifest, _params(args).furniture, event, _places(args),
                          workers=args.workers, dask=args.engine == "dask", scheduler=args.scheduler)  # fmt: skip
    args.read = f"{done.n_bytes / 1e6:.1f} MB in {done.seconds:.1f} s"  # for the closing line


def _evaluate(args: argparse.Namespace) -> None:
    from analysis.stages import evaluate

    p = _params(args)
    unseen = {
        "unseen": args.unseen_dir or p.unseen_dir,
        "unseen2": args.unseen2_dir or p.unseen2_dir,
        "unseen3": args.unseen3_dir or p.unseen3_dir,
        "unseen4": args.unseen4_dir or p.unseen4_dir,
    }
    evaluate.run(args.out_dir, args.raw_dir, args.gold or p.annotations, args.timebank_dir, args.metrics_dir, unseen)


def _times_eval(args: argparse.Namespace) -> None:
    from analysis.stages import times_eval

    times_eval.run(args.timebank_dir, args.metrics_dir / "times.json")


def _timeline(args: argparse.Namespace) -> None:
    from analysis.stages import timeline

    timeline.run(args.out_dir, _event(args))


def _notebooks(args: argparse.Namespace) -> None:

    # the kernels read the same params file as this command (they cannot see --params)
    env = {**os.environ, config.PARAMS_ENV: str(args.params)}
    notebooks.run_notebooks(out_dir=args.notebooks_dir, env=env)


def _exports(args: argparse.Namespace) -> None:
    from analysis.stages import exports

    exports.write_exports(args.out_dir, args.exports_dir, _event(args))


def _report(args: argparse.Namespace) -> None:
    from analysis.stages import report as html_report

    html_report.write_report(args.out_dir, args.figures_dir, args.report, _event(args))


# Stages that write tables into --out-dir: they hold its lock while they run.
WRITES_TABLES = frozenset({"ingest", "times", "claims", "extract", "timeline"})
# What each option group adds (see _add_options); a stage takes only the options it uses.
STAGES: dict[str, tuple[str, Callable[[argparse.Namespace], None], tuple[str, ...]]] = {
    "ingest": ("manifest + raw texts -> documents.parquet, furniture.parquet", _ingest,
               ("raw", "manifest", "out", "zone")),
    "times": ("documents -> times.parquet (TIMEX3 expressions, resolved to UTC)", _times, ("raw", "out", "zone")),
    "claims": ("documents, times -> claims.parquet, sources.parquet", _claims,
               ("raw", "out", "zone", "window", "place")),
    "extract": ("ingest + times + claims for any corpus folder", _extract,
                ("raw", "manifest", "out", "zone", "window", "place", "workers")),
    "evaluate": ("claims vs gold -> metrics/extraction.json", _evaluate, ("raw", "out", "gold", "timebank")),
    "times-eval": ("tagger vs TimeBank gold (TempEval-3 measures) -> metrics/times.json", _times_eval,
                   ("timebank",)),
    "timeline": ("claims -> toll_timeline, toll_consensus (totals), toll_parts (parts)", _timeline,
                 ("out", "zone", "window")),
    "notebooks": ("execute notebooks/src/*.ipynb -> executed notebooks, figures", _notebooks, ("notebooks",)),
    "exports": ("tables -> exports/claims.csv, exports/toll_series.csv (tidy CSVs for analysts)", _exports,
                ("out", "exports")),
    "report": ("tables, main figure -> report.html (one self-contained page)", _report, ("out", "figures", "report")),
}  # fmt: skip
# What a stage's closing line counts (extract and timeline: the two a user runs by hand): table -> rows are.
SUMMARY_TABLES = {
    "extract": {"documents": "documents", "furniture": "furniture spans", "times": "time expressions",
                "claims": "claims", "sources": "sources"},
    "timeline": {"toll_timeline": "distinct figures", "toll_consensus": "consensus rows", "toll_parts": "parts"},
}  # fmt: skip


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"a whole number of at least 1 expected, got {value!r}")
    return int(value)


def _path(value: str) -> Path:
    """A path option: an empty one would silently mean the working folder."""
    if not value.strip():
        raise argparse.ArgumentTypeError("an empty path")
    return Path(value)


def _file_name(value: str) -> str:
    """--manifest: a file name inside --raw-dir, never a path leading elsewhere."""
    if not value.strip() or value in (".", "..") or "/" in value or "\\" in value:
        raise argparse.ArgumentTypeError(f"a file name inside --raw-dir expected, got {value!r}")
    return value


def _text(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("empty")
    return value.strip()


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (an InputError naming the command and option), not a
    usage block and a SystemExit."""

    def error(self, message: str):
        command = self.prog.removeprefix("python -m analysis").strip()
        raise InputError(f"{command}: {message}" if command else f"{message} (python -m analysis --help lists them)")


def _cores() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _raw_options(sp: argparse.ArgumentParser, p: config.Params, source: Path) -> None:
    """--raw-dir."""
    sp.add_argument("--raw-dir", type=_path, default=p.raw_dir, help="folder with the manifest and texts")


def _manifest_options(sp: argparse.ArgumentParser, p: config.Params, source: Path) -> None:
    """--manifest."""
    sp.add_argument("--manifest", type=_file_name, default=p.manifest_name, help="manifest file name inside --raw-dir")


def _out_options(sp: argparse.ArgumentParser, p: config.Params, source: Path) -> None:
    """--out-dir."""
    sp.add_argument("--out-dir", type=_path, default=p.processed_dir, help="folder of the tables")


def _zone_options(sp: argparse.ArgumentParser, p: config.Params, source: Path) -> None:
    """--timezone (no default of its own: the params' zone applies unless given)."""
    sp.add_argument("--timezone", help=f"IANA zone of the event, for local times (default: {p.event.timezone})")


def _window_options(sp: argparse.ArgumentParser, p: config.Params, source: Path) -> None:
    """--event-start and --event-end (no defaults of their own: the params' window applies unless given)."""
    ev, local = p.event, "%Y-%m-%dT%H:%M"
    sp.add_argument("--event-start", help=f"start of the focal event, ISO local time (default: {ev.start:{local}})")
    sp.add_argument("--event-end", help=f"end of the focal event, ISO local time (default: {ev.end:{local}})")


def _place_options(sp: argparse.ArgumentParser, p: config.Params, source: Path) -> None:
    """--place, repeatable."""
    sp.add_argument("--place", action="append", type=_text, help="a place of the focal event (repeatable; default: the "
                    "params file's places)")  # fmt: skip


def _workers_options(sp: argparse.ArgumentParser, p: config.Params, source: Path) -> None:
    """--workers, --engine and --scheduler: how the documents are read (never what the tables hold)."""
    sp.add_argument(
        "--workers", type=_positive, default=_cores(),
        help="processes to read documents with (the tables are the same for any number)",
    )  # fmt: skip
    sp.add_argument(
        "--engine", choices=("local", "dask"), default="local",
        help="local processes, or a Dask cluster (the same tables)",
    )  # fmt: skip
    sp.add_argument(
        "--scheduler", metavar="ADDRESS",
        help="a running Dask scheduler, 'tcp://host:8786' (--engine dask; default: a local cluster of --workers)",
    )  # fmt: skip


def _notebooks_options(sp: argparse.ArgumentParser, p: config.Params, source: Path) -> None:
    """--notebooks-dir, beside the params file by default."""
    sp.add_argument("--notebooks-dir", type=_path, default=source.parent / "notebooks",
                    help="where the executed notebooks go: notebooks/ beside the params file unless given (figures go "
                    "to the params' figures_dir)")  # fmt: skip


def _exports_options(sp: argparse.ArgumentParser, p: config.Params, source: Path) -> None:
    """--exports-dir, beside the tables' folder by default."""
    sp.add_argument("--exports-dir", type=_path, default=p.processed_dir.parent / "exports",
                    help="where the CSV exports go (exports/ beside the tables' folder unless given)")  # fmt: skip


def _figures_options(sp: argparse.ArgumentParser, p: config.Params, source: Path) -> None:
    """--figures-dir."""
    sp.add_argument("--figures-dir", type=_path, default=p.figures_dir, help="folder of the figures")


def _report_options(sp: argparse.ArgumentParser, p: config.Params, source: Path) -> None:
    """--report, beside the figures' folder by default."""
    sp.add_argument("--report", type=_path, default=p.figures_dir.parent / "report.html",
                    help="the report page (report.html beside the figures' folder unless given)")  # fmt: skip


def _gold_options(sp: argparse.ArgumentParser, p: config.Params, source: Path) -> None:
    """--gold and --unseen-dir, --unseen2-dir, --unseen3-dir, --unseen4-dir: the annotated claims to score against."""
    sp.add_argument("--gold", type=_path, help=f"gold claims CSV (default: {p.annotations})")
    sp.add_argument("--unseen-dir", type=_path, help="blindly annotated articles of other events")
    sp.add_argument("--unseen2-dir", type=_path, help="a second blind set, annotated after the first was used")
    sp.add_argument("--unseen3-dir", type=_path, help="a third blind set, annotated after the second was used")
    sp.add_argument("--unseen4-dir", type=_path, help="a fourth blind set, annotated after the third was used")


def _timebank_options(sp: argparse.ArgumentParser, p: config.Params, source: Path) -> None:
    """--timebank-dir and --metrics-dir."""
    sp.add_argument("--timebank-dir", type=_path, default=p.timebank_dir, help="TimeBank 1.2 .tml folder")
    sp.add_argument("--metrics-dir", type=_path, default=p.metrics_dir, help="folder for metrics files")


# Each option group's options, in the order every stage's --help lists them (STAGES names the groups a stage takes).
OPTION_GROUPS: tuple[tuple[str, Callable[[argparse.ArgumentParser, config.Params, Path], None]], ...] = (
    ("raw", _raw_options),
    ("manifest", _manifest_options),
    ("out", _out_options),
    ("zone", _zone_options),
    ("window", _window_options),
    ("place", _place_options),
    ("workers", _workers_options),
    ("notebooks", _notebooks_options),
    ("exports", _exports_options),
    ("figures", _figures_options),
    ("report", _report_options),
    ("gold", _gold_options),
    ("timebank", _timebank_options),
)


def _add_options(sp: argparse.ArgumentParser, groups: tuple[str, ...], p: config.Params, source: Path) -> None:
    """The stage's options, each with the default the params file gives it."""
    for name, add in OPTION_GROUPS:
        if name in groups:
            add(sp, p, source)


def _add_workflow(sub) -> None:
    """init, import and run: a new event's folder from nothing to its report."""
    sp = sub.add_parser("init", help="start a folder for your own event: params.yaml, raw/, manifest template",
                        description=INIT_DOC, formatter_class=HelpFormatter)  # fmt: skip
    sp.add_argument("dir", type=_path, help="the event's folder (created)")
    sp.add_argument("--name", help="the event's name, as the report titles it")
    sp.add_argument("--timezone", help="IANA zone of the event ('Europe/Madrid')")
    sp.add_argument("--start", help="start of the focal event, local time (YYYY-MM-DD or YYYY-MM-DDTHH:MM)")
    sp.add_argument("--end", help="end of the focal event, local time")
    sp.add_argument(
        "--area",
        metavar="NAME[=ALIAS,...]",
        help="the city or area the whole event happened in: a count there is the whole event's",
    )
    sp.add_argument(
        "--place",
        action="append",
        metavar="NAME[=ALIAS,...]",
        help="a site within the event that counts can be tied to (repeatable)",
    )
    sp.add_argument("--force", action="store_true", help="overwrite an existing DIR/params.yaml")  # fmt: skip

    sp = sub.add_parser("import", help="a CSV or JSON Lines file of articles -> DIR/raw/*.txt + manifest.csv",
                        description=IMPORT_DOC, formatter_class=HelpFormatter)  # fmt: skip
    sp.add_argument("file", type=_path, help="CSV (header row) or JSON Lines (.jsonl, .ndjson), UTF-8")
    sp.add_argument("--into", type=_path, required=True, help="the event's folder: texts go to DIR/raw")
    sp.add_argument("--format", choices=("csv", "jsonl"), help="file format (default: from the file's suffix)")
    for field, default in (("id", "id"), ("outlet", "outlet"), ("published", "published"), ("text", "text"),
                           ("url", "url"), ("agency", "agency")):  # fmt: skip
        sp.add_argument(f"--{field}-column", default=default, help=f"column holding the article's {field}")

    sp = sub.add_parser("run", help="every stage for your own event: tables, figures, notebooks, exports, report",
                        description=RUN_DOC, formatter_class=HelpFormatter)  # fmt: skip
    sp.add_argument("dir", type=_path, nargs="?", help="the event's folder (reads DIR/params.yaml)")
    sp.add_argument("--params", type=_path, help="a params file instead of DIR (outputs go beside it)")
    sp.add_argument("--no-notebooks", action="store_true", help="skip the executed notebooks (the slowest step)")


INIT_DOC = """\
Start a folder for your own event: DIR/params.yaml (every path inside DIR), DIR/raw/ and a manifest template.
Options left out are asked for on a terminal; elsewhere they are required. It never writes outside DIR.

Places: --area "Madrid=Spanish capital,the capital" --place "Atocha=Atocha station" --place "El Pozo"
(a name, then '=' and its other names separated by commas)."""
IMPORT_DOC = """\
Turn an export of articles into DIR/raw/<id>.txt files and DIR/raw/manifest.csv. One row or line per
article: id, outlet, published time (ISO 8601, '2023-06-06 14:22', or RFC 2822 as in RSS), text and optional
url and agency; rename columns with the --*-column options. A bad row stops the import with an error naming its
line, and nothing is written."""
RUN_DOC = """\
Every stage for your own event, in order, into the event's folder: extract -> processed/, timeline,
figures -> figures/, executed notebooks -> notebooks/, exports -> exports/, report -> report.html.
The params are checked before anything is written. Progress goes to stderr, the closing summary to stdout."""

WORKFLOW = frozenset({"init", "import", "run"})


def build_parser(params: Path | str | None = None) -> argparse.ArgumentParser:
    """One sub-command per stage, defaults from the params file (params, $TOLLWATCH_PARAMS or params.yaml),
    and init, import and run for a new event."""
    source = params_file(params)
    p = config.load(source)
    parser = Parser(prog="python -m analysis", description=__doc__, epilog=EPILOG,
                    formatter_class=HelpFormatter)  # fmt: skip
    sub = parser.add_subparsers(dest="stage", required=True, metavar="command")
    _add_workflow(sub)
    for name, (help_text, _, groups) in STAGES.items():
        sp = sub.add_parser(name, help=help_text, description=help_text, epilog=EPILOG, formatter_class=HelpFormatter)
        sp.add_argument("--params", type=_path, default=source, help="params file for every default below")
        _add_options(sp, groups, p, source)
    return parser


def parse(argv: list[str]) -> argparse.Namespace:
    """argv parsed against the params file it names (--params), else the default one."""
    pre = Parser(prog="python -m analysis", add_help=False)
    pre.add_argument("--params", type=_path)
    given, _ = pre.parse_known_args(argv)
    parser = build_parser(given.params)
    args, extra = parser.parse_known_args(argv)
    if extra:
        raise InputError(_not_an_option(parser, args.stage, extra[0]))
    if getattr(args, "scheduler", None) and args.engine != "dask":
        raise InputError(f"{args.stage}: --scheduler is for --engine dask (the local engine has no scheduler)")
    if getattr(args, "params", None) is not None:
        args.params = Path(args.params).resolve()
    return args


def _not_an_option(parser: argparse.ArgumentParser, command: str, word: str) -> str:
    """An option the command does not take is an error, not ignored: say which it does take."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[command]
    takes = [o for a in sub._actions for o in a.option_strings if o.startswith("--") and o != "--help"]
    if not word.startswith("-"):
        return f"{command}: unexpected argument {word!r}"
    return f"{command}: {word.split('=')[0]} is not an option of this command (it takes {', '.join(takes) or 'none'})"


def _publication_dates(stage: str, args: argparse.Namespace, zone: str) -> list:
    """The corpus's publication dates: from the manifest (extract) or the documents table (claims,
    timeline); [] when there is nothing yet to read (the stage itself then says what is missing)."""
    if stage == "extract":
        from analysis.stages import ingest

        return [r.published_on for r in ingest.read_manifest(args.raw_dir, args.manifest, zone)]
    path = Path(args.out_dir) / "documents.parquet"
    if not path.is_file():
        return []
    import pandas as pd

    return list(pd.read_parquet(path, columns=["published_on"])["published_on"])


def check_window(stage: str, args: argparse.Namespace, event: config.Event) -> str | None:
    """An event window far from the corpus's publication dates: an error when the window is the bundled
    case's (params.yaml, no window given), else a warning (returned for the caller to print)."""
    dates = _publication_dates(stage, args, event.timezone)
    if not dates:
        return None
    first, last = min(dates), max(dates)
    start, end = event.start.astimezone(event.zone).date(), event.end.astimezone(event.zone).date()
    if last < start - timedelta(days=1):
        why = f"every document was published ({first} to {last}) before the event start ({start})"
    elif first > end + timedelta(days=365):
        why = f"every document was published ({first} to {last}) more than a year after the event end ({end})"
    else:
        return None
    if is_project_params(args.params) and not _window_given(args):
        raise InputError(
            f"{stage}: {why}: the window is the bundled case's ({config.PARAMS_FILE.name}: {_params(args).event.name});"
            f" give this corpus's own with --event-start, --event-end and --timezone, or --params FILE"
        )
    return f"warning: {stage}: {why}; is the event window right?"


def _count(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


def counts(stage: str, out_dir: Path) -> str:
    """What a stage wrote, counted: '5 documents, 6 furniture spans, ...'."""
    return ", ".join(f"{_count(Path(out_dir) / f'{t}.parquet')} {label}" for t, label in SUMMARY_TABLES[stage].items())


def check_outputs(stage: str, args: argparse.Namespace) -> None:
    """Another corpus's notebooks, figures, exports and report never overwrite the project's committed ones."""
    if is_project_params(args.params):
        return
    from analysis.workflow import check_outside_project

    if stage == "notebooks":
        check_outside_project(args.notebooks_dir, "--notebooks-dir", args.params)
        check_outside_project(_params(args).figures_dir, "paths.figures_dir", args.params)
    elif stage == "exports":
        check_outside_project(args.exports_dir, "--exports-dir", args.params)
    elif stage == "report":
        check_outside_project(args.report, "--report", args.params)


def check_scheduler(address: str, timeout: float = 5.0) -> None:
    """--scheduler: a TCP address something answers at, checked before any work (Dask itself would wait 30 s
    and then fail without naming the option). Other protocols (tls://, ucx://) are left to Dask."""
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    if scheme != "tcp":
        return
    host, colon, port = rest.rstrip("/").rpartition(":")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"--scheduler {address!r}: not an address (tcp://HOST:PORT, such as tcp://10.0.0.5:8786)")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as exc:
        raise InputError(f"--scheduler {address}: no Dask scheduler answers there ({exc.strerror or exc})") from None


def execute(args: argparse.Namespace) -> None:
    """Run one parsed stage after every check that needs no writing."""
    lexicon.validate_all()  # a broken lexicon stops the run before any stage writes
    if getattr(args, "scheduler", None):
        check_scheduler(args.scheduler)
    groups = STAGES[args.stage][2]
    warning = None
    if "zone" in groups:
        event = _event(args)  # a bad zone or window stops the run before any stage writes
        if "window" in groups:
            warning = check_window(args.stage, args, event)
    check_outputs(args.stage, args)
    if warning:
        print(warning, file=sys.stderr)
    if args.stage in WRITES_TABLES:
        with locked(args.out_dir):  # one run at a time per out folder
            STAGES[args.stage][1](args)
    else:
        STAGES[args.stage][1](args)


def main(argv: list[str] | None = None) -> int:
    """Run one command; bad input (params included) exits 2 with a one-paragraph message, nothing written."""
    argv = sys.argv[1:] if argv is None else argv
    args = None  # an OSError while parsing has no out folder to name
    try:
        args = parse(argv)
        if args.stage in WORKFLOW:
            from analysis import workflow

            workflow.command(args)
        else:
            execute(args)
            if args.stage in SUMMARY_TABLES:
                read = f" ({args.read})" if getattr(args, "read", None) else ""
                print(f"{args.stage}: {counts(args.stage, args.out_dir)} -> {args.out_dir}{read}", file=sys.stderr)
    except (InputError, TableError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a read-only folder, a path that is a file, a full disk, an unreachable scheduler
        # an error of the folder written to names no file (a full disk as a table is flushed): name the folder
        where = exc.filename or getattr(args, "out_dir", None)
        where = f"{where}: " if where else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:  # a notebook that failed (notebooks.NotebookError says which)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
