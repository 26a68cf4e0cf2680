#!/usr/bin/env bash
# Installs Milvus Lite (pinned in requirements.txt) into .venv-milvus/ at the project root, for
# the Milvus adapter's integration tests and examples (src/testing/milvus-lite.ts starts it).
# Idempotent: a quick no-op when the venv already holds exactly these pins.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$root/.venv-milvus"
requirements="$root/scripts/milvus-lite/requirements.txt"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]] &&
  "$venv/bin/python" -c 'import milvus_lite' 2>/dev/null; then
  echo "milvus-lite: $venv is up to date"
  exit 0
fi

if [[ ! -x "$venv/bin/python" ]]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
"$venv/bin/python" -c 'import milvus_lite' # fails loudly when the install is broken
echo "$want" >"$stamp"
echo "milvus-lite: installed into $venv"
