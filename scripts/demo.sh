#!/usr/bin/env bash
# The main job on the bundled demo: installs what it needs, starts the replica portal on
# 127.0.0.1, crawls it, builds the archive and serves it in Datasette.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/nianbao demo "$@"
