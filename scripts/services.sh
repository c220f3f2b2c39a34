#!/usr/bin/env bash
# PostgreSQL and Redis on 127.0.0.1 for the scale-out leg of `make test`.
#
#   scripts/services.sh start   install (apt-get, as root) if missing, start both, create the database;
#                               safe to run again
#   scripts/services.sh check   exit 0 when both answer with the credentials below (uses $PYTHON,
#                               default .venv/bin/python, which has psycopg and redis)
#   scripts/services.sh env     print the `export` lines the tests read (tests/settings.py)
#   scripts/services.sh stop    stop what `start` started
#
# Settings come from the environment, with these defaults (the one place they are written):
set -euo pipefail

export PGHOST=${PGHOST:-127.0.0.1}
export PGPORT=${PGPORT:-5432}
export PGUSER=${PGUSER:-postgres}
export PGPASSWORD=${PGPASSWORD:-postgres}
export PGDATABASE=${PGDATABASE:-ai_models}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/15}

redis_port=${REDIS_URL##*:}
redis_port=${redis_port%%/*}
# Used only when not root (no Debian cluster to manage): a throwaway cluster with trust auth.
user_pgdata=${AI_MODELS_PGDATA:-${TMPDIR:-/tmp}/ai-models-pg-$(id -u)}

say() { echo "services: $*" >&2; }
die() { say "$*"; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

pg_bin() {
    # Debian keeps initdb/pg_ctl out of PATH, under /usr/lib/postgresql/<version>/bin.
    local tool=$1 dir
    command -v "$tool" 2>/dev/null && return
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$dir/$tool" ] && { echo "$dir/$tool"; return; }
    done
    return 1
}

install_missing() {
    local pkgs=()
    pg_bin postgres >/dev/null || pkgs+=(postgresql)
    command -v redis-server >/dev/null || pkgs+=(redis-server)
    [ ${#pkgs[@]} -eq 0 ] && return
    is_root && command -v apt-get >/dev/null ||
        die "missing ${pkgs[*]}: install them (e.g. apt-get install ${pkgs[*]}) and run again"
    say "installing ${pkgs[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq -o Dpkg::Use-Pty=0 "${pkgs[@]}" >/dev/null
}

pg_ready() { "$(pg_bin pg_isready)" -q -h "$PGHOST" -p "$PGPORT" -t "${1:-0}"; }

# As root on Debian: the packaged cluster on $PGPORT (made if needed), password auth over TCP.
start_debian_cluster() {
    local version name
    read -r version name < <(pg_lsclusters -h | awk -v p="$PGPORT" '$3 == p {print $1, $2; exit}') || true
    if [ -z "${version:-}" ]; then
        version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
        name=ai_models
        say "creating PostgreSQL $version cluster '$name' on port $PGPORT"
        pg_createcluster -p "$PGPORT" "$version" "$name" >/dev/null
    fi
    pg_ready || pg_ctlcluster "$version" "$name" start
    pg_ready 30 || die "PostgreSQL $version/$name did not come up (see /var/log/postgresql/)"
    # Peer auth over the Unix socket as the postgres OS user (not the TCP settings above, whose
    # password this sets).
    (cd / && runuser -u postgres -- psql -q -h /var/run/postgresql -p "$PGPORT" -U postgres -d postgres \
        -v ON_ERROR_STOP=1 -v user="$PGUSER" -v pass="$PGPASSWORD") <<'SQL'
SELECT format('CREATE ROLE %I LOGIN SUPERUSER', :'user')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user') \gexec
ALTER ROLE :"user" PASSWORD :'pass';
SQL
}

# Not root: initdb into a private directory, trust auth, listening on 127.0.0.1 only.
start_user_cluster() {
    if [ ! -f "$user_pgdata/PG_VERSION" ]; then
        say "initdb in $user_pgdata"
        "$(pg_bin initdb)" -D "$user_pgdata" -U "$PGUSER" --auth=trust -E UTF8 >/dev/null
    fi
    pg_ready || "$(pg_bin pg_ctl)" -D "$user_pgdata" -l "$user_pgdata/server.log" -w -s start \
        -o "-c listen_addresses=$PGHOST -p $PGPORT -k $user_pgdata"
    pg_ready 30 || die "PostgreSQL did not come up (see $user_pgdata/server.log)"
}

ensure_database() {
    local exists
    exists=$(psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PGDATABASE'")
    [ "$exists" = 1 ] || psql -q -d postgres -c "CREATE DATABASE \"$PGDATABASE\""
}

redis_ready() { [ "$(redis-cli -p "$redis_port" -h 127.0.0.1 ping 2>/dev/null)" = PONG ]; }

start_redis() {
    redis_ready && return
    redis-server --bind 127.0.0.1 --port "$redis_port" --daemonize yes \
        --save "" --appendonly no --dir "${TMPDIR:-/tmp}" --logfile "${TMPDIR:-/tmp}/ai-models-redis.log"
    for _ in $(seq 50); do redis_ready && return; sleep 0.2; done
    die "Redis did not come up on port $redis_port (see ${TMPDIR:-/tmp}/ai-models-redis.log)"
}

start() {
    install_missing
    if is_root && command -v pg_lsclusters >/dev/null; then start_debian_cluster; else start_user_cluster; fi
    ensure_database
    start_redis
    say "PostgreSQL on $PGHOST:$PGPORT (database $PGDATABASE), Redis at $REDIS_URL"
}

stop() {
    if is_root && command -v pg_lsclusters >/dev/null; then
        pg_lsclusters -h | awk -v p="$PGPORT" '$3 == p && $4 == "online" {print $1, $2}' |
            while read -r version name; do pg_ctlcluster "$version" "$name" stop; done
    elif [ -f "$user_pgdata/postmaster.pid" ]; then
        "$(pg_bin pg_ctl)" -D "$user_pgdata" -s -m fast stop
    fi
    redis_ready && redis-cli -p "$redis_port" -h 127.0.0.1 shutdown nosave >/dev/null 2>&1 || true
}

check() {
    "${PYTHON:-.venv/bin/python}" - <<'PY'
import os, sys

problems = []
try:
    import psycopg
    psycopg.connect(connect_timeout=3).close()  # libpq reads the PG* variables
except Exception as err:
    problems.append(f"PostgreSQL at {os.environ['PGHOST']}:{os.environ['PGPORT']}: {err}".strip())
try:
    import redis
    redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=3).ping()
except Exception as err:
    problems.append(f"Redis at {os.environ['REDIS_URL']}: {err}")
for problem in problems:
    print(f"services: unreachable: {problem}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
}

env() {
    local var
    for var in PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE REDIS_URL; do
        printf 'export %s=%q\n' "$var" "${!var}"
    done
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    check) check ;;
    env) env ;;
    *) die "usage: $0 [start|stop|check|env]" ;;
esac
