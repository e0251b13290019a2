"""`init`, `run` and notebook 03 without gold: a new event's folder from a CSV of articles to its report."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from conftest import RAW, ROOT, seed_text

from analysis import config, workflow
from analysis.cli import main
from analysis.io import InputError
from analysis.report import tables as report

EVENT = ["--name", "Lal Masjid assault (imported)", "--timezone", "Asia/Karachi", "--start", "2007-07-10T04:00",
         "--end", "2007-07-12"]  # fmt: skip
PROJECT_FILES = ("notebooks", "reports/figures", "data/processed")


def _project_snapshot() -> dict[str, int]:
    """mtime of every file of the project's own outputs, to show a run leaves them alone."""
    return {str(p): p.stat().st_mtime_ns for d in PROJECT_FILES for p in sorted((ROOT / d).rglob("*")) if p.is_file()}


def _articles_csv(path: Path) -> Path:
    """The five seed articles as an export would hold them: id, outlet, published, text, url."""
    manifest = list(csv.DictReader((RAW / "manifest.csv").open(encoding="utf-8")))
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "outlet", "published", "text", "url"])
        for row in manifest:
            k = row["doc_id"][:3]
            w.writerow([f"a{k}", row["outlet"], row["published_on"], seed_text(k), f"https://example.org/{k}"])
    return path


# --- init ------------------------------------------------------------------------------------------------------


def test_init_writes_params_whose_every_path_is_inside_the_folder(tmp_path, capsys):
    folder = tmp_path / "madrid"
    code = main(["init", str(folder), "--name", "Madrid train bombings", "--timezone", "Europe/Madrid",
                 "--start", "2004-03-11T07:37", "--end", "2004-03-12", "--area", "Madrid=Spanish capital, the capital",
                 "--place", "Atocha=Atocha station", "--place", "El Pozo"])  # fmt: skip
    assert code == 0
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == [
        "params.yaml", "raw", "raw/manifest.csv",
    ]  # fmt: skip
    assert (folder / "raw" / "manifest.csv").read_text(encoding="utf-8") == "doc_id,outlet,published_on,agency,url\n"
    p = config.load(folder / "params.yaml")
    resolved = folder.resolve()
    for path in (p.raw_dir, p.processed_dir, p.annotations, p.metrics_dir, p.figures_dir, p.timebank_dir):
        assert path.is_relative_to(resolved)
    assert (p.raw_dir, p.processed_dir, p.figures_dir) == (
        resolved / "raw",
        resolved / "processed",
        resolved / "figures",
    )
    assert p.event.name == "Madrid train bombings" and str(p.event.start) == "2004-03-11 07:37:00+01:00"
    assert p.place_of == {"Madrid": None, "Spanish capital": None, "the capital": None,
                          "Atocha": "Atocha", "Atocha station": "Atocha", "El Pozo": "El Pozo"}  # fmt: skip
    err = capsys.readouterr().err
    assert "(manifest.csv: header only)" in err and "python -m analysis import ARTICLES.csv" in err
    assert f"python -m analysis run {folder}" in err


def test_init_after_an_import_keeps_the_articles_and_says_so(tmp_path, capsys):
    folder = tmp_path / "ev"
    (folder / "raw").mkdir(parents=True)
    (folder / "raw" / "manifest.csv").write_text(
        "doc_id,outlet,published_on,agency,url\na,Outlet A,2004-03-11,,\nb,Outlet B,2004-03-12,,\n", encoding="utf-8"
    )
    code = main(["init", str(folder), "--name", "Madrid", "--timezone", "Europe/Madrid",
                 "--start", "2004-03-11T07:37", "--end", "2004-03-12", "--area", "Madrid"])  # fmt: skip
    assert code == 0
    err = capsys.readouterr().err
    assert "holds 2 article(s)" in err and "import ARTICLES.csv" not in err and "header only" not in err
    assert (folder / "raw" / "manifest.csv").read_text(encoding="utf-8").count("\n") == 3


def test_init_without_a_terminal_names_what_is_missing_and_writes_nothing(tmp_path, capsys):
    assert main(["init", str(tmp_path / "ev"), "--name", "X", "--start", "2020-01-01"]) == 2
    assert "missing --timezone, --end (no terminal to ask on" in capsys.readouterr().err
    assert not (tmp_path / "ev").exists()


@pytest.mark.parametrize(
    ("given", "places", "message"),
    [
        ({"timezone": "Kyiv"}, [], "--timezone: unknown time zone 'Kyiv'"),
        ({"end": "2020-03-01"}, [], "--end: 2020-03-01 is not after the start, 2020-03-02"),
        ({"start": "March 2"}, [], "--start: not an ISO date/time: 'March 2'"),
        ({}, ["--place", "=Atocha"], "--place '=Atocha': no place name before '='"),
        ({}, ["--place", "Sol=Puerta", "--place", "Puerta"], "'Puerta' names both 'Sol' and 'Puerta'"),
    ],
)
def test_init_rejects_bad_options_before_writing(tmp_path, capsys, given, places, message):
    options = {"name": "X", "timezone": "Europe/Kyiv", "start": "2020-03-02", "end": "2020-03-04"} | given
    argv = [a for k, v in options.items() for a in (f"--{k}", v)] + places
    assert main(["init", str(tmp_path / "ev"), *argv]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "ev").exists()


def test_init_asks_on_a_terminal_again_until_an_answer_is_valid(tmp_path, capsys):
    answers = iter(["Kyiv", "Europe/Kyiv", "2023-06-06T02:00", "2023-06-05", "2023-06-09", "Nova Kakhovka=Kakhovka",
                    "Kherson; Oleshky=Aleshki"])  # fmt: skip
    asked = []

    def ask(question: str) -> str:
        asked.append(question)
        return next(answers)

    a = workflow.InitAnswers(name="Kakhovka dam breach")
    workflow.init(tmp_path / "ev", a, ask=ask)
    assert [q.split(" ")[0] for q in asked] == ["Time", "Time", "Start", "End", "End", "City", "Sites"]
    err = capsys.readouterr().err
    assert "--timezone: unknown time zone 'Kyiv'" in err and "--end: 2023-06-05 is not after the start" in err
    p = config.load(tmp_path / "ev" / "params.yaml")
    assert (p.event.timezone, str(p.event.end)) == ("Europe/Kyiv", "2023-06-09 00:00:00+03:00")
    assert p.place_of == {"Nova Kakhovka": None, "Kakhovka": None, "Kherson": "Kherson", "Oleshky": "Oleshky",
                          "Aleshki": "Oleshky"}  # fmt: skip


def test_init_never_writes_into_the_project_or_over_a_params_file(tmp_path):
    for folder in (ROOT, ROOT / "data" / "mine", ROOT / "notebooks" / "x", ROOT / "reports"):
        with pytest.raises(InputError, match="is the project's own"):
            workflow.init(folder, workflow.InitAnswers("X", "UTC", "2020-01-01", "2020-01-02"))
    assert not (ROOT / "data" / "mine").exists()
    workflow.init(tmp_path, workflow.InitAnswers("X", "UTC", "2020-01-01", "2020-01-02"))
    with pytest.raises(InputError, match="already exists"):
        workflow.init(tmp_path, workflow.InitAnswers("Y", "UTC", "2020-01-01", "2020-01-02"))
    workflow.init(tmp_path, workflow.InitAnswers("Y", "UTC", "2020-01-01", "2020-01-02"), force=True)
    assert config.load(tmp_path / "params.yaml").event.name == "Y"


# --- run: checks before anything is written ----------------------------------------------------------------


def test_run_checks_the_params_and_the_corpus_before_writing(tmp_path, capsys):
    for name in ("empty", "bad"):
        workflow.init(tmp_path / name, workflow.InitAnswers("X", "Asia/Karachi", "2007-07-10T04:00", "2007-07-12"))
    assert main(["run", str(tmp_path / "empty")]) == 2
    assert "manifest.csv: no articles yet (only the header)" in capsys.readouterr().err
    params = tmp_path / "bad" / "params.yaml"
    params.write_text(params.read_text(encoding="utf-8").replace('"Asia/Karachi"', '"Karachi"'), encoding="utf-8")
    assert main(["run", str(tmp_path / "bad")]) == 2
    assert f"{params.resolve()}: key event.timezone: unknown time zone 'Karachi'" in capsys.readouterr().err
    for name in ("empty", "bad"):
        assert sorted(p.name for p in (tmp_path / name).iterdir()) == ["params.yaml", "raw"]
    assert main(["run", "--params", str(config.PARAMS_FILE)]) == 2
    assert "the project's own params" in capsys.readouterr().err
    assert main(["run", str(tmp_path / "nowhere")]) == 2
    assert "params file not found (make it with `python -m analysis init" in capsys.readouterr().err


# --- notebook 03 without gold ------------------------------------------------------------------------------------


def _params_without_gold(tmp_path: Path) -> config.Params:
    text = workflow.params_text("X", "UTC", "2020-01-01", "2020-01-02", None, [])
    return config.parse_params(tmp_path / "params.yaml", yaml.safe_load(text))


def test_without_gold_notebook_03_says_so_once_and_shows_the_project_scores(tmp_path, capsys):
    p = _params_without_gold(tmp_path)
    q = report.quality(p)
    out = capsys.readouterr().out
    assert out == report.NO_GOLD.format(path="annotations/claims_gold.csv") + "\n" and out.count(". ") == 0
    assert q.errors is None and q.gold.empty
    project = json.loads((ROOT / "metrics" / "extraction.json").read_text(encoding="utf-8"))
    summary = report.extraction_summary(q.metrics["extraction"])
    assert summary.set_index(["corpus", "measure"]).loc[("unseen", "strict"), "f1"] == project["unseen"]["strict"]["f1"]
    claims = pd.read_parquet(ROOT / "data" / "processed" / "claims.parquet")
    pairs = report.gold_pairs(claims, q.gold)
    assert pairs.empty and report.confusion(pairs, "outcome") is None and capsys.readouterr().out == ""
    # a metrics folder with nothing in it shows nothing, not empty tables
    assert report.extraction_summary({}) is None and report.times_summary({}) is None
    assert report.attribute_accuracy({}) is None and report.error_table(tmp_path) is None


def test_the_extraction_profile_counts_each_value(capsys):
    claims = pd.DataFrame({
        "outcome": ["killed", "killed", "injured"], "group": ["civilians", "militants", "civilians"],
        "scope": ["event"] * 3, "qualifier": ["exact", "at_least", "exact"], "role": ["total"] * 3,
        "source_id": ["police", None, None], "as_of": pd.to_datetime(["2020-01-01", None, None], utc=True),
    })  # fmt: skip
    table = report.extraction_profile(claims)
    rows = {(r.attribute, r.value): (r.claims, r.share) for r in table.itertuples()}
    assert rows[("outcome", "killed")] == (2, 0.67) and rows[("outcome", "injured")] == (1, 0.33)
    assert rows[("source", "credited")] == (1, 0.33) and rows[("source", "none (the outlet's own voice)")] == (2, 0.67)
    assert rows[("as_of", "unknown")] == (2, 0.67) and len(rows) == 12
    assert report.extraction_profile(claims.iloc[0:0]) is None
    assert capsys.readouterr().out == "The extractor found no claims in this corpus.\n"


# --- from an empty folder with a CSV to the report -------------------------------------------------------------


def _outputs(path: Path) -> list[dict]:
    return [o for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code" for o in c.outputs]


def test_from_a_csv_to_the_report_in_three_commands(tmp_path, capsys, monkeypatch):
    """import, init, run on the five seed articles: the same claims as the bundled run, every output inside
    the folder, the project's own outputs untouched, quiet stages and a closing summary."""
    monkeypatch.chdir(tmp_path)
    before = _project_snapshot()
    src = _articles_csv(tmp_path / "articles.csv")
    assert main(["import", str(src), "--into", "ev"]) == 0
    assert main(["init", "ev", *EVENT, "--area", "Islamabad=Pakistani capital"]) == 0
    capsys.readouterr()
    assert main(["run", "ev"]) == 0
    out, err = capsys.readouterr()

    # the same texts and event give the bundled run's claims (ids aside)
    cols = ["quantity_text", "outcome", "group", "scope", "value_low", "value_high", "source_id"]
    mine = pd.read_parquet(tmp_path / "ev" / "processed" / "claims.parquet")
    bundled = pd.read_parquet(ROOT / "data" / "processed" / "claims.parquet")
    times = pd.read_parquet(ROOT / "data" / "processed" / "times.parquet")
    key = lambda df: sorted(map(str, df[cols].astype("string").fillna("").itertuples(index=False)))  # noqa: E731
    assert key(mine) == key(bundled)
    assert set(mine["doc_id"]) == {"a000", "a001", "a002", "a003", "a004"}

    # progress on stderr, one line per step and nothing else (no nbconvert or kernel chatter)
    steps = [line.split("] ")[1] for line in err.splitlines() if line.startswith("[")]
    assert steps[:3] == ["extract ...", "timeline ...", "notebooks and figures ..."]
    assert "NbConvertApp" not in err and "WARNING" not in err and "Traceback" not in err
    n_furniture = len(pd.read_parquet(ROOT / "data" / "processed" / "furniture.parquet"))
    assert f"5 documents, {n_furniture} furniture spans, {len(times)} time expressions, {len(bundled)} claims" in err
    # the closing summary on stdout: counts, then where each output is
    lines = out.splitlines()
    sources = len(pd.read_parquet(ROOT / "data" / "processed" / "sources.parquet"))
    assert lines[0].startswith(f"5 documents, {len(bundled)} claims, {sources} sources, ")
    where = {label.strip(): path for label, path in (line.rsplit(None, 1) for line in lines[1:])}
    assert where["tables"] == "ev/processed" and where["notebooks"] == "ev/notebooks"
    assert where["main figure"] == "ev/figures/toll_by_outlet_and_hour.png"
    assert (tmp_path / where["main figure"]).read_bytes()[:4] == b"\x89PNG"

    folder = tmp_path / "ev"
    assert sorted(p.name for p in (folder / "figures").iterdir()) == [
        "claims_by_outlet.png", "claims_by_outlet.svg", "toll_by_outlet_and_hour.png", "toll_by_outlet_and_hour.svg",
    ]  # fmt: skip
    for name in ("01-corpus-and-tables", "02-toll-by-outlet-and-hour", "03-extraction-quality"):
        outputs = _outputs(folder / "notebooks" / f"{name}.ipynb")
        assert not [o for o in outputs if o["output_type"] == "error" or o.get("name") == "stderr"]
    text = json.dumps([o.get("text", o.get("data", {}).get("text/plain", "")) for o in
                       _outputs(folder / "notebooks" / "03-extraction-quality.ipynb")])  # fmt: skip
    assert text.count("No gold claims were given for this corpus") == 1 and "Empty DataFrame" not in text
    assert "Lal Masjid assault (imported)" in text
    assert where["exports"] == "ev/exports" and len(pd.read_csv(folder / "exports" / "claims.csv")) == len(mine)
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert where["report"] == "ev/report.html" and "<title>Lal Masjid assault (imported): the toll" in page
    assert 'src="data:image/svg+xml' in page  # the main figure, embedded
    assert _project_snapshot() == before
