#!/usr/bin/env bash
# Web benchmark (issue 5): the bundled demo data plus a generated corpus of
# 100 k activities in a fresh SQLite database, `vaka serve` on loopback, and
# `wrk` from a second process: 50 connections, 2 threads, a bounded duration
# per page. Prints p50/p95/p99 latency, requests/s and errors per page.
#
#   scripts/bench-web.sh [ACTIVITIES] [DURATION] [WORKDIR]   (default 100000, 20s, ./bench-corpus)
#
# Each page is requested once alone first (reported as `cold`: nothing is
# memoised yet), then loaded.
#
# Pages (override with VAKA_BENCH_PAGES, space separated): the dashboard, a
# country page, an activity page and a search. An activity identifier from
# the corpus is filled in for `@ACTIVITY@`.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
duration="${2:-20s}"
work="${3:-bench-corpus}"
pages="${VAKA_BENCH_PAGES:-/ /countries/TO /activities/@ACTIVITY@ /search?q=water}"
addr="127.0.0.1:${VAKA_BENCH_PORT:-18080}"
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 2; }

cargo build --release -q -p vaka-cli -p vaka-bench
bin=target/release
if ! "$bin/vaka" serve --help >/dev/null 2>&1; then
  echo "this build has no \`vaka serve\`: the web benchmark needs the server"; exit 2
fi

dir="$work/acts-$n"
db="$work/web-$n.db"
if [ ! -d "$dir" ]; then
  "$bin/vaka-corpus" --out "$dir" --activities "$n" --seed 1 | tail -1
fi
if [ ! -f "$db" ]; then
  "$bin/vaka" --db "sqlite://$db" demo --no-serve >/dev/null
  "$bin/vaka" --db "sqlite://$db" import iati "$dir" >/dev/null
fi
activity=$(sqlite3 "$db" "SELECT iati_identifier FROM activity ORDER BY id LIMIT 1 OFFSET 5000")

"$bin/vaka" --db "sqlite://$db" serve --addr "$addr" >"$work/web-server.log" 2>&1 &
server=$!
lua=$(mktemp --suffix .lua)
trap 'kill "$server" 2>/dev/null || true; rm -f "$lua"' EXIT
cat >"$lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.2f %.2f %.2f %.1f %d\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6),
    e.connect + e.read + e.write + e.status + e.timeout))
end
LUA
for _ in $(seq 1 100); do
  curl -fs "http://$addr/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $n activities + demo data; 50 connections, $duration per page"
printf '%-40s %9s %9s %9s %9s %10s %8s\n' page cold p50 p95 p99 req/s errors
for page in $pages; do
  # Identifiers go into the path percent-encoded (they may hold `/` or spaces).
  path="${page//@ACTIVITY@/$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$activity")}"
  # One request alone first: its time is the page's cold cost (nothing
  # memoised yet); the load then measures the steady state.
  cold=$(curl -s -o /dev/null -w '%{time_total}' "http://$addr$path" | awk '{printf "%.1f", $1 * 1000}')
  out=$(wrk -t2 -c50 -d"$duration" --latency -s "$lua" "http://$addr$path")
  read -r _ p50 p95 p99 rps errors <<<"$(grep RESULT <<<"$out")"
  printf '%-40s %6s ms %6s ms %6s ms %6s ms %10s %8s\n' "$path" "$cold" "$p50" "$p95" "$p99" "$rps" "$errors"
done
