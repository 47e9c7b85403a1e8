#!/usr/bin/env bash
# Coverage-matrix benchmark: a generated corpus of N activities (default
# 1,000,000) imported into SQLite (and PostgreSQL with --pg), then
# `vaka report matrix --framework nz-japan-2019` timed with hyperfine:
#
#   warm: the same command repeated after 3 warm-up runs (OS page cache hot);
#   cold: each run is a new process on a database that was just written by
#         `vaka stats` in another process, after dropping the OS page cache
#         when running as root (`echo 3 > /proc/sys/vm/drop_caches`), so the
#         first query after opening reads from disk.
#
#   scripts/bench-matrix.sh [ACTIVITIES] [WORKDIR] [--pg]   (default 1000000, ./bench-corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
work="${2:-bench-corpus}"
pg="${3:-}"
dir="$work/acts-$n"
db="$work/matrix-$n.db"
pg_admin="${VAKA_BENCH_PG:-postgres://postgres@127.0.0.1:5432/postgres}"
command -v hyperfine >/dev/null || { echo "hyperfine is needed (apt-get install hyperfine)"; exit 2; }

cargo build --release -q -p vaka-cli -p vaka-bench
bin=target/release

if [ ! -d "$dir" ]; then
  "$bin/vaka-corpus" --out "$dir" --activities "$n" --seed 1 | tail -1
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"

if [ ! -f "$db" ]; then
  /usr/bin/time -f "import: %e s, peak RSS %M KB" "$bin/vaka" --db "sqlite://$db" import iati "$dir" >/dev/null
fi
url="sqlite://$db"
cmd="$bin/vaka report matrix --db $url --framework nz-japan-2019 --format csv"
"$bin/vaka" --db "$url" stats | head -5

drop_caches() {
  sync
  if [ -w /proc/sys/vm/drop_caches ]; then echo 3 >/proc/sys/vm/drop_caches; fi
}

echo "sqlite warm (load $(cut -d' ' -f1 /proc/loadavg)):"
hyperfine -N --warmup 3 --runs 20 "$cmd" --export-json "$work/matrix-sqlite-warm.json" | grep -E "Time|Range"
echo "sqlite cold (load $(cut -d' ' -f1 /proc/loadavg)):"
hyperfine -N --runs 5 --prepare "bash -c 'sync; [ -w /proc/sys/vm/drop_caches ] && echo 3 > /proc/sys/vm/drop_caches || true'" \
  "$cmd" --export-json "$work/matrix-sqlite-cold.json" | grep -E "Time|Range"

if [ "$pg" = "--pg" ]; then
  pgdb="vaka_matrix_bench"
  base="${pg_admin%/*}"
  if ! psql "$pg_admin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$pgdb'" | grep -q 1; then
    psql "$pg_admin" -qc "CREATE DATABASE $pgdb"
    /usr/bin/time -f "pg import: %e s, peak RSS %M KB" "$bin/vaka" --db "$base/$pgdb" import iati "$dir" >/dev/null
  fi
  pcmd="$bin/vaka report matrix --db $base/$pgdb --framework nz-japan-2019 --format csv"
  echo "postgres warm (load $(cut -d' ' -f1 /proc/loadavg)):"
  hyperfine -N --warmup 3 --runs 20 "$pcmd" | grep -E "Time|Range"
fi
