"""Stage `notebooks`: execute notebooks/src/*.ipynb into executed notebooks (and, through them, the figures)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from analysis import config

NOTEBOOK_SRC = config.ROOT / "notebooks" / "src"


NOTEBOOK_OUT = config.ROOT / "notebooks"


class NotebookError(subprocess.CalledProcessError):
    """A notebook whose execution failed: names it and ends with the end of nbconvert's report (the error)."""

    def __str__(self) -> str:
        tail = "\n".join(_ANSI_RE.sub("", self.stderr or "").strip().splitlines()[-25:])
        return f"notebook {self.cmd[-1]} failed:\n{tail}"


_ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")


def run_notebooks(
    src_dir: Path = NOTEBOOK_SRC, out_dir: Path = NOTEBOOK_OUT, names: list[str] | None = None, env=None
) -> list[Path]:
    """Execute each source notebook with nbconvert (no timing metadata, so the output is byte-stable) and
    write the executed copy under out_dir with the same name. The notebooks run side by side (each in its own
    kernel, writing its own files); nbconvert's progress lines and the kernels' warnings are kept back, and a
    failure raises NotebookError with the end of them."""
    import matplotlib.font_manager  # noqa: F401  (builds matplotlib's font cache before any kernel prints about it)

    sources = [s for s in sorted(Path(src_dir).glob("*.ipynb")) if names is None or s.stem in names]
    Path(out_dir).mkdir(parents=True, exist_ok=True)  # once, not by several nbconvert processes at a time
    running = []
    for src in sources:
        cmd = [
            sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute", "--log-level=ERROR",
            "--ExecutePreprocessor.record_timing=False", "--ExecutePreprocessor.timeout=600",
            "--output-dir", str(out_dir), "--output", src.name, str(src),
        ]  # fmt: skip
        proc = subprocess.Popen(cmd, env=kernel_env(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        running.append((cmd, proc))
    failed = None
    for cmd, proc in running:
        out, err = proc.communicate()
        if proc.returncode != 0 and failed is None:
            failed = NotebookError(proc.returncode, cmd, out, err)
    if failed is not None:
        raise failed
    return [Path(out_dir) / src.name for src in sources]


def kernel_env(env: dict | None = None) -> dict:
    """The environment for nbconvert and its kernel: this checkout's package first on the import path, so a
    kernel never imports another checkout's `analysis` installed in a shared environment."""
    env = dict(os.environ if env is None else env)
    root = str(config.ROOT)
    rest = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != root]
    env["PYTHONPATH"] = os.pathsep.join([root, *rest])
    return env
