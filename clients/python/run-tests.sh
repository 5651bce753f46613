#!/usr/bin/env bash
# The Python client's tests against a real `crowdlens serve`: installs the client with its geo
# and test extras into a virtual environment outside the clone (reused when it is there), then
# runs pytest. The crowdlens binary is the release build (`cargo test --release` builds it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${CROWDLENS_VENV:-$HOME/.cache/crowdlens-venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$here[geo,test]"
cd "$here"
exec "$venv/bin/python" -m pytest -q "$@"
