#!/usr/bin/env python3
# Tabulates the LB ratio and IPVS-cost spread over complete runs named *-default-N in a results directory
# (Benchmarks/DefaultRunSpread.md): python3 Benchmarks/default-run-spread.py RESULTS_DIR
import json, glob, os, statistics as st, datetime as dt
import sys
R=sys.argv[1] if len(sys.argv) > 1 else 'results'
runs=[]
for d in sorted(glob.glob(R+'/*Z-default-*')):
    s=json.load(open(d+'/summary.json'))
    if not s['complete']: continue
    runs.append((os.path.basename(d), s))
print('runs', [r[0] for r in runs])
for name,s in runs:
    a=dt.datetime.fromisoformat(s['started_at'].replace('Z','+00:00')); b=dt.datetime.fromisoformat(s['finished_at'].replace('Z','+00:00'))
    print(name, 'duration %.0f s'%(b-a).total_seconds())
keys=[(c['mode'],c['scheduler']) for c in runs[0][1]['cells']]
def get(s,k,f):
    for c in s['cells']:
        if (c['mode'],c['scheduler'])==k: return f(c)
rows=[]
print('| cell | LB ratio per run | spread (max-min)/median | IPVS/plain per run | spread | direct req/s per run | µs/pkt IPVS | µs/pkt plain | IPVS µs/pkt |')
print('|---|---|---|---|---|---|---|---|---|')
lbs=[];ips=[]
for k in keys:
    lb=[get(s,k,lambda c:c['lb_overhead_ratio']) for _,s in runs]
    ip=[get(s,k,lambda c:c['plain_forward']['ipvs_to_plain_ratio']) for _,s in runs]
    dr=[get(s,k,lambda c:c['direct_rps']) for _,s in runs]
    ui=[get(s,k,lambda c:c['plain_forward']['us_per_packet_ipvs']) for _,s in runs]
    up=[get(s,k,lambda c:c['plain_forward']['us_per_packet_plain']) for _,s in runs]
    uc=[get(s,k,lambda c:c['plain_forward']['ipvs_us_per_packet']) for _,s in runs]
    sp=(max(lb)-min(lb))/st.median(lb); sq=(max(ip)-min(ip))/st.median(ip)
    lbs.append(sp); ips.append(sq)
    f=lambda xs,p=3: ', '.join(('%.'+str(p)+'f')%x for x in xs)
    print('| %s/%s | %s | %.0f%% | %s | %.0f%% | %s | %s | %s | %s |'%(k[0],k[1],f(lb),sp*100,f(ip,2),sq*100,', '.join('%d'%x for x in dr),f(ui,1),f(up,1),f(uc,1)))
print('median spread LB %.0f%% max %.0f%%; IPVS/plain median %.0f%% max %.0f%%'%(st.median(lbs)*100,max(lbs)*100,st.median(ips)*100,max(ips)*100))
for mode in ['nat','dr','tun']:
    ui=[c['plain_forward']['us_per_packet_ipvs'] for _,s in runs for c in s['cells'] if c['mode']==mode]
    up=[c['plain_forward']['us_per_packet_plain'] for _,s in runs for c in s['cells'] if c['mode']==mode]
    uc=[c['plain_forward']['ipvs_us_per_packet'] for _,s in runs for c in s['cells'] if c['mode']==mode]
    byp=[c['plain_forward'].get('ipvs_packets_during_plain') for _,s in runs for c in s['cells'] if c['mode']==mode]
    lbm=[c['lb_overhead_ratio'] for _,s in runs for c in s['cells'] if c['mode']==mode]
    ipm=[c['plain_forward']['ipvs_to_plain_ratio'] for _,s in runs for c in s['cells'] if c['mode']==mode]
    print('%s: median over %d cells: us/pkt ipvs %.1f plain %.1f cost %.1f (range %.1f..%.1f); LB %.3f; IPVS/plain %.2f; bypass %s'%(mode,len(ui),st.median(ui),st.median(up),st.median(uc),min(uc),max(uc),st.median(lbm),st.median(ipm),set(byp)))
