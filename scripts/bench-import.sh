#!/usr/bin/env bash
# End-to-end import benchmark: generate a corpus from the real Pacific files,
# run the bare quick-xml pass (the practical ceiling) and `vaka import` on
# SQLite and on PostgreSQL, and print MB/s, activities/s and peak RSS.
#
#   scripts/bench-import.sh [SIZE] [CORPUS_DIR]        (default 1GB, ./bench-corpus)
#
# PostgreSQL: VAKA_BENCH_PG (default postgres://postgres@127.0.0.1:5432/postgres)
# names the server; a fresh database is created and dropped for the run.
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-1GB}"
dir="${2:-bench-corpus}/$size"
pg_admin="${VAKA_BENCH_PG:-postgres://postgres@127.0.0.1:5432/postgres}"

cargo build --release -q -p vaka-cli -p vaka-bench
bin=target/release

if [ ! -d "$dir" ]; then
  "$bin/vaka-corpus" --out "$dir" --size "$size" --seed 1 >/dev/null
fi
bytes=$(du -sb "$dir" | cut -f1)
echo "corpus: $dir, $bytes bytes, $(ls "$dir" | wc -l) files"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"

"$bin/vaka-xmlpass" "$dir"

run() {
  local label="$1" url="$2"
  local out
  out=$( { /usr/bin/time -f "TIME %e %M" "$bin/vaka" --db "$url" import iati "$dir" >/tmp/vaka-bench-summary.txt; } 2>&1 | grep TIME )
  local secs rss acts
  secs=$(echo "$out" | awk '{print $2}')
  rss=$(echo "$out" | awk '{print $3}')
  acts=$(grep -o 'Activities: [0-9]*' /tmp/vaka-bench-summary.txt | awk '{print $2}')
  awk -v l="$label" -v b="$bytes" -v s="$secs" -v a="$acts" -v r="$rss" 'BEGIN {
    printf "%-10s %8.2f s  %7.1f MB/s  %9.0f activities/s  peak RSS %6.1f MB\n", l, s, b/s/1e6, a/s, r/1024 }'
}

db=$(mktemp -d)
run sqlite "sqlite://$db/bench.db"
rm -rf "$db"

pgdb="vaka_bench_$$"
base="${pg_admin%/*}"
psql "$pg_admin" -qc "CREATE DATABASE $pgdb"
trap 'psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" >/dev/null' EXIT
run postgres "$base/$pgdb"
