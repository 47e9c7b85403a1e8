#!/usr/bin/env bash
# End-to-end import benchmark: generate corpora from the real Pacific files,
# run the bare quick-xml pass (the practical ceiling) and the IATI reader over
# each, then `vaka import` on SQLite and on PostgreSQL, printing wall time,
# CPU time, MB/s, activities/s, peak RSS and the load average around each run.
#
#   scripts/bench-import.sh [SIZES] [CORPUS_DIR]    (default "100MB 620MB", ./bench-corpus)
#   scripts/bench-import.sh "100MB 1GB"
#
# PostgreSQL: VAKA_BENCH_PG (default postgres://postgres@127.0.0.1:5432/postgres)
# names the server; a fresh database is created and dropped for each run.
# VAKA_BENCH_BACKENDS="sqlite" skips PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="${1:-100MB 620MB}"
root="${2:-bench-corpus}"
pg_admin="${VAKA_BENCH_PG:-postgres://postgres@127.0.0.1:5432/postgres}"
backends="${VAKA_BENCH_BACKENDS:-sqlite postgres}"

cargo build --release -q -p vaka-cli -p vaka-bench
bin=target/release
tmp=$(mktemp -d)
pgdb="vaka_bench_$$"
base="${pg_admin%/*}"
cleanup() {
  rm -rf "$tmp"
  if [[ " $backends " == *" postgres "* ]]; then
    psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GB RAM"

run() {
  local label="$1" url="$2" dir="$3" bytes="$4"
  local l0 l1
  l0=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -o "$tmp/time" -f "%e %U %S %M" "$bin/vaka" --db "$url" import iati "$dir" >"$tmp/summary" 2>/dev/null || true
  l1=$(cut -d' ' -f1 /proc/loadavg)
  local acts
  acts=$(grep -o 'Activities: [0-9]*' "$tmp/summary" | awk '{print $2}')
  read -r secs user sys rss <"$tmp/time"
  awk -v l="$label" -v b="$bytes" -v s="$secs" -v u="$user" -v y="$sys" -v a="$acts" -v r="$rss" -v l0="$l0" -v l1="$l1" 'BEGIN {
    printf "%-9s %8.1f s wall %7.1f MB/s %8.0f act/s | %7.1f s CPU %6.1f MB/CPU-s | peak RSS %6.1f MB | load %s..%s\n",
      l, s, b/s/1e6, a/s, u+y, b/(u+y)/1e6, r/1024, l0, l1 }'
}

for size in $sizes; do
  dir="$root/$size"
  if [ ! -d "$dir" ]; then
    "$bin/vaka-corpus" --out "$dir" --size "$size" --seed 1 >/dev/null
  fi
  bytes=$(cat "$dir"/*.xml | wc -c)
  echo "== corpus $dir: $bytes bytes, $(ls "$dir" | wc -l) files (load $(cut -d' ' -f1-3 /proc/loadavg))"
  "$bin/vaka-xmlpass" "$dir" --reader
  for backend in $backends; do
    case "$backend" in
      sqlite)
        run sqlite "sqlite://$tmp/bench.db" "$dir" "$bytes"
        rm -f "$tmp"/bench.db*
        ;;
      postgres)
        psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" -c "CREATE DATABASE $pgdb"
        run postgres "$base/$pgdb" "$dir" "$bytes"
        ;;
    esac
  done
done
