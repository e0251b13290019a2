"""The code each DVC stage runs, derived from imports: `python scripts/stage_deps.py [--write]` checks or fixes dvc.yaml."""

from __future__ import annotations

import argparse
import ast
import inspect
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "analysis"
DVC_YAML = ROOT / "dvc.yaml"
CODE_DEP = re.compile(r"^analysis/")


def module_file(name: str) -> Path | None:
    """analysis.x -> analysis/x.py (or analysis/x/__init__.py); None if no such module."""
    base = ROOT / Path(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def imported_modules(tree: ast.AST, top_level_only: bool = False) -> set[str]:
    """analysis.* modules a syntax tree imports anywhere (lazy imports inside functions included)."""
    found: set[str] = set()
    for node in tree.body if top_level_only else ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == PACKAGE}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == PACKAGE:
            found.add(node.module)
            # 'from analysis import figures' imports a module; 'from analysis.io import frame' a name
            found |= {f"{node.module}.{a.name}" for a in node.names if module_file(f"{node.module}.{a.name}")}
    return found


def lexicons_loaded(tree: ast.AST) -> set[str]:
    """Names passed as a string literal to a `load(...)` call: lexicon.load("claims") -> claims; a call of
    `validate_all()` loads every lexicon."""
    names = set()
    for node in ast.walk(tree):
        called = getattr(node.func, "attr", getattr(node.func, "id", None)) if isinstance(node, ast.Call) else None
        if called == "load":
            names |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
        elif called == "validate_all":
            names |= {p.stem for p in (ROOT / PACKAGE / "lexicon").glob("*.yaml")}
    return names


def closure(entries: set[str]) -> set[Path]:
    """Every package file reachable by imports from the entry modules, with the parents' __init__ files."""
    todo, files = sorted(entries), set()
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for i in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__ and a/b/__init__ first
            path = module_file(".".join(parts[:i]))
            if path is None or path in files:
                continue
            files.add(path)
            # The CLI imports each stage lazily inside its handler: only its module-level imports always run.
            shallow = path == module_file(f"{PACKAGE}.cli")
            todo += sorted(imported_modules(ast.parse(path.read_text(encoding="utf-8")), top_level_only=shallow))
    return files


def lexicon_files(files: set[Path]) -> set[Path]:
    """The lexicon YAML files that these modules load."""
    names = set().union(*(lexicons_loaded(ast.parse(p.read_text(encoding="utf-8"))) for p in files))
    return {p for n in names if (p := ROOT / PACKAGE / "lexicon" / f"{n}.yaml").is_file()}


def notebook_imports() -> set[str]:
    """analysis modules the notebook sources import."""
    found: set[str] = set()
    for nb in sorted((ROOT / "notebooks" / "src").glob("*.ipynb")):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                source = "".join(cell["source"])
                source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
                found |= imported_modules(ast.parse(source))
    return found


def stage_entries() -> dict[str, set[str]]:
    """Per CLI stage, the modules `python -m analysis <stage>` imports: __main__, the CLI and the stage's own."""
    sys.path.insert(0, str(ROOT))
    from analysis import cli

    base = {f"{PACKAGE}.__main__", f"{PACKAGE}.cli"}
    entries = {}
    for name, (_, func, _) in cli.STAGES.items():
        tree = ast.parse(inspect.getsource(func))
        called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        helpers = [getattr(cli, c) for c in called if c.startswith("_") and callable(getattr(cli, c, None))]
        mods = imported_modules(tree).union(*(imported_modules(ast.parse(inspect.getsource(h))) for h in helpers))
        entries[name] = base | mods | (notebook_imports() if name == "notebooks" else set())
    return entries


def expected_code_deps() -> dict[str, list[str]]:
    """Per stage, the sorted repository paths of the code and lexicons it runs."""
    out = {}
    for name, entries in stage_entries().items():
        files = closure(entries)
        files |= lexicon_files(files)
        out[name] = sorted(p.relative_to(ROOT).as_posix() for p in files)
    return out


def declared_code_deps(dvc_text: str) -> dict[str, list[str]]:
    """Per stage in dvc.yaml, its deps under analysis/ as written."""
    import yaml

    stages = yaml.safe_load(dvc_text)["stages"]
    return {name: sorted(d for d in spec.get("deps", []) if CODE_DEP.match(d)) for name, spec in stages.items()}


def rewrite(dvc_text: str, expected: dict[str, list[str]]) -> str:
    """dvc.yaml with each stage's analysis/ deps replaced by the expected list (other lines untouched)."""
    out, stage, in_deps = [], None, False
    for line in dvc_text.splitlines(keepends=True):
        if m := re.match(r"^  ([\w-]+):\s*$", line):
            stage, in_deps = m.group(1), False
        elif re.match(r"^    deps:\s*$", line):
            in_deps = True
            out.append(line)
            out += [f"      - {p}\n" for p in expected.get(stage, [])]
            continue
        elif re.match(r"^    \S", line):
            in_deps = False
        if in_deps and re.match(r"^      - analysis/", line):
            continue
        out.append(line)
    return "".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="rewrite dvc.yaml's code deps in place")
    args = parser.parse_args()
    text = DVC_YAML.read_text(encoding="utf-8")
    expected = expected_code_deps()
    if args.write:
        DVC_YAML.write_text(rewrite(text, expected), encoding="utf-8")
        return 0
    declared = declared_code_deps(text)
    bad = {s: e for s, e in expected.items() if s in declared and declared[s] != e}
    for stage, exp in bad.items():
        print(
            f"{stage}: missing {sorted(set(exp) - set(declared[stage]))}, extra {sorted(set(declared[stage]) - set(exp))}"
        )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
