# shellcheck shell=bash
# A throwaway PostgreSQL server for tests. Source this file, then:
#
#   kbci_pg_start      # exports DATABASE_URL, KBCI_PG_PORT, KBCI_PG_DIR; returns non-zero on failure
#   kbci_pg_stop       # stops the server and removes its folder (safe to call twice)
#
# The server listens on 127.0.0.1 on a free port, keeps everything in one
# temporary folder, and is run by an unprivileged user when we are root
# (initdb refuses root). The role it creates may create databases, so
# pytest-django can make `test_kb`. Nothing here is durable: fsync is off.
#
# Knobs: KBCI_PG_USER (OS user, default kbci), KBCI_PG_TMP (parent folder,
# default /tmp), KBCI_PG_STATEMENT_LOG (log_statement, default ddl, so the
# server log shows `CREATE DATABASE "test_kb"`).

KBCI_PG_MARK=".kbci-pg"   # marker file: only folders holding it are ever removed
KBCI_PG_DIR=""
KBCI_PG_PORT=""

_kbci_pg_log() { printf '[pg] %s\n' "$*" >&2; }

# Folder holding initdb/pg_ctl/postgres, or nothing.
kbci_pg_bindir() {
    local c
    if [ -x /usr/local/bin/initdb ] && [ -x /usr/local/bin/pg_ctl ]; then
        dirname "$(readlink -f /usr/local/bin/initdb)"
        return 0
    fi
    # Newest installed major version first.
    for c in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -rn); do
        if [ -x "$c/initdb" ] && [ -x "$c/pg_ctl" ] && [ -x "$c/postgres" ]; then
            echo "$c"
            return 0
        fi
    done
    return 1
}

# Run a command as the owner of $KBCI_PG_DIR (the unprivileged user when we
# are root, else ourselves), from that folder so the user can read its cwd.
_kbci_pg_as_owner() {
    local owner
    owner="$(stat -c %U "$KBCI_PG_DIR")"
    if [ "$(id -u)" -eq 0 ] && [ "$owner" != root ]; then
        (cd "$KBCI_PG_DIR" && runuser -u "$owner" -- "$@")
    else
        (cd "$KBCI_PG_DIR" && "$@")
    fi
}

_kbci_pg_ensure_user() {
    [ "$(id -u)" -eq 0 ] || return 0
    if ! id -u "$KBCI_PG_USER" >/dev/null 2>&1; then
        _kbci_pg_log "creating system user $KBCI_PG_USER (initdb refuses to run as root)"
        useradd --system --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$KBCI_PG_USER" 2>/dev/null \
            || id -u "$KBCI_PG_USER" >/dev/null 2>&1   # lost a race with a parallel run: fine
    fi
}

# Start time of a process, to tell a live owner from a reused PID.
_kbci_proc_start() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $20}'; }
# True when process PID is running (not a zombie) and started at START.
_kbci_proc_alive() {
    local state start
    read -r state start < <(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $1, $20}') || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$start" = "$2" ]
}

# Remove folders left by earlier runs that died without cleaning up (kill -9,
# power loss). A folder is stale when the run that made it is gone; a server
# still running in it is stopped first. Folders of live runs are left alone.
kbci_pg_reap_stale() {
    local d owner_pid owner_start pm_pid bindir
    bindir="$(kbci_pg_bindir || true)"
    for d in "$KBCI_PG_TMP"/kbci-pg.*; do
        [ -d "$d" ] && [ -f "$d/$KBCI_PG_MARK" ] || continue
        read -r owner_pid owner_start <"$d/$KBCI_PG_MARK" || true
        if [ -n "${owner_pid:-}" ] && _kbci_proc_alive "$owner_pid" "${owner_start:-}"; then
            continue   # its run is still going
        fi
        if [ -f "$d/data/postmaster.pid" ]; then
            pm_pid="$(head -n1 "$d/data/postmaster.pid" 2>/dev/null || true)"
            if [ -n "$pm_pid" ] && kill -0 "$pm_pid" 2>/dev/null; then
                _kbci_pg_log "stopping server $pm_pid left by an earlier run in $d"
                if [ -n "$bindir" ]; then
                    KBCI_PG_DIR="$d" _kbci_pg_as_owner "$bindir/pg_ctl" -D "$d/data" \
                        -m immediate -w -t 20 stop >/dev/null 2>&1 || true
                fi
                kill -0 "$pm_pid" 2>/dev/null && kill -9 "$pm_pid" 2>/dev/null || true
            fi
        fi
        _kbci_pg_log "removing stale folder $d"
        rm -rf -- "$d"
    done
}

# A port nothing listens on right now (the server may still lose a race for
# it; kbci_pg_start then retries with another one).
_kbci_pg_free_port() {
    local py
    for py in python3 python; do
        if command -v "$py" >/dev/null 2>&1; then
            "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' && return 0
        fi
    done
    echo $((20000 + RANDOM % 40000))
}

kbci_pg_start() {
    KBCI_PG_USER="${KBCI_PG_USER:-kbci}"
    KBCI_PG_TMP="${KBCI_PG_TMP:-/tmp}"
    local bindir db_user=kb db_name=kb password attempt port
    if ! bindir="$(kbci_pg_bindir)"; then
        _kbci_pg_log "no PostgreSQL server binaries (initdb, pg_ctl, postgres) found"
        return 1
    fi
    _kbci_pg_ensure_user || return 1
    kbci_pg_reap_stale

    KBCI_PG_DIR="$(mktemp -d "$KBCI_PG_TMP/kbci-pg.XXXXXX")" || return 1
    echo "$$ $(_kbci_proc_start $$)" >"$KBCI_PG_DIR/$KBCI_PG_MARK"
    password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    if [ "$(id -u)" -eq 0 ]; then
        chown -R "$KBCI_PG_USER:" "$KBCI_PG_DIR"
    fi
    chmod 700 "$KBCI_PG_DIR"

    # Bootstrap superuser = the OS user, over the socket only (trust, and
    # the socket lives in our 0700 folder); TCP needs the password.
    if ! _kbci_pg_as_owner "$bindir/initdb" -D "$KBCI_PG_DIR/data" -U "$KBCI_PG_USER" \
            --no-locale --encoding=UTF8 --auth-local=trust --auth-host=scram-sha-256 \
            >"$KBCI_PG_DIR/initdb.log" 2>&1; then
        _kbci_pg_log "initdb failed:"
        sed 's/^/    /' "$KBCI_PG_DIR/initdb.log" >&2
        return 1
    fi

    for attempt in 1 2 3 4 5; do
        port="$(_kbci_pg_free_port)"
        rm -f "$KBCI_PG_DIR/server.log"
        if _kbci_pg_as_owner "$bindir/pg_ctl" -D "$KBCI_PG_DIR/data" -l "$KBCI_PG_DIR/server.log" \
                -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $port \
                    -c unix_socket_directories=$KBCI_PG_DIR \
                    -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
                    -c max_connections=50 -c log_statement=${KBCI_PG_STATEMENT_LOG:-ddl}" \
                start >"$KBCI_PG_DIR/pg_ctl.log" 2>&1; then
            KBCI_PG_PORT="$port"
            break
        fi
        if grep -q "could not bind\|Address already in use" "$KBCI_PG_DIR/server.log" 2>/dev/null; then
            _kbci_pg_log "port $port was taken, trying another (attempt $attempt)"
            continue
        fi
        break
    done
    if [ -z "$KBCI_PG_PORT" ]; then
        _kbci_pg_log "the server did not start; pg_ctl and server log:"
        cat "$KBCI_PG_DIR/pg_ctl.log" "$KBCI_PG_DIR/server.log" 2>/dev/null | tail -n 40 | sed 's/^/    /' >&2
        return 1
    fi

    # The application's role: may log in and create databases, owns `kb`.
    if ! _kbci_pg_as_owner "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$KBCI_PG_DIR" -p "$KBCI_PG_PORT" \
            -U "$KBCI_PG_USER" -d postgres \
            -c "CREATE ROLE $db_user LOGIN CREATEDB PASSWORD '$password'" \
            -c "CREATE DATABASE $db_name OWNER $db_user" >"$KBCI_PG_DIR/psql.log" 2>&1; then
        _kbci_pg_log "could not create role/database:"
        sed 's/^/    /' "$KBCI_PG_DIR/psql.log" >&2
        return 1
    fi

    export KBCI_PG_DIR KBCI_PG_PORT
    export DATABASE_URL="postgres://$db_user:$password@127.0.0.1:$KBCI_PG_PORT/$db_name"
    _kbci_pg_log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$KBCI_PG_PORT, data in $KBCI_PG_DIR"
    _kbci_pg_log "DATABASE_URL=postgres://$db_user:***@127.0.0.1:$KBCI_PG_PORT/$db_name (role $db_user: LOGIN CREATEDB)"
}

# Database-level statements seen by the server so far (CREATE/DROP DATABASE).
kbci_pg_database_log() {
    [ -n "$KBCI_PG_DIR" ] && [ -f "$KBCI_PG_DIR/server.log" ] || return 0
    grep -E 'statement: (CREATE|DROP) DATABASE' "$KBCI_PG_DIR/server.log" \
        | sed -E 's/^.*statement: /    /' || true
}

kbci_pg_stop() {
    local bindir pm_pid
    [ -n "$KBCI_PG_DIR" ] && [ -d "$KBCI_PG_DIR" ] && [ -f "$KBCI_PG_DIR/$KBCI_PG_MARK" ] || return 0
    if [ -f "$KBCI_PG_DIR/data/postmaster.pid" ]; then
        pm_pid="$(head -n1 "$KBCI_PG_DIR/data/postmaster.pid" 2>/dev/null || true)"
        if bindir="$(kbci_pg_bindir)"; then
            _kbci_pg_as_owner "$bindir/pg_ctl" -D "$KBCI_PG_DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
                || _kbci_pg_as_owner "$bindir/pg_ctl" -D "$KBCI_PG_DIR/data" -m immediate -w -t 10 stop >/dev/null 2>&1 \
                || true
        fi
        if [ -n "$pm_pid" ] && kill -0 "$pm_pid" 2>/dev/null; then
            kill -9 "$pm_pid" 2>/dev/null || true
        fi
    fi
    rm -rf -- "$KBCI_PG_DIR"
    _kbci_pg_log "server stopped, $KBCI_PG_DIR removed"
    KBCI_PG_DIR=""
}
