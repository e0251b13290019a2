#!/usr/bin/env bash
# A clone in an empty temporary folder, with nothing beside it, installs, reruns every stage (`dvc repro -f`)
# and leaves `git status` clean: the repository needs nothing outside itself and its outputs are what the
# code produces. Used by CI after `make test`; run it by hand with `make check-clone`.
set -euo pipefail
src="$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git clone --quiet "$src" "$work/tollwatch"
cd "$work/tollwatch"
echo "fresh clone of $(git rev-parse --short HEAD) in a temporary folder: make repro, then dvc repro -f" >&2
make --no-print-directory repro
make --no-print-directory repro-force
if [ -n "$(git status --porcelain)" ]; then
  echo "dvc repro -f in a fresh clone changed tracked files:" >&2
  git status --porcelain >&2
  git diff --stat >&2
  exit 1
fi
echo "fresh clone: dvc repro -f left the tree clean." >&2
