"""The notebooks run unchanged on another corpus (TimeBank articles on the 1990 Iraq–Kuwait crisis), and the
committed ones are clean: sources without outputs, executed copies without errors or machine paths."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from analysis import config
from analysis.evaluation.timeml import read_timeml
from analysis.report import tables as report
from analysis.stages import notebooks

ROOT = Path(__file__).resolve().parent.parent
# Three TimeBank articles about one event: Iraq's invasion of Kuwait (2 August 1990) and the crisis after it.
GULF_1990 = {"AP900815-0044": "AP", "AP900816-0139": "AP", "WSJ900813-0157": "Wall Street Journal"}
EVENT = {
    "name": "Iraq-Kuwait crisis, August 1990 (TimeBank)",
    "timezone": "UTC",
    "start": "1990-08-02T00:00",
    "end": "1990-08-20T00:00",
    "places": ["Kuwait", "Iraq", "Baghdad"],
}


def _write_corpus(timebank_dir: Path, raw: Path) -> None:
    raw.mkdir(parents=True)
    rows = [["doc_id", "outlet", "published_on"]]
    for doc_id, outlet in GULF_1990.items():
        doc = read_timeml(timebank_dir / f"{doc_id}.tml")
        (raw / f"{doc_id}.txt").write_text(doc.text, encoding="utf-8")
        rows.append([doc_id, outlet, doc.published_on])
    with (raw / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def _write_params(tmp: Path) -> Path:
    params = {
        "paths": {
            "raw_dir": str(tmp / "raw"),
            "manifest": "manifest.csv",
            "processed_dir": str(tmp / "processed"),
            "annotations": str(ROOT / "data" / "annotations" / "claims_gold.csv"),
            "metrics_dir": str(tmp / "metrics"),
            "figures_dir": str(tmp / "figures"),
            "timebank_dir": str(tmp / "no-timebank"),
        },
        "event": EVENT,
    }
    path = tmp / "params.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    return path


def _run(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "analysis", *args], check=True, cwd=ROOT)


def _outputs(nb) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def test_notebooks_run_unchanged_on_another_corpus(tmp_path, timebank_dir):
    _write_corpus(timebank_dir, tmp_path / "raw")
    event = ["--timezone", "UTC", "--event-start", EVENT["start"], "--event-end", EVENT["end"]]
    places = [a for p in EVENT["places"] for a in ("--place", p)]
    out = str(tmp_path / "processed")
    _run("extract", "--raw-dir", str(tmp_path / "raw"), "--out-dir", out, *event, *places)
    _run("timeline", "--out-dir", out, *event)
    env = {**os.environ, report.PARAMS_ENV: str(_write_params(tmp_path)), "MPLBACKEND": "Agg"}
    executed = tmp_path / "notebooks"
    written = notebooks.run_notebooks(out_dir=executed, env=env)
    assert [p.name for p in written] == sorted(p.name for p in notebooks.NOTEBOOK_SRC.glob("*.ipynb"))
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == [
        "claims_by_outlet.png", "claims_by_outlet.svg", "toll_by_outlet_and_hour.png", "toll_by_outlet_and_hour.svg",
    ]  # fmt: skip
    nb = nbformat.read(executed / "02-toll-by-outlet-and-hour.ipynb", as_version=4)
    assert not [o for o in _outputs(nb) if o["output_type"] == "error"]
    text = json.dumps([o.get("text", o.get("data", {}).get("text/plain", "")) for o in _outputs(nb)])
    assert "Iraq-Kuwait crisis" in text and "shown in days" in text and "days_since_start" in text
    assert "Lal Masjid" not in text


def test_source_notebooks_have_no_outputs():
    for path in sorted(notebooks.NOTEBOOK_SRC.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("path", sorted(notebooks.NOTEBOOK_OUT.glob("*.ipynb")), ids=lambda p: p.stem)
def test_executed_notebooks_are_clean(path):
    nb = nbformat.read(path, as_version=4)
    outputs = _outputs(nb)
    assert outputs, "executed notebooks are committed with their outputs"
    assert not [o for o in outputs if o["output_type"] == "error" or o.get("name") == "stderr"]
    raw = path.read_text(encoding="utf-8")
    assert str(ROOT) not in raw and "0x7f" not in raw
    assert '"execution": {' not in raw, "no timing metadata (nbconvert --ExecutePreprocessor.record_timing=False)"
    assert "image/svg+xml" not in raw
    src = nbformat.read(notebooks.NOTEBOOK_SRC / path.name, as_version=4)
    assert [c.source for c in nb.cells] == [c.source for c in src.cells]


def test_kernels_import_this_checkout(tmp_path):
    """A notebook run by the stage imports analysis from this checkout, whatever else is installed."""
    import nbformat

    src = tmp_path / "src"
    src.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import analysis, pathlib\nprint(pathlib.Path(analysis.__file__).parent)")]
    nbformat.write(nb, src / "where.ipynb")
    other = tmp_path / "other" / "analysis"  # another checkout's package, first on the path
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(other.parent)}
    (out,) = notebooks.run_notebooks(src_dir=src, out_dir=tmp_path, env=env)
    printed = nbformat.read(out, as_version=4).cells[0].outputs[0]["text"].strip()
    assert printed == str(config.ROOT / "analysis")
    assert notebooks.kernel_env({"PYTHONPATH": "/x"})["PYTHONPATH"].split(os.pathsep) == [str(config.ROOT), "/x"]
