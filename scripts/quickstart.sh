#!/usr/bin/env bash
# The main job end to end on a fresh machine: Docker engine, the package, the base image and
# every language image, then `sandbox run --lang all` (McEval's canonical solutions in every
# language: a self-validation of the whole sandbox), then `sandbox doctor`'s summary of the
# set-up. Extra arguments go to `sandbox run`.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
stamp() { printf '[quickstart +%ss] %s\n' "$(( $(date +%s) - start ))" "$*" >&2; }

stamp "engine"; bash scripts/setup-engine.sh
stamp "package"; bash scripts/install-package.sh
stamp "base images"; sandbox images bootstrap
stamp "language images"; sandbox images build --lang all
stamp "McEval canonical solutions, every language"
status=0
sandbox run --lang all "$@" || status=$?
stamp "set-up"
sandbox doctor || true
stamp "done"
exit "$status"
