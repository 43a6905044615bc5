#!/usr/bin/env bash
# Side-by-side comparison of `lvsbench load` with wrk against the same nginx on loopback:
# same connections, same threads, alternating the two tools K times per mode (keep-alive,
# and a new connection per request: `--close` against wrk -H "Connection: close").
# CPU of each tool is taken the same way for both, from /usr/bin/time (user + sys of the
# whole process, getrusage of the child); lvsbench's own getrusage figure from its JSON is
# printed alongside. Prints every run, then medians and the ratios the issue asks for:
# requests per CPU second (lvsbench / wrk, target >= 1.25) and throughput (target >= 1).
#
# Usage: Benchmarks/compare-wrk.sh [K]   (env: DURATION=10s CONNECTIONS=50 THREADS=2 PORT=18089)
# Needs root only to install missing packages (wrk, nginx-light, time).
set -euo pipefail
cd "$(dirname "$0")/.."

K=${1:-5}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
PORT=${PORT:-18089}
URL="http://127.0.0.1:${PORT}/"

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || missing+=(nginx-light)
[ -x /usr/bin/time ] || missing+=(time)
command -v jq >/dev/null || missing+=(jq)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "compare-wrk: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"

work=$(mktemp -d /tmp/lvsbench-compare.XXXXXX)
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ] && kill -0 "$nginx_pid" 2>/dev/null; then
    kill "$nginx_pid"
    for _ in $(seq 50); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/body;
  proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fastcgi;
  uwsgi_temp_path $work/uwsgi;
  scgi_temp_path $work/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:${PORT} backlog=4096;
    location / { add_header X-Real-Server real1; return 200 "hello, world\n"; }
  }
}
CONF
nginx -c "$work/nginx.conf" -e "$work/error.log"
for _ in $(seq 50); do [ -s "$work/nginx.pid" ] && break; sleep 0.1; done
nginx_pid=$(cat "$work/nginx.pid")
curl -fsS -o /dev/null "$URL" || { echo "compare-wrk: nginx on $URL does not answer" >&2; exit 1; }

echo "compare-wrk: building lvsbench (release)" >&2
swift build -c release --product lvsbench >&2
lvsbench=.build/release/lvsbench

# run_wrk MODE -> "requests cpu_seconds"
run_wrk() {
  local extra=()
  [ "$1" = close ] && extra=(-H "Connection: close")
  /usr/bin/time -f "%U %S" -o "$work/time" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "${extra[@]}" "$URL" > "$work/wrk.out"
  local requests
  requests=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  echo "$requests $(awk '{print $1 + $2}' "$work/time")"
}

# run_lvsbench MODE -> "requests cpu_seconds(time) cpu_seconds(json)"
run_lvsbench() {
  local extra=()
  [ "$1" = close ] && extra=(--close)
  /usr/bin/time -f "%U %S" -o "$work/time" "$lvsbench" load "$URL" -c "$CONNECTIONS" --threads "$THREADS" \
    -d "$DURATION" "${extra[@]}" --json > "$work/load.json"
  jq -r '"\(.requests) \(.cpu_user_s + .cpu_sys_s) \(.errors.connect + .errors.read + .errors.write + .errors.timeout)"' \
    "$work/load.json" | { read -r requests json_cpu errors
      [ "$errors" = 0 ] || echo "compare-wrk: lvsbench counted $errors errors" >&2
      echo "$requests $(awk '{print $1 + $2}' "$work/time") $json_cpu"; }
}

seconds=$(awk -v d="$DURATION" 'BEGIN { sub(/s$/, "", d); print d }')
div() { awk -v a="$1" -v b="$2" 'BEGIN { print a / b }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "nginx 1 worker on $URL; $CONNECTIONS connections, $THREADS threads, $DURATION per run, $K runs per tool and mode"
printf '%-10s %-9s %3s %10s %10s %8s %12s\n' mode tool run requests req/s cpu_s req/cpu_s
for mode in keepalive close; do
  : > "$work/wrk.$mode"; : > "$work/lvs.$mode"
  for k in $(seq "$K"); do
    read -r r c < <(run_wrk "$mode")
    echo "$r $c" >> "$work/wrk.$mode"
    printf '%-10s %-9s %3d %10d %10.0f %8.2f %12.0f\n' "$mode" wrk "$k" "$r" "$(div "$r" "$seconds")" "$c" "$(div "$r" "$c")"
    read -r r c j < <(run_lvsbench "$mode")
    echo "$r $c $j" >> "$work/lvs.$mode"
    printf '%-10s %-9s %3d %10d %10.0f %8.2f %12.0f  (own getrusage: %.2f s)\n' "$mode" lvsbench "$k" "$r" "$(div "$r" "$seconds")" "$c" "$(div "$r" "$c")" "$j"
  done
done

echo
echo "medians over $K runs"
printf '%-10s %12s %12s %14s %14s %10s %10s\n' mode wrk_req/s lvs_req/s wrk_req/cpu_s lvs_req/cpu_s cpu_ratio rps_ratio
for mode in keepalive close; do
  w_rps=$(awk -v s="$seconds" '{print $1 / s}' "$work/wrk.$mode" | median)
  l_rps=$(awk -v s="$seconds" '{print $1 / s}' "$work/lvs.$mode" | median)
  w_eff=$(awk '{print $1 / $2}' "$work/wrk.$mode" | median)
  l_eff=$(awk '{print $1 / $2}' "$work/lvs.$mode" | median)
  printf '%-10s %12.0f %12.0f %14.0f %14.0f %10.2f %10.2f\n' "$mode" "$w_rps" "$l_rps" "$w_eff" "$l_eff" \
    "$(div "$l_eff" "$w_eff")" "$(div "$l_rps" "$w_rps")"
done
