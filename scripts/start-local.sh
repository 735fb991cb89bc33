#!/usr/bin/env bash
# Installs what is missing, starts moto (S3 + SQS) on the AWS endpoint and, where nothing answers
# at DATABASE_URL on this machine, a project-local PostgreSQL; creates and migrates the database,
# bootstraps bucket/queue/notification and runs the service in the foreground, as this process
# (package.json runs this script with exec), so Ctrl-C and SIGTERM reach the service itself.
set -euo pipefail
source "$(dirname "$0")/lib/stack.sh"
cd "$ROOT"

export AWS_ENDPOINT="${AWS_ENDPOINT:-http://127.0.0.1:4566}"
export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/tvidz}"
# The local stack listens on loopback only, with authentication off (README "Authentication").
export AUTH_MODE="${AUTH_MODE:-none}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"

ensure_node
ensure_ffmpeg
ensure_node_modules
stays=""
if [ "$AWS_ENDPOINT" != aws ]; then
  ensure_moto_installed
  port="$(node -e 'console.log(new URL(process.argv[1]).port || 80)' "$AWS_ENDPOINT")"
  start_moto "$port" "$RUN_DIR/moto-$port.pid"
  stays="; moto keeps running: kill \$(cat .run/moto-$port.pid)"
fi
ensure_psql
ensure_postgres "$DATABASE_URL"
ensure_database "$DATABASE_URL"
node --import tsx scripts/setup-localstack.ts
log "starting the service (Ctrl-C or SIGTERM stops it$stays)"
exec node --import tsx src/main.ts
