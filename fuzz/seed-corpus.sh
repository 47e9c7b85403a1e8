#!/bin/sh
# Copy the shared IATI fixtures and small activity files into the seed corpus
# of `reader_never_panics`. Run from the repository root or from fuzz/.
set -eu
cd "$(dirname "$0")"
data="${VAKA_SHARED_DATA:-../../shared/data}"
out=corpus/reader_never_panics
mkdir -p "$out"
# Files under 64 KiB keep the fuzzer fast; the fixtures cover every version,
# encoding and kind of breakage we know of.
find "$data/iati/fixtures" "$data/iati/activities" -type f -name '*.xml' -size -64k \
  -exec sh -c 'for f; do cp "$f" "'"$out"'/$(basename "$(dirname "$f")")_$(basename "$f")"; done' sh {} +
echo "seeded $(ls "$out" | wc -l) files into fuzz/$out"
