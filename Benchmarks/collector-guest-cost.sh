#!/usr/bin/env bash
# What sampling costs a running UML lab's director: `lvsbench collect --no-capture` for
# 10 s at 100 ms and at 1 s, alternating two collector binaries on the same idle lab.
# Prints per run the guest's busy share (its /proc/stat, from the collection's first and
# last director sample: ticks of the guest's 100 Hz clock, so a 10 Hz burst of a few ms in
# phase with the tick is counted 0 or 10 ms) and the host CPU time (utime+stime) of the
# guest's processes (every host process whose command line carries the lab's umid), which
# counts the time itself. Benchmarks/CollectorCost.md has the results.
#
# Usage: Benchmarks/collector-guest-cost.sh LAB ROUNDS BEFORE_BINARY AFTER_BINARY
# Env: LVSBENCH_PREFIX, LVSBENCH_RUN_DIR (as for the lab), DURATION (default 10s).
set -euo pipefail
LAB=${1:?lab name}; ROUNDS=${2:?rounds}; BEFORE=${3:?before binary}; AFTER=${4:?after binary}
DURATION=${DURATION:-10s}
umid="umid=${LVSBENCH_PREFIX:-lvsb}-$LAB "
out=$(mktemp /tmp/lvsbench-gcost.XXXXXX)
trap 'rm -f "$out"' EXIT

# Milliseconds of host CPU the guest's processes have used so far.
hostcpu() {
  for d in /proc/[0-9]*; do
    if { tr '\0' ' ' < "$d/cmdline"; } 2>/dev/null | grep -qF "$umid"; then
      awk '{sub(/.*\) /, ""); print $12 + $13}' "$d/stat" 2>/dev/null || true
    fi
  done | awk -v hz="$(getconf CLK_TCK)" '{t += $1} END {print int(t * 1000 / hz)}'
}

[ "$(hostcpu)" -gt 0 ] || { echo "no process of the guest with '$umid': is lab $LAB up with a uml director?" >&2; exit 2; }
printf '%-5s %-6s %-7s %8s %8s %10s %14s\n' round every binary samples busy% 'host ms' 'host ms/sample'
for round in $(seq "$ROUNDS"); do
  for interval in 100ms 1s; do
    for who in before after; do
      bin=$BEFORE; [ "$who" = after ] && bin=$AFTER
      h0=$(hostcpu)
      "$bin" collect --name "$LAB" --interval "$interval" --duration "$DURATION" --no-capture --out "$out" >/dev/null
      h1=$(hostcpu)
      n=$(head -1 "$out" | jq .samples)
      busy=$(sed -n '2p;$p' "$out" | jq -s '[.[] | .nodes[] | select(.role == "director") | .cpu]
        | def t: .user+.nice+.system+.idle+.iowait+.irq+.softirq+.steal; def b: t - .idle - .iowait;
          100 * ((.[1] | b) - (.[0] | b)) / ((.[1] | t) - (.[0] | t))')
      printf '%-5s %-6s %-7s %8s %8.2f %10s %14.2f\n' "$round" "$interval" "$who" "$n" "$busy" "$((h1 - h0))" \
        "$(echo "($h1 - $h0) / $n" | bc -l)"
    done
  done
done
