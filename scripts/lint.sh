#!/usr/bin/env bash
# Static checks, each failing the run: formatting (prettier), lint with type information
# (typescript-eslint), and the import rules of src/ (dependency-cruiser: no cycles, no import
# against the flow, Prisma only in store/, no I/O in the pure layers).
set -euo pipefail
source "$(dirname "$0")/lib/stack.sh"
cd "$ROOT"
ensure_node
ensure_node_modules
log "format (prettier --check)"
npx prettier --check --log-level warn .
log "lint (eslint)"
npx eslint --max-warnings 0 .
log "import rules (dependency-cruiser)"
npx depcruise src --config .dependency-cruiser.cjs --output-type err
