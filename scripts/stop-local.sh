#!/usr/bin/env bash
# Stops what `npm run start:local` leaves running: moto and the project-local PostgreSQL clusters.
set -euo pipefail
source "$(dirname "$0")/lib/stack.sh"

shopt -s nullglob
for pidfile in "$RUN_DIR"/moto-[0-9]*.pid; do
  port="${pidfile##*/moto-}" port="${port%.pid}"
  if kill "$(cat "$pidfile")" 2>/dev/null; then log "stopped moto on port $port"; fi
  rm -f "$pidfile"
done
for data in "$RUN_DIR"/postgres/cluster-*/data; do
  port="${data%/data}" port="${port##*/cluster-}"
  stop_postgres "$port"
done
