#!/usr/bin/env bash
# CPU time of each thread of one `vaka import` (user and system seconds, read
# from /proc every 0.2 s until the process ends): which side of the import,
# the parser or the writer, is the slower one.
#
#   scripts/thread-cpu.sh BIN CORPUS
#   scripts/thread-cpu.sh target/release/vaka bench-corpus/100MB
set -euo pipefail
if (($# != 2)); then
  sed -n '2,7p' "$0" >&2
  exit 2
fi
bin=$1 corpus=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tick=$(getconf CLK_TCK)
start=$(date +%s.%N)
"$bin" --db "sqlite://$tmp/t.db" import iati "$corpus" >/dev/null 2>&1 &
pid=$!
declare -A seen
while kill -0 "$pid" 2>/dev/null; do
  for t in /proc/"$pid"/task/*; do
    read -r stat <"$t/stat" 2>/dev/null || continue
    name=${stat#*(}
    name=${name%%)*}
    set -- ${stat##*) }
    seen["$name (${t##*/})"]="${12} ${13}"
  done
  sleep 0.2
done
wait "$pid" || true
end=$(date +%s.%N)
awk -v a="$start" -v b="$end" 'BEGIN { printf "wall %.2f s (sampling included)\n", b - a }'
for k in "${!seen[@]}"; do
  read -r u s <<<"${seen[$k]}"
  ((u + s > 0)) && awk -v k="$k" -v u="$u" -v s="$s" -v t="$tick" \
    'BEGIN { printf "%-28s user %5.2f s  system %5.2f s\n", k, u / t, s / t }'
done | sort -k4 -rn
