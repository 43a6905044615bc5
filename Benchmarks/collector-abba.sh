#!/usr/bin/env bash
# A finer measure of what sampling costs in throughput than collector-throughput.sh:
# many short ABBA rounds (no collector, collector, collector, no collector) of `wrk`
# through a running lab's director, so a drift of the machine within a round cancels.
# Prints each round's req/s and its ratio mean(with) / mean(without), then the median and
# mean over the rounds. Benchmarks/CollectorCost.md has the results.
#
# Usage: Benchmarks/collector-abba.sh LAB ROUNDS BINARY
# Env: LVSBENCH_PREFIX, LVSBENCH_RUN_DIR (as for the lab), SECONDS_PER_RUN (default 5),
#      INTERVAL (the collector's, default 100ms).
set -euo pipefail
LAB=${1:?lab name}; ROUNDS=${2:?rounds}; BIN=${3:?lvsbench binary}
SECS=${SECONDS_PER_RUN:-5}; INTERVAL=${INTERVAL:-100ms}
. "$(dirname "$0")/lab-wrk.sh"

with_collector() {
  "$BIN" collect --name "$LAB" --interval "$INTERVAL" --duration "$((SECS + 2))s" --no-capture \
    --out "$out/c.jsonl" >/dev/null 2>&1 &
  local pid=$!
  sleep 1
  wrk_rps
  wait "$pid"
}

wrk_rps >/dev/null   # warm-up
printf '%-5s %8s %8s %8s %8s %7s\n' round none with with none ratio
for round in $(seq "$ROUNDS"); do
  a1=$(wrk_rps); b1=$(with_collector); b2=$(with_collector); a2=$(wrk_rps)
  ratio=$(echo "scale=4; ($b1 + $b2) / ($a1 + $a2)" | bc)
  printf '%-5s %8s %8s %8s %8s %7s\n' "$round" "$a1" "$b1" "$b2" "$a2" "$ratio"
  echo "$ratio" >>"$out/ratios"
done
sort -n "$out/ratios" | awk -v i="$INTERVAL" '{a[NR] = $1; s += $1} END {
  m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
  printf "collector at %s, %d rounds: median ratio %.3f, mean %.3f, range %.3f..%.3f\n", i, NR, m, s / NR, a[1], a[NR]}'
