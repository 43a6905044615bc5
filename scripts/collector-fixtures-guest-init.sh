#!/bin/sh
# PID 1 of the user-mode Linux guest that record-collector-fixtures.sh boots: loads IPVS,
# makes two reals (network namespaces inside the guest, nginx) behind NAT services on
# 198.18.0.10, sends traffic from the guest itself, saves the /proc files, powers off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
fix=$lvsbench_fix work=$lvsbench_work
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs run /run
mkdir -p /run/netns
for m in ip_vs ip_vs_rr ip_vs_wrr veth; do modprobe -d "$work/mods" $m; done
ip link set lo up
ip addr add 198.18.0.10/32 dev lo
cat > "$work/nginx.conf" <<CONF
daemon on; user root; worker_processes 1; pid $work/nginx-PID.pid; error_log stderr;
events { worker_connections 256; }
http { access_log off; server { listen ADDR:80; listen ADDR:9000; location / { return 200 "ADDR\n"; } } }
CONF
for i in 1 2; do
    ip netns add r$i
    ip link add v$i type veth peer name e0 netns r$i
    ip addr add 198.18.1.$((i * 4 - 3))/30 dev v$i
    ip link set v$i up
    ip -n r$i addr add 198.18.1.$((i * 4 - 2))/30 dev e0
    ip -n r$i link set e0 up
    ip -n r$i link set lo up
    ip -n r$i route add default via 198.18.1.$((i * 4 - 3))
    sed "s/ADDR/198.18.1.$((i * 4 - 2))/g; s/PID/$i/" "$work/nginx.conf" > "$work/nginx$i.conf"
    ip netns exec r$i nginx -c "$work/nginx$i.conf" -p "$work" 2>/dev/null
done
sysctl -qw net.ipv4.vs.conntrack=1
ipvsadm -A -t 198.18.0.10:80 -s wrr
ipvsadm -a -t 198.18.0.10:80 -r 198.18.1.2:80 -m -w 3
ipvsadm -a -t 198.18.0.10:80 -r 198.18.1.6:80 -m -w 1
ipvsadm -A -t 198.18.0.10:9000 -s rr
ipvsadm -a -t 198.18.0.10:9000 -r 198.18.1.2:9000 -m
ipvsadm -a -t 198.18.0.10:9000 -r 198.18.1.6:9000 -m
ipvsadm -A -u 198.18.0.10:53 -s rr
ipvsadm -a -u 198.18.0.10:53 -r 198.18.1.2:53 -m
ipvsadm --set 900 120 300
for n in $(seq 1 40); do curl -s -m 2 http://198.18.0.10/ >/dev/null; done
curl -s -m 2 http://198.18.0.10:9000/ >/dev/null
wrk -t1 -c4 -d3s http://198.18.0.10/ > "$work/wrk.txt" 2>&1
for n in $(seq 1 10); do curl -s -m 2 http://198.18.0.10:9000/ >/dev/null; done
out="$fix/guest-$(uname -r | cut -d. -f1,2)-director"
mkdir -p "$out"
for f in /proc/net/ip_vs_stats /proc/net/ip_vs /proc/net/ip_vs_conn /proc/net/snmp /proc/net/netstat \
         /proc/net/softnet_stat /proc/stat /proc/net/dev /proc/sys/net/netfilter/nf_conntrack_count; do
    cat "$f" > "$out/$(echo "${f#/}" | tr / -)"
done
ipvsadm -Ln > "$out/ipvsadm-Ln"
ipvsadm -Ln --stats --exact > "$out/ipvsadm-Ln-stats-exact"
ipvsadm -L --timeout > "$out/ipvsadm-L-timeout"
sleep 2
cat /proc/net/ip_vs_stats > "$out/proc-net-ip_vs_stats.later"
for i in 1 2; do kill "$(cat "$work/nginx-$i.pid")"; done
echo "fixtures recorded"
poweroff -f
