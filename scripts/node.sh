#!/usr/bin/env bash
# Runs a TypeScript entry point (the service, the upload CLI, setup:aws, a benchmark) on the
# project's Node: 24, installed project-locally where the system's is older.
set -euo pipefail
source "$(dirname "$0")/lib/stack.sh"
ensure_node
exec node --import tsx "$@"
