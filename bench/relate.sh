#!/usr/bin/env bash
# The relate stage alone at each size: generates the corpus of
# ../shared/bench/gen_corpus.py (--flavor plain) if needed, then runs
# `cargo bench --bench relate` over its notes. Prints relate time (median
# of 3) and peak memory with and without the relate stage, then the relate
# stage of `lore serve`'s rebuilds (from its memo) after an edit and a new note.
#
#   bench/relate.sh [N ...]        (default: 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED:-../shared/bench}
WORK=${WORK:-bench/work}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
dirs=()
for n in "${sizes[@]}"; do
  corpus="$WORK/plain-$n"
  if [ ! -d "$corpus/content" ]; then
    python3 "$shared/gen_corpus.py" --n "$n" --out "$corpus" --flavor plain --force >/dev/null
  fi
  dirs+=("$corpus/content")
done
for dir in "${dirs[@]}"; do
  cargo bench --quiet --bench relate -- "$dir"
done
