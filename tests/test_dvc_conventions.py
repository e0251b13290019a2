"""DVC conventions: `dvc plots show` has the toll series to draw, `dvc metrics show` one row per measure and one
column per corpus, and outputs (figures included) honour the umask."""

from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
import yaml

from analysis.report import figures
from analysis.schemas import EXPORTS, TimeScores, UnseenClaimScores
from analysis.stages import evaluate

ROOT = Path(__file__).resolve().parent.parent
DVC = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))


def declared(stage: str, kind: str) -> list[str]:
    return [next(iter(entry)) if isinstance(entry, dict) else entry for entry in DVC["stages"][stage].get(kind, [])]


# --- plots --------------------------------------------------------------------------------------------------


def test_the_toll_series_plot_reads_an_export_the_pipeline_writes():
    (plot,) = [p["toll_series"] for p in DVC["plots"] if "toll_series" in p]
    ((path, y),) = plot["y"].items()
    assert path == "data/exports/toll_series.csv" and path in declared("exports", "outs")
    columns = EXPORTS["toll_series.csv"].to_schema().columns
    assert {plot["x"], y} <= set(columns) and (plot["x"], y) == ("hours_since_event_start", "value_best")


def test_the_plot_template_is_vega_lite_over_the_export_columns():
    template = ROOT / ".dvc" / "plots" / f"{DVC['plots'][0]['toll_series']['template']}.json"
    spec = json.loads(template.read_text(encoding="utf-8"))
    assert spec["data"] == {"values": "<DVC_METRIC_DATA>"}
    used = {spec["encoding"][k]["field"] for k in ("color", "shape")}
    used |= {t["field"] for t in spec["encoding"]["tooltip"]} - {"rev"}  # rev: DVC's revision column
    assert used <= set(EXPORTS["toll_series.csv"].to_schema().columns)
    assert "datum.scope === 'event'" in spec["transform"][0]["filter"]  # the event's own toll only


# --- metrics ------------------------------------------------------------------------------------------------


def test_dvc_metrics_are_one_file_per_measure():
    claims = {f"metrics/claims/{m}.json" for m in evaluate.measures(UnseenClaimScores)}
    times = {f"metrics/times/{m}.json" for m in evaluate.measures(TimeScores)}
    assert set(declared("evaluate", "metrics")) == claims and len(claims) == 21
    assert set(declared("times-eval", "metrics")) == times and len(times) == 16
    # the full records are kept, as plain outputs the notebooks read
    assert "metrics/extraction.json" in declared("evaluate", "outs")
    assert "metrics/times.json" in declared("times-eval", "outs")


def test_measure_files_put_a_corpus_in_each_column(tmp_path):
    scores = {"detection": {"precision": 1.0, "recall": 0.5, "f1": 0.6667}, "n_gold": 4, "by_event": {"x": {}}}
    columns = {"seeds": scores, "unseen": {**scores, "n_gold": 9}}
    names = ["n_gold", "detection_precision", "detection_recall", "detection_f1", "n_documents"]
    paths = evaluate.write_measures(tmp_path, columns, names)
    assert sorted(p.name for p in paths) == sorted(f"{n}.json" for n in names)
    assert json.loads((tmp_path / "n_gold.json").read_text()) == {"seeds": 4, "unseen": 9}
    assert (tmp_path / "detection_f1.json").read_text() == '{\n  "seeds": 0.6667,\n  "unseen": 0.6667\n}\n'
    assert json.loads((tmp_path / "n_documents.json").read_text()) == {}  # a fixed set of files, dvc.yaml's


def test_a_measure_without_a_file_is_an_error_not_dropped():
    with pytest.raises(ValueError, match=r"\['strict_f1'\] have no file"):
        evaluate.measure_files({"seeds": {"strict": {"f1": 0.5}}}, ["n_gold"])


def test_a_skipped_corpus_has_no_column():
    metrics = {"seeds": {"n_gold": 1}, "timebank": {"skipped": "no rows"}, "unseen": None}
    assert evaluate.claim_columns(metrics) == {"seeds": {"n_gold": 1}}


# --- the umask ------------------------------------------------------------------------------------------------


def test_figures_honour_the_umask(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    old = os.umask(0o027)
    try:
        paths = figures.save_figure(fig, "line", tmp_path)
    finally:
        os.umask(old)
    assert {p.suffix: oct(p.stat().st_mode & 0o777) for p in paths.values()} == {".png": "0o640", ".svg": "0o640"}
