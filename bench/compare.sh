#!/usr/bin/env bash
# lore next to Hugo, in one run, on the synthetic corpus of
# ../shared/bench/gen_corpus.py: the same notes as Hugo's flavor without
# related content (hugo --no-related) and lore's plain flavor. The two
# builds alternate run by run, so that the machine's noise falls on both,
# and each row is the median of RUNS runs, cold (no output, no .lore/).
#
#   bench/compare.sh [N ...]        (default: 1000 10000)
#
# Installs Hugo from Debian when it is missing (apt-get install -y hugo).
# Environment: RUNS (default 3), HUGO_UP_TO (largest N Hugo builds too,
# default 10000; above it lore alone, with its stage times), WORK (default bench/work, git-ignored),
# OUT (where the sites go, default $WORK/out; a tmpfs keeps disk writeback
# out of the figures, as the anchors in ../shared/bench were taken).
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED:-../shared/bench}
WORK=${WORK:-bench/work}
RUNS=${RUNS:-3}
HUGO_UP_TO=${HUGO_UP_TO:-10000}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
mkdir -p "$WORK" "${OUT:=$WORK/out}"
WORK=$(cd "$WORK" && pwd)
OUT=$(cd "$OUT" && pwd)

if ! command -v hugo >/dev/null; then
  echo "installing Hugo from Debian" >&2
  apt-get install -y hugo >/dev/null 2>&1 ||
    { apt-get update >/dev/null && apt-get install -y hugo >/dev/null; }
fi
. bench/release-lore.sh

# One cold run: prints "wall_s peak_rss_mib".
once() {
  local tsv
  tsv=$(mktemp)
  sync
  python3 "$shared/measure.py" -n 1 --warmup 0 --tsv "$tsv" -- "$@" >/dev/null 2>&1
  awk -F'\t' '{print $2, $4}' "$tsv"
  rm -f "$tsv"
}
# The last run's output is moved aside, not deleted, before a run, and
# deleted after the last: the timed build is the build alone. Deleting
# 10,000 files takes seconds of its own, and on an ext4 without a journal
# (this machine's) every inode freed in the last minute is stepped over,
# one by one, each time a file is created, which slowed lore's writes
# 2-3x and Hugo's too.
trash="$OUT/.trash"
set_aside() {
  mkdir -p "$trash"
  local path
  for path in "$@"; do
    [ ! -e "$path" ] || mv "$path" "$(mktemp -d "$trash/run.XXXXXX")/"
  done
}
trap 'rm -rf "$trash"' EXIT
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
# Bytes of the files written, and what du counts on this disk (folders
# too: a site of pretty URLs, folder/index.html, holds a folder per page).
mb() { find "$1" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.0f", s / 1e6}'; }
du_mb() { du -sb "$1" | awk '{printf "%.0f", $1 / 1e6}'; }
files() { find "$1" -type f | wc -l; }

printf '%7s  %-22s %8s %10s %9s %7s %7s\n' notes tool "wall s" "peak MiB" "MB files" "MB du" files
for n in "${sizes[@]}"; do
  plain="$WORK/plain-$n"
  hugo_site="$WORK/hugo-norelated-$n"
  [ -d "$plain/content" ] ||
    python3 "$shared/gen_corpus.py" --n "$n" --out "$plain" --flavor plain --force >/dev/null 2>&1
  [ -d "$hugo_site/content" ] || [ "$n" -gt "$HUGO_UP_TO" ] ||
    python3 "$shared/gen_corpus.py" --n "$n" --out "$hugo_site" --flavor hugo --no-related --force >/dev/null 2>&1
  lore_out="$OUT/lore-$n"
  hugo_out="$OUT/hugo-$n"
  : >"$WORK/lore.runs"
  : >"$WORK/hugo.runs"
  for _ in $(seq 1 "$RUNS"); do
    set_aside "$lore_out" "$plain/.lore"
    once sh -c 'cd "$1" && exec "$3" build --offline --quiet --timings --output "$2" >"$4" 2>&1' \
      sh "$plain" "$lore_out" "$lore" "$WORK/lore-$n.timings" >>"$WORK/lore.runs"
    [ "$n" -le "$HUGO_UP_TO" ] || continue
    set_aside "$hugo_out"
    once hugo --quiet --source "$hugo_site" --destination "$hugo_out" >>"$WORK/hugo.runs"
  done
  lore_wall=$(cut -d' ' -f1 "$WORK/lore.runs" | median)
  printf '%7s  %-22s %8s %10s %9s %7s %7s\n' "$n" "lore $($lore --version | cut -d' ' -f2)" \
    "$lore_wall" "$(cut -d' ' -f2 "$WORK/lore.runs" | median)" "$(mb "$lore_out")" "$(du_mb "$lore_out")" "$(files "$lore_out")"
  if [ "$n" -gt "$HUGO_UP_TO" ]; then
    echo "         lore's stages in its last run:"
    sed 's/^/         /' "$WORK/lore-$n.timings"
    continue
  fi
  hugo_wall=$(cut -d' ' -f1 "$WORK/hugo.runs" | median)
  printf '%7s  %-22s %8s %10s %9s %7s %7s\n' "$n" "hugo $(hugo version | awk '{print $2}')" \
    "$hugo_wall" "$(cut -d' ' -f2 "$WORK/hugo.runs" | median)" "$(mb "$hugo_out")" "$(du_mb "$hugo_out")" "$(files "$hugo_out")"
  awk -v l="$lore_wall" -v h="$hugo_wall" -v n="$n" -v lb="$(mb "$lore_out")" -v hb="$(mb "$hugo_out")" \
    'BEGIN {printf "%7s  lore is %.1fx Hugo (no related content), writing %.2fx its bytes\n", n, h / l, lb / hb}'
done
