#!/usr/bin/env bash
# The search benchmark: builds the synthetic corpus of
# ../shared/bench/gen_corpus.py (--flavor plain) at each size, builds the
# site, and prints the note count, the search build step's time, the
# index's size on disk, then (bench/search.js, headless Chromium over
# file:// and over http) the bytes loaded before typing and per first
# query, raw and gzipped, and query time percentiles.
#
#   bench/search.sh [N ...]        (default: 10000)
#
# Environment: WORK (default bench/work, git-ignored), PUPPETEER (path to
# puppeteer-core, default ../main/target/test-tools/lighthouse/node_modules/
# puppeteer-core), CHROMIUM (default /usr/bin/chromium), ROUNDS (warm runs
# per query, default 30), QUERIES (space-separated; default below).
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED:-../shared/bench}
WORK=${WORK:-bench/work}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000)
# A rare word, common ones, the most common, a two-word query, a prefix,
# and a typo; `total` in the output is how many notes each matches.
read -r -a queries <<< "${QUERIES:-querycache postmortem kafka the data_pipeline templ tenent}"

. bench/release-lore.sh
mkdir -p "$WORK"
for n in "${sizes[@]}"; do
  corpus="$WORK/plain-$n"
  if [ ! -d "$corpus/content" ]; then
    python3 "$shared/gen_corpus.py" --n "$n" --out "$corpus" --flavor plain --force >/dev/null
  fi
  echo "== $n notes ($corpus)"
  (cd "$corpus" && rm -rf public .lore && "$lore" build --quiet --timings 2>&1) |
    grep -E 'markdown|search index|total|peak' || true
  echo "notes: $(ls "$corpus/content" | wc -l)"
  echo "index on disk: $(du -sh --apparent-size "$corpus/public/search" | cut -f1) in $(find "$corpus/public/search" -type f | wc -l) files" \
    "($(du -sh --apparent-size "$corpus/public/search/c" | cut -f1) of it cards and excerpt text, c/)"
  echo "site: $(find "$corpus/public" -type f | wc -l) files"
  node bench/search.js "$corpus/public" "${queries[@]//_/ }"
done
