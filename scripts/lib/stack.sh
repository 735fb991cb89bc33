# Shared set-up steps for start-local.sh and test-all.sh. Every function is idempotent.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN_DIR="$ROOT/.run"
VENV="$ROOT/.venv-aws"
mkdir -p "$RUN_DIR"

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

# Root can apt-get directly; anyone else needs sudo.
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_ffmpeg() {
  local ffmpeg="${FFMPEG_PATH:-ffmpeg}" ffprobe="${FFPROBE_PATH:-ffprobe}"
  if command -v "$ffmpeg" >/dev/null && command -v "$ffprobe" >/dev/null; then return; fi
  log "installing ffmpeg (Debian package)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq ffmpeg >/dev/null
}

# The browser test drives Debian's chromium (Playwright's own browser download is not used).
ensure_chromium() {
  if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then return; fi
  log "installing chromium (Debian package) for the browser test"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
}

# The project targets Node 24 LTS. Where the system's Node is older, a project-local Node 24
# from the npm registry (the `node` package, which installs the platform's binary package) is
# put first on PATH for everything that follows: npm, tsx, vitest, the service.
NODE_MAJOR=24
ensure_node() {
  local have dir="$RUN_DIR/node"
  if [ -x "$dir/node_modules/.bin/node" ]; then export PATH="$dir/node_modules/.bin:$PATH"; fi
  have="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$have" -ge "$NODE_MAJOR" ]; then return; fi
  log "Node $(node --version 2>/dev/null || echo none) is older than $NODE_MAJOR: installing a project-local Node $NODE_MAJOR into $dir"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$dir" "node@$NODE_MAJOR" >/dev/null
  export PATH="$dir/node_modules/.bin:$PATH"
  log "using $(node --version) from $dir"
}

ensure_node_modules() {
  local stamp="$ROOT/node_modules/.install-stamp"
  if [ ! -f "$stamp" ] || [ "$ROOT/package-lock.json" -nt "$stamp" ]; then
    log "installing npm dependencies"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$stamp"
  fi
  if [ ! -f "$ROOT/src/generated/prisma/client.ts" ] || [ "$ROOT/prisma/schema.prisma" -nt "$ROOT/src/generated/prisma/client.ts" ]; then
    log "generating the Prisma client"
    # With DATABASE_URL unset, Prisma 6.19's generate falls back to downloading native engines.
    (cd "$ROOT" && DATABASE_URL="${DATABASE_URL:-postgresql://localhost/generate}" npx prisma generate >/dev/null)
  fi
}

ensure_moto_installed() {
  local stamp="$VENV/.install-stamp"
  if [ ! -x "$VENV/bin/moto_server" ] || [ "$ROOT/scripts/requirements-aws.txt" -nt "$stamp" ]; then
    log "installing moto into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$ROOT/scripts/requirements-aws.txt"
    touch "$stamp"
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# start_moto PORT PIDFILE: starts moto on 127.0.0.1:PORT unless something already answers there.
start_moto() {
  local port="$1" pidfile="$2"
  if port_open "$port"; then log "S3/SQS endpoint already up on port $port"; return; fi
  log "starting moto server on 127.0.0.1:$port"
  "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$RUN_DIR/moto-$port.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 100); do port_open "$port" && return; sleep 0.1; done
  log "moto did not start; see $RUN_DIR/moto-$port.log"; return 1
}

# ensure_database URL: creates the database named in URL if missing, then migrates it.
ensure_database() {
  local url="$1" name admin
  name="$(node -e 'console.log(new URL(process.argv[1]).pathname.slice(1))' "$url")"
  admin="${url%/*}/postgres"
  if ! psql "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
    log "creating database $name"
    psql "$admin" -qc "CREATE DATABASE \"$name\""
  fi
  log "applying migrations to $name"
  (cd "$ROOT" && DATABASE_URL="$url" npx prisma migrate deploy >/dev/null 2>"$RUN_DIR/migrate.log") || { cat "$RUN_DIR/migrate.log" >&2; return 1; }
}
