# Sourced by the bench scripts: builds the release binary and sets `lore`
# to it, wherever cargo puts it (CARGO_TARGET_DIR, a workspace target).
cargo build --release --quiet
lore="$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/release/lore"
