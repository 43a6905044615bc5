#!/usr/bin/env bash
# Installs what lvsbench needs on a Debian machine: the lab's tools (ipvsadm, iproute2,
# user-mode Linux for hosts without IPVS, nginx for the reals), the C libraries the load
# generator and the collector link (liburing, libpcap), wrk for side-by-side comparison and
# Chromium for rendering HTML reports in tests, and the balancers compared with IPVS (nftables,
# iptables, HAProxy) and keepalived for the fault scenarios (health checks, VRRP failover). Idempotent: installs only what is missing.
set -euo pipefail

packages=(ipvsadm iproute2 user-mode-linux nginx-light wrk liburing-dev libpcap-dev
          linux-libc-dev curl procps tcpdump kmod chromium time jq ethtool
          nftables iptables haproxy keepalived)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}; run this script as root (sudo $0)" >&2
    exit 2
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The schema test validates summary.json with python3's jsonschema package.
if ! python3 -c 'import jsonschema' 2>/dev/null; then
  echo "setup: installing python3 jsonschema" >&2
  pip install -q jsonschema 2>/dev/null \
    || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq --no-install-recommends python3-jsonschema >/dev/null; } \
    || echo "setup: could not install jsonschema; the schema test will skip" >&2
fi
if ! command -v swift >/dev/null 2>&1; then
  for d in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
    [ -x "$d/swift" ] && export PATH="$d:$PATH"
  done
fi
command -v swift >/dev/null 2>&1 || {
  echo "setup: no Swift toolchain found: install Swift 6.1 or newer from swift.org and put it in PATH" >&2
  exit 2
}
