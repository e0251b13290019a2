"""The CLI contract: `python -m analysis extract` on any corpus folder with a manifest."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from analysis.cli import main


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
    out = subprocess.run([sys.executable, "-m", "analysis", "--help"], capture_output=True, text=True, check=True).stdout
    for stage in ("ingest", "times", "claims", "extract", "evaluate", "times-eval"):
        assert stage in out
