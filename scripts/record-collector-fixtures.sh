#!/bin/sh
# Records the /proc text the collector parses, from both kernels of the development machine:
# the host (a fresh network namespace, and the root namespace read-only) and a user-mode Linux
# guest (kernel 6.1) with IPVS loaded and traffic through NAT services inside the guest.
# Output: Tests/CollectorTests/Fixtures/<kernel>-<where>/<path-with-dashes>.
# Usage (root): scripts/record-collector-fixtures.sh
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
fix="$here/Tests/CollectorTests/Fixtures"
work=$(mktemp -d /tmp/lvsbench-fixtures.XXXXXX)
ns=lvsbfix-$$
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

files="/proc/net/snmp /proc/net/netstat /proc/net/softnet_stat /proc/stat /proc/net/dev"
kver=$(uname -r | cut -d. -f1,2)
ip netns add "$ns"
ip -n "$ns" link set lo up
for i in 1 2 3; do ip netns exec "$ns" curl -s -m 1 http://127.0.0.1:9/ >/dev/null || true; done
mkdir -p "$fix/host-$kver-netns" "$fix/host-$kver-root"
for f in $files /proc/sys/net/netfilter/nf_conntrack_count; do
    name=$(echo "${f#/}" | tr / -)
    ip netns exec "$ns" cat "$f" > "$fix/host-$kver-netns/$name"
done
for f in $files; do cat "$f" > "$fix/host-$kver-root/$(echo "${f#/}" | tr / -)"; done

mkdir -p "$work/mods/lib/modules"
ln -s /usr/lib/uml/modules/* "$work/mods/lib/modules/"
timeout 180 linux.uml mem=512M rootfstype=hostfs rootflags=/ rw \
    init="$here/scripts/collector-fixtures-guest-init.sh" con=null con0=null,fd:1 \
    lvsbench_fix="$fix" lvsbench_work="$work" > "$work/guest.log" 2>&1 || true
grep -q 'fixtures recorded' "$work/guest.log" || { cat "$work/guest.log"; exit 1; }
echo "recorded into $fix"
