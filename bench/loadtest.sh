#!/usr/bin/env bash
# Load test of the production command (issue #7): `make serve-prod` on
# 127.0.0.1, then wrk with 64 connections for 60 s on each of: article pages,
# section index pages, search. Loopback only, bounded in time, stops itself.
#
#   bash bench/loadtest.sh            # or: make loadtest
#
# Knobs: CONNECTIONS (64), DURATION (60s), THREADS (wrk threads, 2), PORT
# (8765), WORKERS (gunicorn processes, 2; 4 threads each), GUNICORN_ARGS (more gunicorn
# options), SCENARIOS ("articles indexes search"), WRK_NICE (e.g. -10, as root: wrk at a
# higher priority, so that its own scheduling delays on the shared 2 cores are not
# counted as server latency; off by default). Results: a Markdown table on
# stdout and in bench/out/loadtest/loadtest.md, raw wrk output in bench/out/loadtest/wrk-*.txt.
# The server uses its own database and static folder under bench/out/loadtest/, so
# the development db.sqlite3 is untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
OUT="$ROOT/bench/out/loadtest"
CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-60s}"
THREADS="${THREADS:-2}"
PORT="${PORT:-8765}"
WORKERS="${WORKERS:-2}"
SCENARIOS="${SCENARIOS:-articles indexes search}"
GUNICORN_ARGS="${GUNICORN_ARGS:-}"
HOST=127.0.0.1   # never anything but loopback
BASE="http://$HOST:$PORT"
mkdir -p "$OUT"

if ! command -v wrk >/dev/null 2>&1; then
    [ "$(id -u)" -eq 0 ] || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
    apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends wrk >/dev/null \
        || { apt-get -o DPkg::Lock::Timeout=300 update >/dev/null \
             && apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends wrk >/dev/null; }
fi

export DJANGO_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
export DATABASE_URL="sqlite:///$OUT/loadtest.sqlite3"
export DJANGO_STATIC_ROOT="$OUT/static"
export DJANGO_ALLOWED_HOSTS="$HOST"
export KB_PAGE_CACHE_DIR="$OUT/page-cache"
rm -rf "$KB_PAGE_CACHE_DIR"

echo "starting make serve-prod on $BASE ($WORKERS workers; log: bench/out/loadtest/server.log)"
# setsid: the server (make -> gunicorn) gets its own process group, ended as one.
setsid make --no-print-directory serve-prod HOST="$HOST" PORT="$PORT" WORKERS="$WORKERS" \
    GUNICORN_ARGS="$GUNICORN_ARGS" \
    >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
stop_server() {
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        # The whole group: make, the gunicorn master and its workers.
        kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 30); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 1; done
        kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
    fi
}
trap stop_server EXIT
for _ in $(seq 1 240); do
    if curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null; then break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 30 "$OUT/server.log" >&2; exit 1; }
    sleep 0.5
done
curl -fsS "$BASE/healthz" || { echo "server did not become healthy" >&2; tail -n 30 "$OUT/server.log" >&2; exit 1; }
echo

# The URL lists: every article from the sitemap, every section index, searches.
curl -fsS -H "X-Forwarded-Proto: https" "$BASE/sitemap.xml" \
    | grep -o '<loc>[^<]*</loc>' | sed -E 's#<loc>https?://[^/]+##; s#</loc>##' >"$OUT/all.txt"
grep -E '^/[a-z-]+/[a-z0-9-]+/$' "$OUT/all.txt" >"$OUT/articles.txt"
grep -E '^/([a-z-]+/)?$' "$OUT/all.txt" >"$OUT/indexes.txt"
printf '/search/?q=%s\n' daratumumab darzalex isatuximab infusion+reaction "cd38" \
    "mrd" "neutropenia" "blood+transfusion" "maia" "d-vrd" "subcutaneous" "daratumab" \
    >"$OUT/search.txt"

# One warm-up pass (8 at a time): each page is drawn once per load and then
# served from the workers' shared page cache; the figures are the steady state.
cat "$OUT/articles.txt" "$OUT/indexes.txt" "$OUT/search.txt" \
    | xargs -P 8 -I{} curl -fsS -o /dev/null -H "X-Forwarded-Proto: https" "$BASE{}"

cat >"$OUT/paths.lua" <<'LUA'
-- Cycle through the paths in $WRK_PATHS, as a TLS-terminating proxy would send them.
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {["X-Forwarded-Proto"] = "https"})
end
LUA

# CPU seconds used so far by the server (make, gunicorn and its workers: the
# session setsid started). On a shared machine wall-clock figures depend on
# the neighbours; CPU per request does much less (BENCHMARKS.md, "Noise").
server_cpu() {
    python3 - "$SERVER_PID" <<'PY'
import os, sys
tick, total = os.sysconf("SC_CLK_TCK"), 0
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    if fields[3] == sys.argv[1]:   # session id (field 6 of stat)
        total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
print(total / tick)
PY
}

REPORT="$OUT/loadtest.md"
{
    echo "| scenario | URLs | requests/s | p50 | p99 | requests | errors | CPU ms/request: server + wrk | load average before |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$REPORT"
for scenario in $SCENARIOS; do
    echo "wrk: $scenario, $CONNECTIONS connections, $DURATION"
    # The 1-minute load average before the run: on a shared machine, how much
    # of the two cores others were using (latency figures depend on it).
    load="$(cut -d' ' -f1 /proc/loadavg)"
    before="$(server_cpu)"
    WRK_PATHS="$OUT/$scenario.txt" timeout 300 /usr/bin/time -f "wrk cpu: %U %S" -o "$OUT/wrk-cpu-$scenario.txt" \
        ${WRK_NICE:+nice -n "$WRK_NICE"} wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" \
        --timeout 10s --latency -s "$OUT/paths.lua" "$BASE" | tee "$OUT/wrk-$scenario.txt"
    after="$(server_cpu)"
    cat "$OUT/wrk-cpu-$scenario.txt" >>"$OUT/wrk-$scenario.txt"
    echo "server cpu: $before $after" >>"$OUT/wrk-$scenario.txt"
    echo "load average before: $load" >>"$OUT/wrk-$scenario.txt"
    python3 - "$scenario" "$(wc -l <"$OUT/$scenario.txt")" "$OUT/wrk-$scenario.txt" >>"$REPORT" <<'PY'
import re, sys
scenario, urls, path = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path).read()
def find(pattern, default="0"):
    m = re.search(pattern, text)
    return m.group(1) if m else default
rps = find(r"Requests/sec:\s+([\d.]+)")
p50 = find(r"\s50%\s+(\S+)")
p99 = find(r"\s99%\s+(\S+)")
total = find(r"(\d+) requests in")
errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
errors += int(find(r"Non-2xx or 3xx responses: (\d+)"))
user, system = map(float, find(r"wrk cpu: (\S+ \S+)", "0 0").split())
before, after = map(float, find(r"server cpu: (\S+ \S+)", "0 0").split())
n = max(int(total), 1)
cpu = f"{(after - before) * 1000 / n:.2f} + {(user + system) * 1000 / n:.2f}"
load = find(r"load average before: (\S+)", "?")
print(f"| {scenario} | {urls} | {float(rps):,.0f} | {p50} | {p99} | {int(total):,} | {errors} | {cpu} | {load} |")
PY
done
echo
echo "gunicorn: $WORKERS workers $GUNICORN_ARGS; wrk: $THREADS threads, $CONNECTIONS connections, $DURATION per scenario"
cat "$REPORT"
