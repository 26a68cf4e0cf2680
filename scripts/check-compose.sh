#!/usr/bin/env bash
# Offline checks of docker/ (no Docker engine needed): every compose file under docker/ passes
# `docker-compose config -q` (Debian's docker-compose, installed when missing), every YAML file
# under docker/ parses, and every JSON file under docker/grafana parses. The dashboard's metric
# names are checked against the code by test/unit/docker/dashboard-metrics.test.ts.
#
# Usage: bash scripts/check-compose.sh    (exit 0 when every check passes, 1 otherwise)
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  printf 'check-compose: %s\n' "$*" >&2
  exit 1
}

if ! command -v docker-compose >/dev/null 2>&1; then
  echo "check-compose: installing Debian's docker-compose"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
fi
command -v docker-compose >/dev/null 2>&1 || fail 'docker-compose is not installed'
# docker-compose is Python and depends on PyYAML, so both are here from now on.
python3 -c 'import yaml' 2>/dev/null || fail "python3 with PyYAML is missing (docker-compose's own dependency)"

mapfile -t composes < <(find docker -type f \( -name 'compose.yaml' -o -name 'compose.yml' \
  -o -name 'docker-compose*.yaml' -o -name 'docker-compose*.yml' \) | sort)
[ "${#composes[@]}" -gt 0 ] || fail 'no compose file under docker/'

status=0
for file in "${composes[@]}"; do
  # Interpolation must work with no variable set: every ${VAR} in the files has a default.
  if out=$(docker-compose -f "$file" config -q 2>&1); then
    echo "ok    compose  $file"
  else
    printf 'FAIL  compose  %s\n%s\n' "$file" "$out" >&2
    status=1
  fi
done

mapfile -t yamls < <(find docker -type f \( -name '*.yaml' -o -name '*.yml' \) | sort)
mapfile -t jsons < <(find docker/grafana -type f -name '*.json' | sort)
[ "${#jsons[@]}" -gt 0 ] || fail 'no JSON file under docker/grafana (the dashboard is missing)'

python3 - "${#yamls[@]}" "${yamls[@]}" "${jsons[@]}" <<'PY' || status=1
import json
import sys

import yaml

count = int(sys.argv[1])
yamls, jsons = sys.argv[2 : 2 + count], sys.argv[2 + count :]
bad = 0
for path, load, kind in [(p, yaml.safe_load, 'yaml') for p in yamls] + [
    (p, json.load, 'json') for p in jsons
]:
    try:
        with open(path, encoding='utf-8') as f:
            if load(f) is None:
                raise ValueError('empty document')
        print(f'ok    {kind:<8} {path}')
    except Exception as e:  # any parse error fails the check, with its message
        print(f'FAIL  {kind:<8} {path}: {e}', file=sys.stderr)
        bad = 1
sys.exit(bad)
PY

if [ "$status" -ne 0 ]; then
  fail 'docker/ has errors (see above)'
fi
echo "check-compose: ${#composes[@]} compose file(s), ${#yamls[@]} YAML and ${#jsons[@]} JSON file(s) ok"
