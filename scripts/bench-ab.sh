#!/usr/bin/env bash
# Compare `vaka import` builds on one corpus, alternately, so that a machine
# whose speed drifts treats every build alike. Each run imports into a fresh
# copy of an empty database that the same build created and migrated.
#
#   scripts/bench-ab.sh RUNS CORPUS BIN [BIN ...]
#   scripts/bench-ab.sh 7 bench-corpus/100MB /tmp/vaka-old target/release/vaka
#
# Prints every run, then per build the median wall time with min–max, the
# median CPU time (user + system) and the median peak RSS (for an even number
# of runs, the lower of the two middle ones).
set -euo pipefail
if (($# < 3)); then
  sed -n '2,13p' "$0" >&2
  exit 2
fi
runs=$1 corpus=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for bin in "$@"; do
  n=$((n + 1))
  "$bin" --db "sqlite://$tmp/empty-$n.db" stats --json >/dev/null
done
for ((i = 1; i <= runs; i++)); do
  n=0
  for bin in "$@"; do
    n=$((n + 1))
    rm -f "$tmp"/run.db*
    cp "$tmp/empty-$n.db" "$tmp/run.db"
    /usr/bin/time -o "$tmp/time" -f "%e %U %S %M" \
      "$bin" --db "sqlite://$tmp/run.db" import iati "$corpus" >/dev/null 2>&1 || true
    read -r wall user sys rss <"$tmp/time"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    printf '%s\t%s s\t%s CPU-s\t%d MB\n' "$bin" "$wall" "$cpu" $((rss / 1024))
    printf '%s %s %s %s\n' "$bin" "$wall" "$cpu" $((rss / 1024)) >>"$tmp/all"
  done
done
echo
# The median of column $2 of the runs of build $1.
median() { awk -v b="$1" -v c="$2" '$1 == b { print $c }' "$tmp/all" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for bin in "$@"; do
  range=$(awk -v b="$bin" '$1 == b { print $2 }' "$tmp/all" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "–" hi }')
  echo "$bin: wall $(median "$bin" 2) s ($range), CPU $(median "$bin" 3) s, peak RSS $(median "$bin" 4) MB"
done
