# Sourced by the collector benchmarks (collector-throughput.sh, collector-abba.sh): `wrk`
# from a running lab's client through its director's VIP. Expects LAB, BIN and SECS; sets
# `vip` and `out`, a scratch directory removed on exit, and defines `wrk_rps`, which prints
# one run's requests per second.
state=${LVSBENCH_RUN_DIR:-/run/lvsbench}/labs/$LAB/state.json
vip=$(jq -r .vip "$state")
out=$(mktemp -d /tmp/lvsbench-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT

wrk_rps() {
  "$BIN" lab exec --name "$LAB" client -- wrk -t1 -c20 -d"${SECS}s" "http://$vip/" |
    awk '/Requests\/sec/ {print int($2)}'
}
