#!/usr/bin/env bash
# What sampling costs in throughput: `wrk` through a running lab's director with no
# collector, then with `lvsbench collect` alongside at 10 Hz (without and with the
# capture) and at 1 Hz, alternating inside every round so the machine's drift falls on
# all of them. Prints req/s per run and, per variant, the median of its ratio to the
# same round's run without a collector (1.000 = no cost). Benchmarks/CollectorCost.md
# has the results.
#
# Usage: Benchmarks/collector-throughput.sh LAB ROUNDS BINARY
# Env: LVSBENCH_PREFIX, LVSBENCH_RUN_DIR (as for the lab), SECONDS_PER_RUN (default 8).
set -euo pipefail
LAB=${1:?lab name}; ROUNDS=${2:?rounds}; BIN=${3:?lvsbench binary}
SECS=${SECONDS_PER_RUN:-8}
. "$(dirname "$0")/lab-wrk.sh"

variants=(none "100ms --no-capture" "100ms" "1s --no-capture")
wrk_rps >/dev/null   # warm-up
printf '%-5s %-20s %8s %8s\n' round collector req/s ratio
for round in $(seq "$ROUNDS"); do
  base=""
  for v in "${variants[@]}"; do
    pid=""
    if [ "$v" != none ]; then
      read -r interval flag <<<"$v"
      "$BIN" collect --name "$LAB" --interval "$interval" --duration "$((SECS + 2))s" \
        ${flag:-} --out "$out/c.jsonl" >/dev/null 2>&1 &
      pid=$!; sleep 1
    fi
    rps=$(wrk_rps)
    [ -n "$pid" ] && wait "$pid"
    [ "$v" = none ] && base=$rps
    ratio=$(echo "scale=3; $rps / $base" | bc)
    printf '%-5s %-20s %8s %8s\n' "$round" "$v" "$rps" "$ratio"
    printf '%s\t%s\n' "$v" "$ratio" >>"$out/runs"
  done
done
echo "median ratio to the same round's run without a collector:"
for v in "${variants[@]:1}"; do
  awk -F'\t' -v v="$v" '$1 == v {print $2}' "$out/runs" | sort -n |
    awk -v v="$v" '{a[NR] = $1} END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2;
      printf "  %-20s %.3f (%d rounds, range %.3f..%.3f)\n", v, m, NR, a[1], a[NR]}'
done
