#!/usr/bin/env bash
# What the UML director costs per forwarded packet, for several vector-driver settings
# (LVSBENCH_UML_VEC) or guest settings, measured against each other in alternating rounds.
#
# Per round and variant: `lab up` with that variant, a 2 s warm-up, then one measured
# window of `wrk` and one of `lvsbench load` (both from the client namespace to the VIP).
# Around each window it reads the guest's /proc/stat (busy = all but idle and iowait, in
# the guest's own clock ticks), /proc/net/ip_vs_stats (InPkts + OutPkts = packets IPVS
# forwarded) and the host's CPU time of the guest's process group (user: the guest kernel's
# own code; sys: the host kernel on its behalf, system calls, signals, and the host's
# delivery of what the guest writes to its taps, which runs in the guest's system call),
# and prints µs per forwarded packet by each measure, req/s and the p99 latency.
#
# Usage: Benchmarks/emulator.sh ROUNDS MODE VARIANT...
#   VARIANT: an LVSBENCH_UML_VEC value (tap | raw,depth=128 | ...), optionally followed by
#   `+guest:CMD;CMD` run in the director after up (e.g. 'raw+guest:sysctl -w net.core.netdev_budget=64').
# Env: DURATION (default 8s), CONNECTIONS (default 50), LVSBENCH_PREFIX, LVSBENCH_RUN_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:?rounds}; MODE=${2:?mode}; shift 2
DURATION=${DURATION:-8s}
CONNECTIONS=${CONNECTIONS:-50}
LB=${LVSBENCH:-.build/release/lvsbench}
NAME=emu
HZ=$(getconf CLK_TCK)

down() { "$LB" lab down --name "$NAME" >/dev/null 2>&1 || true; }
trap down EXIT INT TERM

# Guest busy ticks, IPVS packets, host CPU ticks of the guest's process group.
snapshot() {
  local stat ipvs pg user=0 sys=0
  stat=$("$LB" lab exec --name "$NAME" director -- cat /proc/stat | awk '/^cpu /{print $2+$3+$4+$7+$8+$9}')
  read -r _ inp outp _ < <("$LB" lab exec --name "$NAME" director -- cat /proc/net/ip_vs_stats | sed -n 3p)
  ipvs=$((16#$inp + 16#$outp))
  pg=$(jq -r '.processes[] | select(.label=="uml director") | .pid' "$RUN/labs/$NAME/state.json")
  for f in /proc/[0-9]*/stat; do
    { read -r line < "$f"; } 2>/dev/null || continue
    rest=${line##*) }
    set -- $rest
    [ "$3" = "$pg" ] && user=$((user + ${12})) && sys=$((sys + ${13}))
  done
  echo "$stat $ipvs $user $sys"
}

RUN=${LVSBENCH_RUN_DIR:-/run/lvsbench}
printf '%-24s %-5s %8s %9s %9s %9s %9s %8s %9s\n' variant tool req/s us/pkt-g us/pkt-h h-user h-sys p99ms pkts
for round in $(seq "$ROUNDS"); do
  for variant in "$@"; do
    vec=${variant%%+guest:*}
    guest=""; [[ "$variant" == *+guest:* ]] && guest=${variant#*+guest:}
    down
    LVSBENCH_UML_VEC=$vec "$LB" lab up --name "$NAME" --mode "$MODE" --reals 2 --director uml >/dev/null
    if [ -n "$guest" ]; then "$LB" lab exec --name "$NAME" director -- sh -c "$guest" >/dev/null; fi
    vip=$(jq -r .vip "$RUN/labs/$NAME/state.json")
    "$LB" lab exec --name "$NAME" client -- wrk -t1 -c"$CONNECTIONS" -d2s "http://$vip/" >/dev/null
    for tool in wrk load; do
      read -r g0 p0 u0 s0 < <(snapshot)
      if [ $tool = wrk ]; then
        out=$("$LB" lab exec --name "$NAME" client -- wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "http://$vip/")
        rps=$(awk '/Requests\/sec/{print int($2)}' <<<"$out")
        p99=$(awk '$1=="99%"{v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) sub(/ms/,"",v); else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' <<<"$out")
      else
        out=$("$LB" lab exec --name "$NAME" client -- "$(realpath "$LB")" load "http://$vip/" -c "$CONNECTIONS" --threads 1 -d "$DURATION" --json)
        rps=$(jq -r '.rps | floor' <<<"$out")
        p99=$(jq -r '.latency_us.p99 / 1000' <<<"$out")
      fi
      read -r g1 p1 u1 s1 < <(snapshot)
      pk=$((p1 - p0))
      awk -v v="$vec${guest:+ +guest}" -v t=$tool -v r="$rps" -v g=$((g1 - g0)) -v u=$((u1 - u0)) -v s=$((s1 - s0)) \
        -v p=$pk -v hz="$HZ" -v q="$p99" \
        'BEGIN{printf "%-24s %-5s %8d %9.2f %9.2f %9.2f %9.2f %8s %9d\n", v, t, r, g*1e6/100/p, (u+s)*1e6/hz/p, u*1e6/hz/p, s*1e6/hz/p, q, p}'
    done
  done
done
