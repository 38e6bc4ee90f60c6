#!/usr/bin/env bash
# `lore serve` rebuild latency: builds the synthetic corpus of
# ../shared/bench/gen_corpus.py at each size, starts `lore serve` on it, and
# times, as lore serve itself reports them (from the file event to the file
# on disk), an edit of one note's body (its own page, written first, then
# the whole site), a new note and a renamed tag (every page that shows it
# on disk, then the whole site: the search index, feeds and the rest come
# after the pages, and the tabs reload when the pages are there).
#
#   bench/serve.sh [N ...]      (default: 1000 10000)
#
# Environment: WORK (default bench/work, git-ignored), PORT (default 1177).
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED:-../shared/bench}
WORK=${WORK:-bench/work}
PORT=${PORT:-1177}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)

. bench/release-lore.sh

# Waits until the log has N lines that say a rebuild was written; prints
# the last one's milliseconds.
wait_for_rebuild() {
  local log=$1 count=$2
  for _ in $(seq 1 1200); do
    if [ "$(grep -c 'site file(s) updated' "$log" || true)" -ge "$count" ]; then
      grep 'site file(s) updated' "$log" | tail -1 | grep -o '[0-9]* ms after' | cut -d' ' -f1
      return
    fi
    sleep 0.1
  done
  echo "timeout"
}

# The milliseconds of the last page written first, before its rebuild.
first_page() {
  grep 'written first' "$1" | tail -1 | grep -o '[0-9]* ms after' | cut -d' ' -f1
}

# The milliseconds of the last rebuild's pages, before its search index.
pages_made() {
  grep 'page(s) on disk' "$1" | tail -1 | grep -o '[0-9]* ms after' | cut -d' ' -f1
}

mkdir -p "$WORK"
printf '%8s %14s %14s %14s %14s %14s %14s\n' notes "edit: page ms" "edit: site ms" \
  "new: pages ms" "new: site ms" "rename: pages" "rename: site"
for n in "${sizes[@]}"; do
  corpus="$WORK/serve-$n"
  if [ ! -d "$corpus/content" ]; then
    python3 "$shared/gen_corpus.py" --n "$n" --out "$corpus" --flavor plain --force >/dev/null
  fi
  log=$(mktemp)
  (cd "$corpus" && exec "$lore" serve --port "$PORT") >"$log" 2>&1 &
  server=$!
  trap 'kill -INT $server 2>/dev/null || true' EXIT
  for _ in $(seq 1 1200); do grep -q 'serving' "$log" && break; sleep 0.1; done
  if ! kill -0 $server 2>/dev/null; then cat "$log"; exit 1; fi
  notes=("$corpus"/content/*.md)
  note=$(basename "${notes[0]}")
  cp "$corpus/content/$note" "$log.note"
  sleep 0.5
  printf '\nAn edited paragraph, %s.\n' "$(date +%s%N)" >>"$corpus/content/$note"
  edit=$(wait_for_rebuild "$log" 1)
  page=$(first_page "$log")
  printf -- '---\ntitle: A new note %s\ntags: [benchmark]\n---\nNew words.\n' "$n" >"$corpus/content/zz-new-note.md"
  added=$(wait_for_rebuild "$log" 2)
  added_pages=$(pages_made "$log")
  # The note's first tag gets a new name: its old list page may go, a
  # new one comes, every page that shows the tag changes.
  sed -i '0,/^tags: \["\([^"]*\)"/s//tags: ["\1-renamed"/' "$corpus/content/$note"
  renamed=$(wait_for_rebuild "$log" 3)
  renamed_pages=$(pages_made "$log")
  kill -INT $server; wait $server || true
  trap - EXIT
  printf '%8s %14s %14s %14s %14s %14s %14s\n' "$n" "${page:-none}" "$edit" \
    "${added_pages:-none}" "$added" "${renamed_pages:-none}" "$renamed"
  # The corpus as it was, for the next run.
  cp "$log.note" "$corpus/content/$note"
  rm -f "$corpus/content/zz-new-note.md" "$log" "$log.note"
done
