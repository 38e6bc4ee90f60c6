#!/usr/bin/env bash
# Time and peak memory of `lore build` on hostile inputs of growing size:
# a cost that grows linearly shows as time and memory that follow the
# size column. Each shape is one item (or one post) of N MB:
#
#   inline   <b>x</b> repeated inside one RSS item (HTML → markdown)
#   dashes   an llms-full dump of "- - - …" (list recovery)
#   quotes   a markdown note of "> > > …" (nesting)
#   nested   <div> nested as deep as the bytes allow, in one RSS item
#   items    N MB of small RSS items (ingest, notes, relate, render)
#
#   bench/hostile.sh [MB ...]        (default: 1 4 10)
#
# Prints: shape, MB, seconds, peak MiB, bytes lore wrote (content + site).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 4 10)
. bench/release-lore.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make_input() { # shape, megabytes, file
  python3 - "$1" "$2" "$3" <<'EOF'
import sys
shape, mb, path = sys.argv[1], float(sys.argv[2]), sys.argv[3]
size = int(mb * 1024 * 1024)
def rss(body):
    esc = body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>H</title>'
            '<link>https://h.test/</link><item><title>Hostile</title>'
            '<link>https://h.test/1</link><description>' + esc +
            '</description></item></channel></rss>')
if shape == "inline":
    text = rss("<b>x</b>" * (size // 8))
elif shape == "dashes":
    text = "# Dump\n\n## Post\nURL: https://h.test/p\n\n" + "- " * (size // 2)
elif shape == "quotes":
    text = "---\ntitle: Quotes\n---\n" + "> " * (size // 2)
elif shape == "nested":
    depth = size // 11
    text = rss("<div>" * depth + "x" + "</div>" * depth)
elif shape == "items":
    item = ('<item><title>Item {0}</title><link>https://h.test/{0}</link>'
            '<description>Words about item {0} and its topic.</description></item>')
    items, total, i = [], 0, 0
    while total < size:
        s = item.format(i); items.append(s); total += len(s); i += 1
    text = ('<?xml version="1.0"?><rss version="2.0"><channel><title>H</title>'
            '<link>https://h.test/</link>' + "".join(items) + '</channel></rss>')
open(path, "w").write(text)
EOF
}

printf '%-8s %6s %9s %10s %12s\n' shape MB seconds "peak MiB" "bytes out"
for shape in inline dashes quotes nested items; do
  for mb in "${sizes[@]}"; do
    kb="$work/$shape-$mb"
    mkdir -p "$kb/content"
    ext=xml; [ "$shape" = dashes ] && ext=txt; [ "$shape" = quotes ] && ext=md
    make_input "$shape" "$mb" "$kb/input.$ext"
    printf '[[sources]]\npath = "input.%s"\n' "$ext" > "$kb/config.toml"
    start=$(date +%s.%N)
    /usr/bin/time -f '%M' -o "$kb/rss" "$lore" build --offline --quiet --config "$kb/config.toml" || true
    end=$(date +%s.%N)
    bytes=$(du -sb "$kb/content" "$kb/public" 2>/dev/null | awk '{s+=$1} END {print s}')
    awk -v s="$shape" -v mb="$mb" -v t="$(echo "$end $start" | awk '{print $1 - $2}')" \
      -v kib="$(cat "$kb/rss")" -v b="$bytes" 'BEGIN { printf "%-8s %6s %9.2f %10.0f %12s\n", s, mb, t, kib / 1024, b }'
    rm -rf "$kb"
  done
done
