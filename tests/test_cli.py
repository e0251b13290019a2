"""The CLI contract: `python -m analysis extract` on any corpus folder with a manifest; options that do not
apply, another corpus's window and notebooks, quiet stages."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.stages import notebooks


def test_extract_on_a_new_corpus_with_its_own_zone_and_window(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a1.txt").write_text(
        "Quake toll rises\n\nAt least 12 people were killed and about 40 injured when the quake struck at "
        "9 a.m. on Monday, police said. Rescuers freed three children from the rubble.\n",
        encoding="utf-8",
    )
    (raw / "b2.txt").write_text(
        "The death toll rose to 31, officials said on Tuesday, adding that dozens were still trapped.\n",
        encoding="utf-8",
    )
    (raw / "manifest.csv").write_text(
        "doc_id,outlet,published_on\na1,Daily One,2020-03-02\nb2,Wire Two,2020-03-03\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    code = main(
        ["extract", "--raw-dir", str(raw), "--out-dir", str(out), "--timezone", "America/Santiago",
         "--event-start", "2020-03-02T09:00", "--event-end", "2020-03-05T00:00"]
    )  # fmt: skip
    assert code == 0
    assert sorted(p.name for p in out.iterdir() if p.name != ".tollwatch.lock") == [
        "claims.parquet", "documents.parquet", "furniture.parquet", "sources.parquet", "times.parquet",
    ]  # fmt: skip
    claims = pd.read_parquet(out / "claims.parquet").set_index("quantity_text")
    assert claims.loc["At least 12", ["outcome", "value_low", "source_id"]].tolist() == ["killed", 12, "police"]
    assert claims.loc["about 40", "outcome"] == "injured"
    assert claims.loc["three", ["outcome", "group"]].tolist() == ["freed", "civilians"]
    assert claims.loc["31", ["outcome", "source_id"]].tolist() == ["killed", "officials"]
    assert claims.loc["dozens", ["outcome", "value_low", "value_high"]].tolist() == ["held", 24, 99]
    # 9 a.m. Santiago time (UTC-3 in March) is 12:00 UTC
    times = pd.read_parquet(out / "times.parquet").set_index("text")
    assert str(times.loc["9 a.m. on Monday", "starts_at"]) == "2020-03-02 12:00:00+00:00"


def test_bad_event_window_is_a_clear_error(tmp_path, capsys):
    code = main(["times", "--out-dir", str(tmp_path), "--timezone", "Mars/Olympus"])
    assert code == 2 and "unknown time zone 'Mars/Olympus'" in capsys.readouterr().err


def test_module_entry_point_lists_the_stages():
    out = subprocess.run(
        [sys.executable, "-m", "analysis", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for stage in ("ingest", "times", "claims", "extract", "evaluate", "times-eval"):
        assert stage in out


# --- the traps of issue 14 ------------------------------------------------------------------------------------


def _new_corpus(folder: Path) -> Path:
    """Two short reports of a 2020 quake, far from the bundled 2007 window."""
    raw = folder / "raw"
    raw.mkdir(parents=True)
    (raw / "a1.txt").write_text("Quake toll rises\n\nAt least 12 people were killed, police said.\n", encoding="utf-8")
    (raw / "b2.txt").write_text("The death toll rose to 31 on Tuesday, officials said.\n", encoding="utf-8")
    (raw / "manifest.csv").write_text(
        "doc_id,outlet,published_on\na1,Daily One,2020-03-02\nb2,Wire Two,2020-03-03\n", encoding="utf-8"
    )
    return raw


WINDOW = ["--timezone", "America/Santiago", "--event-start", "2020-03-02T09:00", "--event-end", "2020-03-05T00:00"]


def test_options_a_command_does_not_use_are_errors(capsys):
    assert main(["notebooks", "--raw-dir", "x", "--out-dir", "y"]) == 2
    assert capsys.readouterr().err == (
        "error: notebooks: --raw-dir is not an option of this command (it takes --params, --notebooks-dir)\n"
    )
    assert main(["times-eval", "--out-dir", "y"]) == 2
    assert "times-eval: --out-dir is not an option" in capsys.readouterr().err
    assert main(["timeline", "--place", "Lyon"]) == 2
    assert "timeline: --place is not an option" in capsys.readouterr().err


def test_the_bundled_window_never_silently_applies_to_another_corpus(tmp_path, capsys):
    raw, out = _new_corpus(tmp_path), tmp_path / "out"
    assert main(["extract", "--raw-dir", str(raw), "--out-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert "extract: every document was published (2020-03-02 to 2020-03-03) more than a year after the event end " \
           "(2007-07-12): the window is the bundled case's" in err  # fmt: skip
    assert not out.exists()
    assert main(["extract", "--raw-dir", str(raw), "--out-dir", str(out), *WINDOW]) == 0
    assert main(["timeline", "--out-dir", str(out)]) == 2
    assert "timeline: every document was published" in capsys.readouterr().err
    assert not (out / "toll_timeline.parquet").exists()
    assert main(["timeline", "--out-dir", str(out), *WINDOW]) == 0
    timeline = pd.read_parquet(out / "toll_timeline.parquet")
    assert timeline["hours_since_event_start"].between(-48, 72).all() and len(timeline) == 2


def test_a_window_far_from_the_corpus_in_the_users_own_params_is_a_warning(tmp_path, capsys):
    from analysis import workflow

    raw = _new_corpus(tmp_path)
    workflow.init(tmp_path, workflow.InitAnswers("Quake", "America/Santiago", "2018-03-02", "2018-03-05"))
    assert main(["extract", "--params", str(tmp_path / "params.yaml")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == ("warning: extract: every document was published (2020-03-02 to 2020-03-03) more than a year "
                      "after the event end (2018-03-05); is the event window right?")  # fmt: skip
    assert re.fullmatch(
        re.escape(f"extract: 2 documents, 0 furniture spans, 1 time expressions, 2 claims, 2 sources -> "
                  f"{tmp_path / 'processed'} (0.0 MB in ") + r"\d+\.\d s\)", err[1]
    )  # fmt: skip
    assert raw.parent == tmp_path


def test_a_bad_zone_stops_before_anything_is_written(tmp_path, capsys):
    raw, out = _new_corpus(tmp_path), tmp_path / "out"
    assert main(["extract", "--raw-dir", str(raw), "--out-dir", str(out), *WINDOW[2:], "--timezone", "Kyiv"]) == 2
    assert (
        capsys.readouterr().err == "error: --timezone: unknown time zone 'Kyiv' (an IANA name such as 'Asia/Karachi')\n"
    )
    assert not out.exists()


def test_extract_and_timeline_close_with_one_line(tmp_path, capsys):
    raw, out = _new_corpus(tmp_path), tmp_path / "out"
    assert main(["extract", "--raw-dir", str(raw), "--out-dir", str(out), *WINDOW]) == 0
    assert main(["timeline", "--out-dir", str(out), *WINDOW]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    extract, timeline = captured.err.splitlines()
    assert re.fullmatch(
        re.escape(
            f"extract: 2 documents, 0 furniture spans, 1 time expressions, 2 claims, 2 sources -> {out} (0.0 MB in "
        )
        + r"\d+\.\d s\)",
        extract,
    )
    assert timeline == f"timeline: 2 distinct figures, 20 consensus rows, 0 parts -> {out}"


def test_notebooks_of_another_corpus_never_overwrite_the_projects(tmp_path, capsys):
    from analysis import cli, workflow

    params = workflow.init(tmp_path / "ev", workflow.InitAnswers("Quake", "UTC", "2020-03-02", "2020-03-05"))
    assert cli.parse(["notebooks", "--params", str(params)]).notebooks_dir == params.parent / "notebooks"
    assert cli.parse(["notebooks"]).notebooks_dir == cli.config.ROOT / "notebooks"
    before = {p: p.stat().st_mtime_ns for p in (cli.config.ROOT / "notebooks").glob("*.ipynb")}
    project = str(cli.config.ROOT / "notebooks")
    assert main(["notebooks", "--params", str(params), "--notebooks-dir", project]) == 2
    assert (
        f"--notebooks-dir {project} (from {params.resolve()}) is the project's own notebooks" in capsys.readouterr().err
    )
    assert {p: p.stat().st_mtime_ns for p in before} == before
    exports = str(cli.config.ROOT / "data" / "exports")
    assert main(["exports", "--params", str(params), "--exports-dir", exports]) == 2
    assert "is the project's own data/exports" in capsys.readouterr().err
    assert cli.parse(["report", "--params", str(params)]).report == params.parent / "report.html"


def test_help_shows_defaults_and_the_params_variable():
    out = subprocess.run([sys.executable, "-m", "analysis", "timeline", "--help"], capture_output=True, text=True,
                         check=True, env={**os.environ, "COLUMNS": "200"}).stdout  # fmt: skip
    assert "$TOLLWATCH_PARAMS" in out
    assert "--timezone TIMEZONE   IANA zone of the event, for local times (default: Asia/Karachi)" in out
    assert "(default: 2007-07-10T04:00)" in out and "data/processed)" in out


def test_notebooks_run_quietly_and_a_failure_names_the_notebook(tmp_path, capfd):
    import nbformat

    src = tmp_path / "src"
    src.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print(6 * 7)")]
    nbformat.write(nb, src / "a.ipynb")
    nb.cells = [nbformat.v4.new_code_cell("1 / 0")]
    nbformat.write(nb, src / "b.ipynb")
    (done,) = notebooks.run_notebooks(src_dir=src, out_dir=tmp_path / "out", names=["a"])
    assert nbformat.read(done, as_version=4).cells[0].outputs[0]["text"] == "42\n"
    assert capfd.readouterr() == ("", "")  # no nbconvert progress lines, no kernel warnings
    with pytest.raises(notebooks.NotebookError) as err:
        notebooks.run_notebooks(src_dir=src, out_dir=tmp_path / "out", names=["b"])
    assert str(err.value).startswith(f"notebook {src / 'b.ipynb'} failed:") and "ZeroDivisionError" in str(err.value)


def test_a_write_error_that_names_no_file_names_the_out_folder(tmp_path, capsys, monkeypatch):
    # pyarrow's errors on a full disk carry no file name: the message still says where the run was writing
    import errno

    from analysis.stages import extract as engine

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(engine, "run", full_disk)
    out = tmp_path / "out"
    code = main(["extract", "--out-dir", str(out), "--workers", "1"])
    assert code == 2
    assert capsys.readouterr().err.strip() == f"error: {out}: No space left on device"
