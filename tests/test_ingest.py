"""Ingest: manifest rules, bad inputs (clear error, nothing written), documents table, furniture."""

from __future__ import annotations

import csv
import io
import tempfile
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from conftest import RAW, SEED_IDS, seed_text
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.cli import main
from analysis.evaluation.timeml import read_corpus
from analysis.io import InputError
from analysis.schemas import Documents
from analysis.stages import ingest
from analysis.text.furniture import find_furniture


def _rewrite_manifest(raw: Path, edit) -> None:
    path = raw / "manifest.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0])
    rows = edit(rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def test_manifest_lists_every_seed_with_dates():
    rows = ingest.read_manifest(RAW)
    assert [r.doc_id for r in rows] == SEED_IDS
    dates = {r.doc_id[:3]: r.published_on.isoformat() for r in rows}
    assert dates == {"000": "2007-07-06", **{f"00{i}": "2007-07-10" for i in range(1, 5)}}
    outlets = {r.doc_id[:3]: (r.outlet, r.agency) for r in rows}
    assert outlets["002"] == ("Agence France-Presse", "AFP")
    assert outlets["004"] == ("Pravda.Ru", "AP")
    assert outlets["000"] == ("Al Jazeera", None)


def test_ingest_writes_valid_documents(tmp_path):
    ingest.run(RAW, tmp_path)
    docs = pd.read_parquet(tmp_path / "documents.parquet")
    Documents.validate(docs, lazy=True)
    assert docs["doc_id"].tolist() == SEED_IDS
    by_id = docs.set_index(docs["doc_id"].str[:3])
    assert by_id.loc["001", "headline"] == "'Dozens dead' in Red Mosque assault"
    assert by_id.loc["003", "byline"] == "By IANS"
    assert by_id.loc["002", "dateline"] == "ISLAMABAD"
    assert by_id.loc["003", "dateline"] == "Islamabad/New Delhi"
    assert pd.isna(by_id.loc["000", "headline"])  # opens with a long sentence, not a headline
    assert by_id.loc["000", "n_chars"] == len(seed_text("000"))


# What furniture detection must find in each seed: (kind, first words of the span, last words).
EXPECTED_FURNITURE = {
    "000": [
        ("comment_box", "Your Views", "Send us\xa0your views"),
        ("caption", "The\xa0government\xa0has demanded", "surrender unconditionally [AFP]"),
    ],
    "001": [
        ("caption", "Ambulances rushing", "take away casualties [AFP]"),
        ("comment_box", "Your Views", "Send us your views"),
        ("teaser", "Interactive: Coding like a girl", "helped colour the country's identity."),
    ],
    "002": [],
    "003": [],
    "004": [("subscribe", "Subscribe to Pravda.Ru", "YouTube, RSS!")],
}


@pytest.mark.parametrize("prefix", sorted(EXPECTED_FURNITURE))
def test_furniture_in_each_seed(prefix):
    text = seed_text(prefix)
    found = [(sp.kind, text[sp.start : sp.end]) for sp in find_furniture(text)]
    expected = EXPECTED_FURNITURE[prefix]
    assert len(found) == len(expected), found
    for (kind, span), (ekind, head, tail) in zip(found, expected, strict=True):
        assert kind == ekind
        assert span.startswith(head) and span.endswith(tail), span


def test_furniture_keeps_the_article():
    # the claims in 001 around the comment box stay outside furniture
    text = seed_text("001")
    spans = find_furniture(text)
    for phrase in ("around 30 children", "Hundreds remained inside", "nearly 2,000 followers"):
        pos = text.index(phrase)
        assert not any(sp.start <= pos < sp.end for sp in spans), phrase


def test_furniture_finds_nothing_in_timebank(timebank_dir):
    hits = [(d.doc_id, sp) for d in read_corpus(timebank_dir) for sp in find_furniture(d.text)]
    assert hits == []


def test_furniture_general_cues_on_unseen_layout():
    text = (
        "Five people died in the flood, officials said.\n\n"
        "Rescuers pulled 12 survivors from the river [Reuters]\n\n"
        "Have your say\nReaders write in.\nSend us your comments\n\n"
        "Follow us on Twitter for updates\n"
    )
    kinds = [sp.kind for sp in find_furniture(text)]
    assert kinds == ["caption", "comment_box", "subscribe"]


# --- bad input: a clear error naming the file and the problem, and nothing written ---


def _assert_fails(raw: Path, tmp_path: Path, *fragments: str) -> str:
    """ingest.run fails with an InputError holding every fragment and writes nothing; returns the message."""
    out = tmp_path / "out"
    with pytest.raises(InputError) as err:
        ingest.run(raw, out)
    for frag in fragments:
        assert frag in str(err.value), str(err.value)
    assert not out.exists() or not any(out.iterdir())
    return str(err.value)


def test_not_utf8(raw_copy, tmp_path):
    (raw_copy / "002_786e792f34019fa1.txt").write_bytes(b"Agence\nFrance \xff\xfe Presse")
    _assert_fails(raw_copy, tmp_path, "002_786e792f34019fa1.txt", "not UTF-8 (byte 0xff at offset 14, line 2)")


def test_empty_file(raw_copy, tmp_path):
    (raw_copy / "003_b6bca6c20c28e29c.txt").write_bytes(b"  \n")
    _assert_fails(raw_copy, tmp_path, "003_b6bca6c20c28e29c.txt", "empty")


def test_file_without_manifest_row(raw_copy, tmp_path):
    (raw_copy / "005_extra.txt").write_text("Ten people died.", encoding="utf-8")
    _assert_fails(raw_copy, tmp_path, "005_extra.txt", "no manifest row")


def test_manifest_row_without_file(raw_copy, tmp_path):
    (raw_copy / "004_14a8191fc3539fc6.txt").unlink()
    _assert_fails(raw_copy, tmp_path, "manifest.csv, line 6", "004_14a8191fc3539fc6.txt", "not found")


def test_duplicate_doc_id(raw_copy, tmp_path):
    _rewrite_manifest(raw_copy, lambda rows: rows + [rows[1]])
    _assert_fails(raw_copy, tmp_path, "line 7", "duplicate doc_id", "first on line 3")


@pytest.mark.parametrize(
    "bad",
    ["10 July 2007", "10/07/2007", "2007-13-01", "2007-07-10T25:00", "2007-07-10 06:22", "20070710",
     "2007-07-10T06:22+05:99", "2007-07-10T06", ""],
)  # fmt: skip
def test_malformed_date(raw_copy, tmp_path, bad):
    def edit(rows):
        rows[2]["published_on"] = bad
        return rows

    _rewrite_manifest(raw_copy, edit)
    _assert_fails(raw_copy, tmp_path, "manifest.csv, line 4", f"published_on {bad!r}", "not an ISO date")


@pytest.mark.parametrize("bad", ["1899-12-31T23:00+00:00", "2101-01-01T00:00Z", "0207-07-10T06:22", "1850-07-10"])
def test_publication_out_of_range(raw_copy, tmp_path, bad):
    def edit(rows):
        rows[1]["published_on"] = bad
        return rows

    _rewrite_manifest(raw_copy, edit)
    _assert_fails(raw_copy, tmp_path, "manifest.csv, line 3", f"published_on {bad!r}", "out of range (years 1900-2100)")


def test_missing_manifest(raw_copy, tmp_path):
    (raw_copy / "manifest.csv").unlink()
    _assert_fails(raw_copy, tmp_path, "manifest.csv", "manifest not found")


def test_manifest_without_file_column_uses_doc_id(tmp_path):
    raw = tmp_path / "corpus"
    raw.mkdir()
    (raw / "a1.txt").write_text("Two soldiers were killed on Monday.", encoding="utf-8")
    (raw / "manifest.csv").write_text("doc_id,outlet,published_on\na1,Example News,2020-01-06\n", encoding="utf-8")
    ingest.run(raw, tmp_path / "out")
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert docs.loc[0, "file"] == "a1.txt" and pd.isna(docs.loc[0, "agency"])


def test_existing_outputs_survive_a_failed_run(raw_copy, tmp_path):
    out = tmp_path / "out"
    ingest.run(raw_copy, out)
    before = (out / "documents.parquet").read_bytes()
    (raw_copy / "000_6c29411ee84dcfa5.txt").write_bytes(b"")
    with pytest.raises(InputError):
        ingest.run(raw_copy, out)
    assert (out / "documents.parquet").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["documents.parquet", "furniture.parquet"]


def test_cli_reports_bad_input_and_exits_2(raw_copy, tmp_path, capsys):
    (raw_copy / "001_44019b8f78dfa651.txt").write_bytes(b"")
    code = main(["ingest", "--raw-dir", str(raw_copy), "--out-dir", str(tmp_path / "o")])
    assert code == 2
    assert "001_44019b8f78dfa651.txt: file is empty" in capsys.readouterr().err


# --- publication times: date, date-time with offset, naive date-time in the row's or the event's zone ---


def _corpus(tmp_path: Path, rows: list[tuple[str, str | None]]) -> Path:
    """A corpus of one short text per (published_on, timezone) row; the timezone column only if a row has one."""
    raw = tmp_path / "corpus"
    raw.mkdir()
    with_zone = any(zone is not None for _, zone in rows)
    with (raw / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["doc_id", "outlet", "published_on"] + (["timezone"] if with_zone else []))
        for i, (published, zone) in enumerate(rows):
            (raw / f"d{i}.txt").write_text(f"Story {i}: two people were killed.", encoding="utf-8")
            w.writerow([f"d{i}", "Example News", published] + ([zone or ""] if with_zone else []))
    return raw


def _published(raw: Path, tmp_path: Path, **kw) -> list[tuple[str, str]]:
    """(published_on, published_at) of each written document row, as strings ('NaT' when null)."""
    ingest.run(raw, tmp_path / "out", **kw)
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    Documents.validate(docs, lazy=True)
    assert str(docs["published_at"].dtype) == "datetime64[us, UTC]"
    return [(on.isoformat(), str(at)) for on, at in zip(docs["published_on"], docs["published_at"], strict=True)]


def test_date_only_leaves_published_at_null(tmp_path):
    ingest.run(RAW, tmp_path / "seed")
    seed = pd.read_parquet(tmp_path / "seed" / "documents.parquet")
    assert seed["published_at"].isna().all()
    assert list(seed.columns[4:6]) == ["published_on", "published_at"]
    raw = _corpus(tmp_path, [("2007-07-10", "Asia/Karachi")])
    assert _published(raw, tmp_path, timezone="America/Santiago") == [("2007-07-10", "NaT")]


@pytest.mark.parametrize(
    ("value", "on", "at"),
    [
        ("2007-07-10T06:22+05:00", "2007-07-10", "2007-07-10 01:22:00+00:00"),
        ("2007-07-10T23:30-04:00", "2007-07-10", "2007-07-11 03:30:00+00:00"),
        ("2007-07-10T00:15+05:00", "2007-07-10", "2007-07-09 19:15:00+00:00"),
        ("2007-07-10T06:22Z", "2007-07-10", "2007-07-10 06:22:00+00:00"),
        ("2007-07-10T06:22:07.25+05:30", "2007-07-10", "2007-07-10 00:52:07.250000+00:00"),
    ],
)
def test_offset_datetime_gives_utc_instant_and_its_own_local_date(tmp_path, value, on, at):
    # the offset wins over both the row's zone and the event's
    raw = _corpus(tmp_path, [(value, "Asia/Tokyo")])
    assert _published(raw, tmp_path, timezone="America/Santiago") == [(on, at)]


def test_naive_datetime_is_read_in_the_rows_zone(tmp_path):
    raw = _corpus(
        tmp_path,
        [
            ("2004-03-12T09:13", "Europe/Madrid"),  # CET, UTC+1 in March
            ("2007-07-10T02:00", "Asia/Karachi"),  # UTC+5: the UTC instant falls on the day before
            ("2007-07-10T22:00", "America/New_York"),  # EDT, UTC-4: the UTC instant falls on the day after
            ("2007-07-10T06:00", None),  # blank cell: the event's zone
        ],
    )
    assert _published(raw, tmp_path, timezone="Asia/Tokyo") == [
        ("2004-03-12", "2004-03-12 08:13:00+00:00"),
        ("2007-07-10", "2007-07-09 21:00:00+00:00"),
        ("2007-07-10", "2007-07-11 02:00:00+00:00"),
        ("2007-07-10", "2007-07-09 21:00:00+00:00"),  # Tokyo, UTC+9
    ]


def test_naive_datetime_is_read_in_the_event_zone(tmp_path):
    raw = _corpus(tmp_path, [("2007-07-10T04:00", None)])
    assert _published(raw, tmp_path, timezone="Asia/Karachi") == [("2007-07-10", "2007-07-09 23:00:00+00:00")]
    # a direct call without a zone keeps the old default, UTC
    assert _published(raw, tmp_path / "utc") == [("2007-07-10", "2007-07-10 04:00:00+00:00")]


def test_cli_passes_the_event_zone_to_ingest(tmp_path):
    raw = _corpus(tmp_path, [("2020-03-02T09:00", None)])
    out = tmp_path / "cli"
    assert main(["ingest", "--raw-dir", str(raw), "--out-dir", str(out), "--timezone", "America/Santiago"]) == 0
    docs = pd.read_parquet(out / "documents.parquet")
    assert str(docs.loc[0, "published_at"]) == "2020-03-02 12:00:00+00:00"  # Santiago is UTC-3 in March


def test_local_date_of_published_at_is_published_on(tmp_path):
    rows = [
        ("2007-07-10T23:59+14:00", None),
        ("2007-07-10T00:01-11:00", None),
        ("2007-07-10T23:30", "Pacific/Kiritimati"),
        ("2007-07-10T00:30", "Pacific/Pago_Pago"),
        ("2007-07-10T12:00", None),
    ]
    raw = _corpus(tmp_path, rows)
    ingest.run(raw, tmp_path / "out", timezone="Asia/Karachi")
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    for (value, zone), on, at in zip(rows, docs["published_on"], docs["published_at"], strict=True):
        local = datetime.fromisoformat(value).tzinfo or ZoneInfo(zone or "Asia/Karachi")
        assert at.to_pydatetime().astimezone(local).date() == on == date(2007, 7, 10), value


def test_ambiguous_local_time_is_its_first_occurrence(tmp_path):
    # 01:30 happened twice in New York on 4 Nov 2007: first in EDT (UTC-4), then in EST (UTC-5)
    raw = _corpus(tmp_path, [("2007-11-04T01:30", "America/New_York")])
    assert _published(raw, tmp_path) == [("2007-11-04", "2007-11-04 05:30:00+00:00")]


def test_skipped_local_time_is_rejected(tmp_path):
    raw = _corpus(tmp_path, [("2007-07-10", None), ("2007-03-11T02:30", "America/New_York")])
    _assert_fails(raw, tmp_path, "manifest.csv, line 3", "'2007-03-11T02:30'", "does not exist in America/New_York")


def test_bad_timezone_cell_is_rejected(tmp_path):
    raw = _corpus(tmp_path, [("2007-07-10", None), ("2007-07-10T06:22+05:00", "Mars/Olympus")])
    _assert_fails(raw, tmp_path, "manifest.csv, line 3", "timezone 'Mars/Olympus'", "IANA")


def test_bad_event_zone_is_rejected_before_reading(tmp_path):
    raw = _corpus(tmp_path, [("2007-07-10T06:22", None)])
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        ingest.run(raw, tmp_path / "out", timezone="Mars/Olympus")
    assert not (tmp_path / "out").exists()


def test_schema_rejects_published_at_days_off_published_on(tmp_path):
    ingest.run(RAW, tmp_path)
    docs = pd.read_parquet(tmp_path / "documents.parquet")
    docs["published_at"] = pd.Timestamp("2007-07-10 01:22", tz="UTC")
    with pytest.raises(Exception, match="published_at_near_its_date"):
        Documents.validate(docs, lazy=True)  # 000 is dated 2007-07-06
    Documents.validate(docs[docs["published_on"] == date(2007, 7, 10)], lazy=True)


# ISO 8601 offsets are whole minutes; Python writes sub-second offsets ("+00:00:00.000001") that its own parser
# reads back rounded, which no outlet prints.
_OFFSETS = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(lambda m: timedelta(minutes=m))
_ZONES = st.one_of(st.timezones(), st.builds(timezone, _OFFSETS))
_SPAN = {"min_value": datetime(1900, 1, 1), "max_value": datetime(2100, 12, 31, 23, 59, 59, 999999)}


@given(st.datetimes(**_SPAN, timezones=_ZONES))
def test_any_aware_isoformat_round_trips_to_its_utc_instant(moment):
    on, at = ingest.parse_published(moment.isoformat(), "Asia/Karachi")
    # against moment.astimezone(UTC), not moment: PEP 495 makes a repeated wall time (fold) unequal to any
    # datetime of another zone, so `at == moment` is False for e.g. 1985-10-14T23:00 in Africa/Juba
    assert at == moment.astimezone(UTC) and at.utcoffset() == timedelta(0)
    assert on == moment.date()


@given(st.datetimes(**_SPAN, timezones=st.timezones(), allow_imaginary=False))
def test_any_naive_isoformat_is_read_in_the_given_zone(moment):
    naive = moment.replace(tzinfo=None, fold=0)  # a wall time written down carries no fold
    on, at = ingest.parse_published(naive.isoformat(), moment.tzinfo.key)
    assert at == naive.replace(tzinfo=moment.tzinfo).astimezone(UTC)  # fold 0: an ambiguous time's first occurrence
    assert on == naive.date()


# --- hostile and careless input: paths, names, encodings, quoting, line ends ---

_STORY = (
    "Quake toll rises\nBy Jane Roe\n\nAt least 12 people were killed, police said.\nFollow us on Twitter for updates\n"
)


def _folder(tmp_path: Path, manifest: str | bytes, files: dict[str, str | bytes] | None = None) -> Path:
    """A corpus folder with the given manifest (text is written as UTF-8) and raw files."""
    raw = tmp_path / "corpus"
    raw.mkdir(parents=True)
    for name, body in (files or {}).items():
        (raw / name).write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    (raw / "manifest.csv").write_bytes(manifest if isinstance(manifest, bytes) else manifest.encode("utf-8"))
    return raw


_HEAD = "doc_id,file,outlet,published_on\n"


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("/etc/passwd", "is an absolute path"),
        ("../../etc/hostname", "outside the corpus folder"),
        ("../secret.txt", "outside the corpus folder"),
        ("sub/../../secret.txt", "outside the corpus folder"),
    ],
)
def test_a_file_outside_the_folder_is_rejected(tmp_path, value, why):
    (tmp_path / "secret.txt").write_text("Nine people were killed.", encoding="utf-8")
    manifest = _HEAD + f"a1,a1.txt,Daily,2020-01-06\na2,{value},Daily,2020-01-06\n"
    raw = _folder(tmp_path, manifest, {"a1.txt": "Two people died."})
    (raw / "sub").mkdir()
    _assert_fails(raw, tmp_path, "manifest.csv, line 3", f"file {value!r}", why)


def test_a_symlink_out_of_the_folder_is_rejected(tmp_path):
    (tmp_path / "secret.txt").write_text("Nine people were killed.", encoding="utf-8")
    raw = _folder(tmp_path, _HEAD + "a1,link.txt,Daily,2020-01-06\n")
    (raw / "link.txt").symlink_to(tmp_path / "secret.txt")
    _assert_fails(raw, tmp_path, "manifest.csv, line 2", "file 'link.txt' resolves to", "outside the corpus folder")


def test_a_symlink_loop_is_rejected(tmp_path):
    raw = _folder(tmp_path, _HEAD + "a1,loop.txt,Daily,2020-01-06\n")
    (raw / "loop.txt").symlink_to(raw / "loop.txt")
    _assert_fails(raw, tmp_path, "manifest.csv, line 2", "'loop.txt'")


def test_symlinks_inside_the_folder_and_a_linked_folder_are_fine(tmp_path):
    raw = _folder(tmp_path, _HEAD + "a1,link.txt,Daily,2020-01-06\n")
    (raw / "store").mkdir()
    (raw / "store" / "a1.txt").write_text("Two people died.", encoding="utf-8")
    (raw / "link.txt").symlink_to(raw / "store" / "a1.txt")
    (tmp_path / "alias").symlink_to(raw)  # the folder itself reached through a link
    ingest.run(tmp_path / "alias", tmp_path / "out")
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert docs["file"].tolist() == ["link.txt"]


@pytest.mark.parametrize(
    ("doc_id", "why"),
    [
        ("../x", "path separator"),
        ("..\\x", "path separator"),
        ("a/b", "path separator"),
        ("a\x07b", "control character (U+0007)"),
        ("a\tb", "control character (U+0009)"),
    ],
)
def test_a_doc_id_that_is_a_path_or_holds_control_characters_is_rejected(tmp_path, doc_id, why):
    (tmp_path / "x.txt").write_text("Nine people were killed.", encoding="utf-8")
    manifest = f"doc_id,outlet,published_on\na1,Daily,2020-01-06\n{doc_id},Daily,2020-01-06\n"
    raw = _folder(tmp_path, manifest, {"a1.txt": "Two people died."})
    _assert_fails(raw, tmp_path, "manifest.csv, line 3", f"doc_id {doc_id!r}", why)


def test_a_file_cell_with_a_control_character_is_rejected(tmp_path):
    raw = _folder(tmp_path, _HEAD + 'a1,"a1\x01.txt",Daily,2020-01-06\n', {"a1.txt": "Two people died."})
    _assert_fails(raw, tmp_path, "manifest.csv, line 2", "control character (U+0001)")


def test_the_manifest_named_as_a_file_is_rejected(tmp_path):
    manifest = _HEAD + "a1,a1.txt,Daily,2020-01-06\na2,manifest.csv,Daily,2020-01-06\n"
    raw = _folder(tmp_path, manifest, {"a1.txt": "Two people died."})
    _assert_fails(raw, tmp_path, "manifest.csv, line 3", "'manifest.csv' is the manifest itself")


@pytest.mark.parametrize("second", ["a1.txt", "./a1.txt", "link.txt"])
def test_one_file_named_by_two_rows_is_rejected(tmp_path, second):
    manifest = _HEAD + f"a1,a1.txt,Daily,2020-01-06\na2,{second},Daily,2020-01-06\n"
    raw = _folder(tmp_path, manifest, {"a1.txt": "Two people died."})
    (raw / "link.txt").symlink_to(raw / "a1.txt")
    _assert_fails(raw, tmp_path, "manifest.csv, line 3", f"file {second!r}", "already the file of line 2")


_NFC, _NFD = "Caf\u00e9-\u00c5", "Cafe\u0301-A\u030a"


@pytest.mark.parametrize(("id_form", "name_form"), [(_NFD, _NFC), (_NFC, _NFD)])
def test_an_id_and_its_file_match_in_any_unicode_form(tmp_path, id_form, name_form):
    raw = _folder(tmp_path, f"doc_id,outlet,published_on\n{id_form},Daily,2020-01-06\n")
    (raw / f"{name_form}.txt").write_text("Two people died.", encoding="utf-8")
    ingest.run(raw, tmp_path / "out")
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert docs["doc_id"].tolist() == [_NFC]  # ids are kept in NFC
    assert docs["file"].tolist() == [f"{name_form}.txt"]  # the name as the folder spells it, for load_texts
    assert list(ingest.load_texts(raw, docs)) == [_NFC]


_ID_CHARS = st.sampled_from(list("abcXYZ019_-") + ["\u00e9", "e\u0301", "\u00c5", "A\u030a", "\u1e69", "\u01d6"])


@settings(max_examples=50, deadline=None)
@given(st.lists(_ID_CHARS, min_size=1, max_size=8).map("".join), st.sampled_from(["NFC", "NFD"]), st.booleans())
def test_ids_in_any_unicode_form_find_their_files(name, form, file_column):
    doc_id, on_disk = unicodedata.normalize(form, name), unicodedata.normalize("NFD" if form == "NFC" else "NFC", name)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp)
        (raw / f"{on_disk}.txt").write_text("Two people died.", encoding="utf-8")
        cells = f"{doc_id},{doc_id}.txt" if file_column else doc_id
        head = "doc_id,file,outlet,published_on" if file_column else "doc_id,outlet,published_on"
        (raw / "manifest.csv").write_text(f"{head}\n{cells},Daily,2020-01-06\n", encoding="utf-8")
        (doc,) = ingest.load_corpus(raw)
    assert doc.row.doc_id == unicodedata.normalize("NFC", name)
    assert doc.row.file == f"{on_disk}.txt"


def test_two_ids_equal_after_nfc_are_rejected(tmp_path):
    manifest = f"doc_id,outlet,published_on\n{_NFC},Daily,2020-01-06\n{_NFD},Daily,2020-01-06\n"
    raw = _folder(tmp_path, manifest, {f"{_NFC}.txt": "Two people died."})
    _assert_fails(raw, tmp_path, "manifest.csv, line 3", "line 2", "equal after NFC normalisation")


def test_two_files_one_name_in_two_unicode_forms_are_rejected(tmp_path):
    manifest = f"doc_id,outlet,published_on\n{_NFC},Daily,2020-01-06\n"
    raw = _folder(tmp_path, manifest, {f"{_NFC}.txt": "Two people died.", f"{_NFD}.txt": "Three people died."})
    _assert_fails(raw, tmp_path, "manifest.csv, line 2", "two Unicode forms")


_GOOD_MANIFEST = _HEAD + "a1,a1.txt,Diario,2020-01-06\na2,a2.txt,El Pa\u00eds,2020-01-06\n"
_GOOD_FILES = {"a1.txt": "Two people died.", "a2.txt": "Three people died."}


@pytest.mark.parametrize(("encoding", "name"), [("utf-16", "UTF-16"), ("utf-16-be", None), ("utf-32", "UTF-32")])
def test_a_utf16_or_utf32_manifest_names_its_encoding(tmp_path, encoding, name):
    data = _GOOD_MANIFEST.encode(encoding)
    if name is None:  # no byte-order mark: the NUL bytes give it away
        _assert_fails(_folder(tmp_path, data, _GOOD_FILES), tmp_path, "manifest.csv", "NUL bytes", "save it as UTF-8")
    else:
        _assert_fails(_folder(tmp_path, data, _GOOD_FILES), tmp_path, "manifest.csv", name, "save it as UTF-8")


def test_a_latin1_manifest_names_the_byte(tmp_path):
    data = _GOOD_MANIFEST.encode("latin-1")
    raw = _folder(tmp_path, data, _GOOD_FILES)
    offset = data.index(b"\xed")
    _assert_fails(
        raw, tmp_path, "manifest.csv", f"not UTF-8 (byte 0xed at offset {offset}, line 3)", "save it as UTF-8"
    )


def test_a_manifest_with_the_excel_bom_is_read(tmp_path):
    raw = _folder(tmp_path, "\ufeff" + _GOOD_MANIFEST, _GOOD_FILES)
    ingest.run(raw, tmp_path / "out")
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert docs["doc_id"].tolist() == ["a1", "a2"] and docs["outlet"].tolist() == ["Diario", "El Pa\u00eds"]


def test_the_seed_manifest_with_a_bom_gives_the_same_documents(raw_copy, tmp_path):
    ingest.run(raw_copy, tmp_path / "plain")
    (raw_copy / "manifest.csv").write_bytes(b"\xef\xbb\xbf" + (raw_copy / "manifest.csv").read_bytes())
    ingest.run(raw_copy, tmp_path / "bom")
    plain, bom = (pd.read_parquet(tmp_path / d / "documents.parquet") for d in ("plain", "bom"))
    pd.testing.assert_frame_equal(plain, bom)


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_an_unclosed_quote_names_the_line_where_it_opens(tmp_path, line_end):
    rows = [
        "doc_id,file,outlet,published_on,evidence",
        'a1,a1.txt,Daily,2020-01-06,"two lines,',
        ' ""quoted"" and closed"',
        'a2,a2.txt,Daily,2020-01-06,"opened here',
        "a3,a3.txt,Daily,2020-01-06,",
    ]
    files = {**_GOOD_FILES, "a3.txt": "Four people died."}
    raw = _folder(tmp_path, line_end.join(rows) + line_end, files)
    out = _assert_fails(raw, tmp_path, "manifest.csv, line 4", "never closed")
    assert "published_on" not in out


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('a,b\n1,"x\n', 2),
        ('a,b\n1,"x""y"\n2,"\n', 3),
        ('a,b\n1,x"y\n2,"ok"\n', None),  # a quote inside a plain field is a character
        ('a,b\n1,"ok"tail\n', None),  # text after a closing quote is kept by csv
        ('a,b\n"1\r\n2",3\r\n"4\r\n', 4),
        ('a,b\r1,"x\r', 2),
        ("a,b\n1,2\n", None),
    ],
)
def test_unclosed_quote_line_agrees_with_csv(text, line):
    assert ingest.unclosed_quote_line(text) == line
    if line is None:  # csv reads it to the end without running into the end of data
        list(csv.reader(io.StringIO(text, newline=""), strict=False))


def _one_story(tmp_path: Path, body: bytes) -> tuple[Path, pd.Series, pd.DataFrame]:
    """Ingest one raw file: (corpus folder, its documents row, its furniture rows)."""
    raw = _folder(tmp_path, "doc_id,outlet,published_on\na1,Daily,2020-01-06\n", {"a1.txt": body})
    ingest.run(raw, tmp_path / "out")
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    return raw, docs.iloc[0], pd.read_parquet(tmp_path / "out" / "furniture.parquet")


def _offsets_index_what_load_texts_reads(raw: Path, tmp_path: Path, furniture: pd.DataFrame) -> str:
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    text = ingest.load_texts(raw, docs)["a1"]
    assert docs.loc[0, "n_chars"] == len(text)
    for row in furniture.itertuples():
        assert text[row.start : row.end] == row.text
    return text


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_cr_crlf_and_lf_are_all_line_ends(tmp_path, line_end):
    body = _STORY.replace("\n", line_end).encode("utf-8")
    raw, doc, furniture = _one_story(tmp_path, body)
    assert (doc["headline"], doc["byline"]) == ("Quake toll rises", "By Jane Roe")
    assert furniture["kind"].tolist() == ["subscribe"]
    assert furniture["text"].tolist() == ["Follow us on Twitter for updates"]
    text = _offsets_index_what_load_texts_reads(raw, tmp_path, furniture)
    # a lone CR is read as LF, one character for one: offsets are those of the decoded file
    assert len(text) == len(body.decode("utf-8"))


def test_a_bom_is_not_part_of_the_headline_and_keeps_the_byline(tmp_path):
    for name, story in (("headline", _STORY), ("byline", _STORY.split("\n", 1)[1])):
        body = b"\xef\xbb\xbf" + story.encode("utf-8")
        raw, doc, furniture = _one_story(tmp_path / name, body)
        assert doc["byline"] == "By Jane Roe"
        assert doc["headline"] == "Quake toll rises" if name == "headline" else pd.isna(doc["headline"])
        text = _offsets_index_what_load_texts_reads(raw, tmp_path / name, furniture)
        # offsets index the text after the byte-order mark
        assert text == story and doc["n_chars"] == len(body.decode("utf-8")) - 1


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ("Deux morts \u00e0 Paris.".encode("latin-1"), "not UTF-8 (byte 0xe0 at offset 11, line 1)"),
        ("Two people died.".encode("utf-16"), "UTF-16 byte-order mark"),
    ],
)
def test_an_article_not_in_utf8_names_its_file(tmp_path, body, found):
    raw = _folder(tmp_path, "doc_id,outlet,published_on\na1,Daily,2020-01-06\n", {"a1.txt": body})
    _assert_fails(raw, tmp_path, "a1.txt", found, "save it as UTF-8")
