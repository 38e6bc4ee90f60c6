#!/usr/bin/env bash
# lore's benchmark: builds the synthetic corpus of ../shared/bench/gen_corpus.py
# (--flavor plain: content/*.md with YAML front matter) at each size and prints,
# per run, the time of every stage, notes/second and peak memory, followed by
# the median wall time over RUNS runs measured by ../shared/bench/measure.py.
#
#   bench/run.sh [N ...]        (default: 1000 10000)
#
# Environment: RUNS (default 3), WORK (default bench/work, git-ignored),
# OUT (write the site there instead of the corpus's public/, e.g. a tmpfs
# such as /dev/shm/lore-out, as the anchors in ../shared/bench were taken).
# Each run starts from an empty public/ and no .lore/ state, the removal
# included in the timed command, as the anchors in ../shared/bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED:-../shared/bench}
WORK=${WORK:-bench/work}
RUNS=${RUNS:-3}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)

. bench/release-lore.sh
mkdir -p "$WORK"
for n in "${sizes[@]}"; do
  corpus="$WORK/plain-$n"
  if [ ! -d "$corpus/content" ]; then
    python3 "$shared/gen_corpus.py" --n "$n" --out "$corpus" --flavor plain --force >/dev/null
  fi
  out=${OUT:-public}
  echo "== $n notes ($corpus, site in $out)"
  (cd "$corpus" && rm -rf "$out" .lore && "$lore" build --quiet --timings --output "$out")
  python3 "$shared/measure.py" -n "$RUNS" -- sh -c "cd '$corpus' && rm -rf '$out' .lore && exec '$lore' build --quiet --output '$out'"
done
