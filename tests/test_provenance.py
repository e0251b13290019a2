"""Data kept in the repository is what its provenance says, and nothing tracked points outside the repository."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKSUMMED = [ROOT / "data" / "raw", ROOT / "data" / "external" / "timebank"]
# A path out of the checkout ('../shared/...') or an absolute path of some machine ('/work/...', '/home/...').
OUTSIDE = re.compile(r"\.\./shared|(?<![\w.:/~-])/(?:work|home|root|Users|tmp|mnt|opt|srv|var/folders)/[\w.-]+")
BINARY = {".parquet", ".png", ".svg"}


def _sums(folder: Path) -> dict[str, str]:
    lines = (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    return {name.strip(): digest for digest, name in (line.split("  ", 1) for line in lines if line)}


@pytest.mark.parametrize("folder", CHECKSUMMED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_files_match_their_recorded_sha256(folder):
    sums = _sums(folder)
    data = sorted(p.name for p in folder.iterdir() if p.suffix in {".txt", ".tml"})
    assert sorted(sums) == data, "every data file is listed in SHA256SUMS and every listed file exists"
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, f"{folder / name} changed"
    assert (folder / "SOURCE.md").is_file()


def test_timebank_is_complete():
    assert len(_sums(ROOT / "data" / "external" / "timebank")) == 183


def _tracked_text_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    paths = [ROOT / p for p in out.decode().split("\0") if p]
    return [p for p in paths if p.suffix not in BINARY and p.is_file() and "external/timebank" not in p.as_posix()]


def test_outside_pattern_catches_what_it_should():
    hits = ["see ../shared/spec/x.md", "under /work/shared/spec", "at /home/ana/data", "/tmp/run1/x"]
    misses = ["data/external/timebank", "https://example.org/work/x", "~/work/x", "a/b", "1/2/3"]
    assert all(OUTSIDE.search(s) for s in hits)
    assert not any(OUTSIDE.search(s) for s in misses)


def test_no_tracked_file_points_outside_the_repository():
    files = _tracked_text_files()
    assert len(files) > 30, "git ls-files found the tracked files"
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line) and path != Path(__file__).resolve():  # this file holds examples
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not found, "\n".join(found)
