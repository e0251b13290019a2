"""Commands `init`, `import` and `run`: a folder for your own event, from a CSV of articles to its report."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from analysis import config
from analysis.io import InputError, write_text_atomic

PARAMS_NAME = "params.yaml"
MANIFEST_TEMPLATE = "doc_id,outlet,published_on,agency,url\n"
# The project's own outputs: another event's run never writes into them.
PROJECT_OUTPUTS = ("data", "notebooks", "reports", "metrics")
MAIN_FIGURE = "toll_by_outlet_and_hour"
# What `run` runs, as CLI stages with the params file's defaults (figures come from the notebooks, or
# write_figures when they are skipped).
RUN_STAGES = ("extract", "timeline", "notebooks", "exports", "report")

PARAMS_TEMPLATE = """\
# tollwatch params for one event, written by `python -m analysis init`; `python -m analysis run` reads it.
# Every path is relative to this file's folder. analysis/config.py checks the file when it loads.
paths:
  raw_dir: raw                  # one UTF-8 .txt per article, and the manifest (`python -m analysis import` fills both)
  manifest: manifest.csv        # inside raw_dir: doc_id, outlet, published_on; agency, url, timezone, file optional
  processed_dir: processed      # the tables (parquet)
  annotations: annotations/claims_gold.csv  # optional gold claims: notebook 03 scores the extractor against them
  metrics_dir: metrics          # evaluation metrics (only the `evaluate` stage writes them)
  figures_dir: figures          # PNG and SVG figures
  timebank_dir: timebank        # the TimeBank corpus: only `evaluate` and `times-eval` read it

event:
  name: {name}
  timezone: {timezone}  # IANA name: the window and naive publication times are read in it
  # The focal event, local time: figures stated before the start are an earlier phase (scope 'prior').
  start: {start}
  end: {end}
  # Places: a count in "the city of X" for another X is scope 'other'; a count tied to a place listed here
  # is that place's, except in a place that covers the whole event (the city it happened in).
  places:{places}
"""


# --- where things go ---------------------------------------------------------------------------------------


def check_outside_project(path: Path, what: str, params: Path | None = None) -> None:
    """path is not the project's params.yaml folder's data/, notebooks/, reports/ or metrics/ (or the project
    folder itself): another event never overwrites the bundled case's committed outputs."""
    root = config.ROOT.resolve()
    target = Path(path).resolve()
    hit = target == root or any(target.is_relative_to(root / name) for name in PROJECT_OUTPUTS)
    if hit:
        via = f" (from {params})" if params else ""
        raise InputError(
            f"{what} {target}{via} is the project's own {target.relative_to(root).as_posix() or 'folder'}: "
            "another event's outputs go into its own folder (python -m analysis init DIR)"
        )


def _shown(path: Path) -> str:
    """path relative to the working folder when it is inside it, else absolute."""
    path = Path(path).resolve()
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return str(path)


# --- init ----------------------------------------------------------------------------------------------------


def parse_place(text: str, option: str = "--place") -> dict:
    """'Madrid=Spanish capital,the capital' -> {'name': 'Madrid', 'aliases': ['Spanish capital', 'the capital']}."""
    name, _, rest = text.partition("=")
    aliases = [a.strip() for a in rest.split(",") if a.strip()]
    if not name.strip():
        raise InputError(f"{option} {text!r}: no place name before '=' (NAME or NAME=ALIAS,ALIAS)")
    if rest.strip() and not aliases:
        raise InputError(f"{option} {text!r}: no alias after '='")
    return {"name": name.strip(), "aliases": aliases}


def _place_yaml(place: dict, covers_event: bool) -> str:
    lines = [f"\n    - name: {_scalar(place['name'])}"]
    if place["aliases"]:
        lines.append(f"\n      aliases: [{', '.join(_scalar(a) for a in place['aliases'])}]")
    if covers_event:
        lines.append("\n      covers_event: true")
    return "".join(lines)


def _scalar(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(value, ensure_ascii=False)


def params_text(name: str, timezone: str, start: str, end: str, area: dict | None, places: list[dict]) -> str:
    """The params file init writes, comments included."""
    entries = ([_place_yaml(area, True)] if area else []) + [_place_yaml(p, False) for p in places]
    return PARAMS_TEMPLATE.format(
        name=_scalar(name),
        timezone=_scalar(timezone),
        start=_scalar(start),
        end=_scalar(end),
        places="".join(entries) or " []",
    )


@dataclass
class InitAnswers:
    """What init needs; None where neither an option nor an answer gave it yet."""

    name: str | None = None
    timezone: str | None = None
    start: str | None = None
    end: str | None = None
    area: str | None = None
    places: list[str] = field(default_factory=list)


def _check_answer(key: str, value: str, a: InitAnswers) -> str:
    """One value checked as soon as it is given: the error names the option."""
    value = value.strip()
    if not value:
        raise InputError(f"--{key}: empty")
    try:
        if key == "timezone":
            config.check_zone(value)
        elif key in ("start", "end"):
            moment = config.parse_local(value, a.timezone or "UTC")
            if key == "end" and a.start is not None and moment <= config.parse_local(a.start, a.timezone or "UTC"):
                raise ValueError(f"{value} is not after the start, {a.start}")
    except ValueError as exc:
        raise InputError(f"--{key}: {exc}") from None
    return value


QUESTIONS = {
    "name": "Event name (as the report titles it): ",
    "timezone": "Time zone of the event, an IANA name (Europe/Madrid, Asia/Kolkata): ",
    "start": "Start of the event, local time (YYYY-MM-DD or YYYY-MM-DDTHH:MM): ",
    "end": "End of the event window, local time: ",
    "area": "City or area the whole event happened in, NAME=ALIAS,ALIAS (Enter: none): ",
    "places": "Sites within it that counts are tied to, NAME=ALIAS,... separated by ';' (Enter: none): ",
}


def _ask(a: InitAnswers, ask: Callable[[str], str]) -> None:
    """Ask on the terminal for what is missing, again until each answer is valid."""
    ask_places = a.area is None and not a.places
    for key in ("name", "timezone", "start", "end"):
        while getattr(a, key) is None:
            try:
                setattr(a, key, _check_answer(key, ask(QUESTIONS[key]), a))
            except InputError as exc:
                print(f"  {exc}", file=sys.stderr)
    if ask_places:
        a.area = ask(QUESTIONS["area"]).strip() or None
        a.places = [p.strip() for p in ask(QUESTIONS["places"]).split(";") if p.strip()]


def _complete(a: InitAnswers, ask: Callable[[str], str] | None) -> None:
    """Fill what is missing by asking, or fail naming every missing option when there is no terminal."""
    for key in ("name", "timezone", "start", "end"):
        if getattr(a, key) is not None:
            setattr(a, key, _check_answer(key, getattr(a, key), a))
    missing = [f"--{k}" for k in ("name", "timezone", "start", "end") if getattr(a, k) is None]
    if missing and ask is None:
        raise InputError(f"init: missing {', '.join(missing)} (no terminal to ask on: give them as options)")
    if ask is not None and (missing or (a.area is None and not a.places)):
        _ask(a, ask)


def init(folder: Path, answers: InitAnswers, ask: Callable[[str], str] | None = None, force: bool = False) -> Path:
    """Write folder/params.yaml (checked by config before it is written), folder/raw/ and, unless one is there,
    folder/raw/manifest.csv with only its header. Returns the params file."""
    folder = Path(folder)
    check_outside_project(folder, "init: DIR")
    target = folder / PARAMS_NAME
    if target.exists() and not force:
        raise InputError(f"{target}: already exists (--force overwrites it)")
    _complete(answers, ask)
    area = parse_place(answers.area, "--area") if answers.area else None
    places = [parse_place(p) for p in answers.places]
    text = params_text(answers.name, answers.timezone, answers.start, answers.end, area, places)
    try:  # the file as config will read it: a bad place list fails here, before anything is written
        config.parse_params(target.resolve(), yaml.safe_load(text))
    except config.ParamsError as exc:
        raise InputError(f"init: {str(exc).replace(f'{target.resolve()}: ', '')}") from None
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "raw").mkdir(exist_ok=True)
    manifest = folder / "raw" / "manifest.csv"
    if not manifest.exists():
        write_text_atomic(manifest, MANIFEST_TEMPLATE)
    write_text_atomic(target, text)
    return target


# --- run -----------------------------------------------------------------------------------------------------


@dataclass
class Outputs:
    """Where one run put everything."""

    root: Path
    tables: Path
    figures: Path
    notebooks: Path | None
    exports: Path | None
    report: Path | None
    main_figure: Path
    counts: dict[str, int] = field(default_factory=dict)


def _table_rows(processed: Path) -> dict[str, int]:
    """documents, claims, sources and figures (rows); series: distinct outcome, group and place of the
    consensus."""
    import pandas as pd

    from analysis.io import read_table

    counts = {n: len(read_table(processed / f"{n}.parquet")) for n in ("documents", "claims", "sources")}
    consensus = read_table(processed / "toll_consensus.parquet")
    counts["series"] = len(consensus[["outcome", "group", "place"]].astype("string").fillna("").drop_duplicates())
    counts["figures"] = len(pd.read_parquet(processed / "toll_timeline.parquet", columns=["figure_id"]))
    return counts


def write_figures(p: config.Params) -> dict[str, Path]:
    """The two figures the notebooks also draw (same code, same bytes), as PNG and SVG; name -> PNG path."""
    import matplotlib

    matplotlib.use("Agg")  # a run draws into files, never to a window
    from analysis.io import read_table
    from analysis.report import figures

    t = {n: read_table(p.processed_dir / f"{n}.parquet") for n in ("documents", "claims", "toll_timeline",
                                                                   "toll_consensus")}  # fmt: skip
    toll = figures.plot_toll(t["toll_timeline"], t["toll_consensus"], t["documents"], p.event)
    by_outlet = figures.plot_claims_by_outlet(t["claims"], t["documents"])
    return {
        MAIN_FIGURE: figures.save_figure(toll, MAIN_FIGURE, p.figures_dir)["png"],
        "claims_by_outlet": figures.save_figure(by_outlet, "claims_by_outlet", p.figures_dir)["png"],
    }


def _preflight(params: Path) -> config.Params:
    """Everything checkable before a run writes: params (the error names the key), lexicons, that the outputs
    are not the project's, and the manifest with its texts."""
    from analysis import cli, lexicon
    from analysis.stages import ingest

    if cli.is_project_params(params):
        raise InputError(f"{params}: the project's own params (the bundled case): `dvc repro` runs it; "
                         "`run` is for another event's folder (python -m analysis init DIR)")  # fmt: skip
    p = config.load(params)
    lexicon.validate_all()
    for path, what in ((p.processed_dir, "paths.processed_dir"), (p.figures_dir, "paths.figures_dir"),
                       (params.parent, "the params file's folder")):  # fmt: skip
        check_outside_project(path, what, params)
    manifest = p.raw_dir / p.manifest_name
    if manifest.is_file() and len(manifest.read_text(encoding="utf-8-sig").strip().splitlines()) == 1:
        raise InputError(
            f"{manifest}: no articles yet (only the header): put one .txt per article in {p.raw_dir} with a row "
            f"each in the manifest, or `python -m analysis import FILE --into {_shown(params.parent)}`"
        )
    ingest.read_manifest(p.raw_dir, p.manifest_name, p.event.timezone)  # rows and files; extract reads the texts
    return p


def _execute(args: argparse.Namespace) -> str | None:
    """One parsed CLI stage; what it wrote, counted, for the stages that write tables."""
    from analysis import cli

    cli.execute(args)
    return cli.counts(args.stage, args.out_dir) if args.stage in cli.SUMMARY_TABLES else None


def _steps(p: config.Params, args: dict[str, argparse.Namespace], notebooks: bool) -> list[tuple[str, Callable]]:
    """The run's steps in order: (name, a function returning what it says on its progress line)."""
    steps: list[tuple[str, Callable[[], str | None]]] = [
        ("extract", lambda: _execute(args["extract"])),
        ("timeline", lambda: _execute(args["timeline"])),
    ]
    if notebooks:  # notebooks 01 and 02 draw the figures (the same code as write_figures)
        nb = args["notebooks"]
        steps.append(("notebooks and figures",
                      lambda: _execute(nb) or f"{_shown(nb.notebooks_dir)}, {_shown(p.figures_dir)}"))  # fmt: skip
    else:
        steps.append(("figures", lambda: ", ".join(_shown(v) for v in write_figures(p).values())))
    steps.append(("exports", lambda: _execute(args["exports"]) or _shown(args["exports"].exports_dir)))
    steps.append(("report", lambda: _execute(args["report"]) or _shown(args["report"].report)))
    return steps


def run(params: Path, notebooks: bool = True, log=None) -> Outputs:
    """Every stage for one event, in order, each as `python -m analysis STAGE --params FILE` would run it (so
    outputs land beside the params file), with a progress line each (to log, default stderr)."""
    from analysis import cli

    log = log or sys.stderr
    params = Path(params).resolve()
    t0 = time.perf_counter()
    p = _preflight(params)
    args = {name: cli.parse([name, "--params", str(params)]) for name in RUN_STAGES}
    for stage_args in args.values():
        cli.check_outputs(stage_args.stage, stage_args)  # no step may write into the project, checked up front
    steps = _steps(p, args, notebooks)
    print(f"run: {p.event.name} ({_shown(params)})", file=log)
    for k, (name, step) in enumerate(steps, start=1):
        t = time.perf_counter()
        print(f"[{k}/{len(steps)}] {name} ...", file=log, flush=True)
        said = step()
        print(f"      {said} ({time.perf_counter() - t:.1f} s)", file=log, flush=True)
    out = Outputs(
        root=params.parent,
        tables=p.processed_dir,
        figures=p.figures_dir,
        notebooks=args["notebooks"].notebooks_dir if notebooks else None,
        exports=args["exports"].exports_dir,
        report=args["report"].report,
        main_figure=p.figures_dir / f"{MAIN_FIGURE}.png",
        counts=_table_rows(p.processed_dir),
    )
    print(f"run: done in {time.perf_counter() - t0:.1f} s", file=log)
    return out


def closing_summary(out: Outputs) -> str:
    """What a run made and where, for the terminal."""
    c = out.counts
    rows = [
        ("tables", out.tables), ("figures", out.figures), ("notebooks", out.notebooks), ("exports", out.exports),
        ("report", out.report), ("main figure", out.main_figure),
    ]  # fmt: skip
    lines = [
        f"{c['documents']} documents, {c['claims']} claims, {c['sources']} sources, "
        f"{c['series']} series ({c['figures']} distinct figures)"
    ]
    lines += [f"  {label:<12}{_shown(path)}" for label, path in rows if path is not None]
    return "\n".join(lines)


# --- the commands --------------------------------------------------------------------------------------------


def _run_params(args: argparse.Namespace) -> Path:
    if args.dir is not None and args.params is not None:
        raise InputError("run: give DIR or --params FILE, not both")
    if args.dir is None and args.params is None:
        raise InputError("run: give the event's folder (DIR, as made by `init`) or --params FILE")
    path = Path(args.params) if args.params is not None else Path(args.dir) / PARAMS_NAME
    if not path.is_file():
        hint = f" (make it with `python -m analysis init {args.dir}`)" if args.dir is not None else ""
        raise InputError(f"{path}: params file not found{hint}")
    return path.resolve()


def _ask_on_terminal() -> Callable[[str], str] | None:
    """input, when there is someone at a terminal to answer."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return None

    def ask(question: str) -> str:
        print(question, end="", file=sys.stderr, flush=True)
        try:
            return input()
        except EOFError:
            raise InputError("init: no answer (end of input)") from None

    return ask


def _articles_in(manifest: Path) -> int:
    """Rows of a manifest (0 when it is missing or holds the header only)."""
    try:
        with manifest.open(encoding="utf-8", newline="") as fh:
            return max(sum(1 for _ in csv.reader(fh)) - 1, 0)
    except FileNotFoundError:
        return 0


def _init_message(path: Path) -> str:
    """What init wrote and the next command: an import first when raw/ holds no article yet (one imported
    before init is kept, and the hint says so)."""
    folder = _shown(path.parent)
    n = _articles_in(path.parent / "raw" / "manifest.csv")
    if n:
        return (f"init: wrote {_shown(path)}; {folder}/raw/ holds {n} article(s) (manifest.csv, kept)\n"
                f"next: python -m analysis run {folder}")  # fmt: skip
    return (
        f"init: wrote {_shown(path)} and {folder}/raw/ (manifest.csv: header only)\n"
        f"next: python -m analysis import ARTICLES.csv --into {folder}   (or .txt files + manifest rows in raw/)\n"
        f"      python -m analysis run {folder}"
    )


def command(args: argparse.Namespace) -> None:
    """init, import or run, as parsed by analysis.cli."""
    if args.stage == "init":
        answers = InitAnswers(args.name, args.timezone, args.start, args.end, args.area, args.place or [])
        path = init(args.dir, answers, _ask_on_terminal(), args.force)
        print(_init_message(path), file=sys.stderr)
    elif args.stage == "import":
        from analysis.importer import Columns, import_articles

        columns = Columns(args.id_column, args.outlet_column, args.published_column, args.text_column,
                          args.url_column, args.agency_column)  # fmt: skip
        written = import_articles(args.file, args.into, columns, args.format)
        print(f"import: {len(written) - 1} articles from {_shown(args.file)} -> {_shown(written[-1].parent)} "
              "(one .txt each, manifest.csv)", file=sys.stderr)  # fmt: skip
    elif args.stage == "run":
        out = run(_run_params(args), notebooks=not args.no_notebooks)
        print(closing_summary(out))
