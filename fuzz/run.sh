#!/usr/bin/env bash
# Builds every fuzz target, then runs each for SECONDS (default 60), one
# after another, on its corpus (fuzz/corpus/<target>, kept between runs,
# gitignored) plus the committed seeds (fuzz/seeds/<target>) and the
# regression inputs (fuzz/regressions/<target>). Prints executions and
# coverage per target; exits 1 if any target crashed, timed out or ran out
# of memory (the input is in fuzz/artifacts/<target>/).
#
#   fuzz/run.sh [SECONDS]
#
# FUZZ_RUNS=N instead replays the seeds and regressions, then runs N new
# inputs from seed 1 on a fresh corpus (FUZZ_RUNS=0: the replay alone,
# which is repeatable; libFuzzer's exploration is not quite).
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). On a stable
# toolchain RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its nightly-only flags.
# FUZZ_SANITIZER=none skips AddressSanitizer (about twice as fast; lore
# forbids unsafe code, so it finds little there).
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-60}"
sanitizer="${FUZZ_SANITIZER:-address}"
targets=(feed_ingest html_to_markdown llms_recovery front_matter wikilinks)
export RUSTC_BOOTSTRAP=1

cargo fuzz build -s "$sanitizer"

budget="${seconds}s"
[ -n "${FUZZ_RUNS:-}" ] && budget="$FUZZ_RUNS new inputs from seed 1"
status=0
summary=()
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target" "artifacts/$target"
  corpus="corpus/$target"
  limit=(-max_total_time="$seconds")
  if [ -n "${FUZZ_RUNS:-}" ]; then
    corpus=$(mktemp -d)
    # -runs=0 only replays the seeds and regressions.
    limit=(-runs="$FUZZ_RUNS" -seed=1 -reload=0)
  fi
  dirs=("$corpus" "seeds/$target")
  [ -d "regressions/$target" ] && dirs+=("regressions/$target")
  log="artifacts/$target/run.log"
  echo "== $target: $budget"
  if cargo fuzz run -s "$sanitizer" "$target" "${dirs[@]}" -- \
      "${limit[@]}" -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=1 >"$log" 2>&1; then
    result=ok
  else
    result="FAILED (see $log and artifacts/$target/)"
    status=1
    grep -E "panicked at|ERROR: libFuzzer|SUMMARY|Test unit written" "$log" | head -n 8 || true
  fi
  execs=$(grep -Eo 'stat::number_of_executed_units: [0-9]+' "$log" | grep -Eo '[0-9]+$' || echo "?")
  rate=$(grep -Eo 'stat::average_exec_per_sec: +[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo "?")
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1 || true)
  cov=$(grep -Eo 'cov: [0-9]+' <<<"$last" | grep -Eo '[0-9]+' || echo "?")
  ft=$(grep -Eo 'ft: [0-9]+' <<<"$last" | grep -Eo '[0-9]+' || echo "?")
  corp=$(grep -Eo 'corp: [0-9]+' <<<"$last" | grep -Eo '[0-9]+' || echo "?")
  line="$target: $result; $execs executions ($rate/s), cov $cov, ft $ft, corpus $corp"
  echo "$line"
  summary+=("$line")
done

echo
echo "== summary ($budget per target, sanitizer $sanitizer)"
printf '%s\n' "${summary[@]}"
exit "$status"
