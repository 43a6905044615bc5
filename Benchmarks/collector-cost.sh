#!/usr/bin/env bash
# What sampling and capturing cost the measured traffic: `wrk` through one UML NAT lab's
# director, alone and with `lvsbench collect` alongside (1 s and 100 ms, with and without
# the pcap capture), alternating the settings in every round so the machine's other load
# falls on all of them. Two collector binaries can be compared on the same lab (the lab's
# agent is the newer one; older requests still work against it).
#
# Usage: Benchmarks/collector-cost.sh ROUNDS AFTER_BINARY [BEFORE_BINARY]
# Env: DURATION (default 6s), CONNECTIONS (default 20), LVSBENCH_PREFIX, LVSBENCH_RUN_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:?rounds}; AFTER=${2:?after binary}; BEFORE=${3:-}
DURATION=${DURATION:-6s}
CONNECTIONS=${CONNECTIONS:-20}
NAME=ccost
RUN=${LVSBENCH_RUN_DIR:-/run/lvsbench}
work=$(mktemp -d /tmp/lvsbench-ccost.XXXXXX)
down() { "$AFTER" lab down --name "$NAME" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap down EXIT INT TERM

"$AFTER" lab down --name "$NAME" >/dev/null 2>&1 || true
LVSBENCH_EXE=$AFTER "$AFTER" lab up --name "$NAME" --mode nat --reals 2 --director uml >/dev/null
vip=$(jq -r .vip "$RUN/labs/$NAME/state.json")
"$AFTER" lab exec --name "$NAME" client -- wrk -t1 -c"$CONNECTIONS" -d2s "http://$vip/" >/dev/null

settings=("none" "after 1s" "after 1s --no-capture" "after 100ms" "after 100ms --no-capture")
[ -n "$BEFORE" ] && settings+=("before 1s" "before 1s --no-capture" "before 100ms" "before 100ms --no-capture")
secs=${DURATION%s}
printf '%-28s %8s %8s\n' setting req/s samples
for round in $(seq "$ROUNDS"); do
  for s in "${settings[@]}"; do
    read -r who interval extra <<<"$s"
    pid=""
    if [ "$who" != none ]; then
      bin=$AFTER; [ "$who" = before ] && bin=$BEFORE
      "$bin" collect --name "$NAME" --interval "$interval" --duration "$((secs + 2))s" $extra \
        --out "$work/c.jsonl" >/dev/null 2>&1 &
      pid=$!
      sleep 1
    fi
    rps=$("$AFTER" lab exec --name "$NAME" client -- wrk -t1 -c"$CONNECTIONS" -d"$DURATION" "http://$vip/" \
      | awk '/Requests\/sec/{print int($2)}')
    n=-
    if [ -n "$pid" ]; then wait "$pid" || true; n=$(wc -l < "$work/c.jsonl" 2>/dev/null || echo -); fi
    printf '%-28s %8d %8s\n' "$s" "$rps" "$n"
  done
done
