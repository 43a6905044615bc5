#!/usr/bin/env python3
# Tabulates the LB ratio and IPVS-cost spread over complete runs named *-default-N in a results directory
# (Benchmarks/DefaultRunSpread.md): python3 Benchmarks/default-run-spread.py RESULTS_DIR
import json, glob, os, random, statistics as st, datetime as dt
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
lbs=[];ips=[];rel=[]
for k in keys:
    lb=[get(s,k,lambda c:c['lb_overhead_ratio']) for _,s in runs]
    ip=[get(s,k,lambda c:c['plain_forward']['ipvs_to_plain_ratio']) for _,s in runs]
    dr=[get(s,k,lambda c:c['direct_rps']) for _,s in runs]
    ui=[get(s,k,lambda c:c['plain_forward']['us_per_packet_ipvs']) for _,s in runs]
    up=[get(s,k,lambda c:c['plain_forward']['us_per_packet_plain']) for _,s in runs]
    uc=[get(s,k,lambda c:c['plain_forward']['ipvs_us_per_packet']) for _,s in runs]
    sp=(max(lb)-min(lb))/st.median(lb); sq=(max(ip)-min(ip))/st.median(ip)
    lbs.append(sp); ips.append(sq)
    if len(lb) > 1: rel.append(st.variance([x/st.mean(lb) for x in lb]))
    f=lambda xs,p=3: ', '.join(('%.'+str(p)+'f')%x for x in xs)
    print('| %s/%s | %s | %.0f%% | %s | %.0f%% | %s | %s | %s | %s |'%(k[0],k[1],f(lb),sp*100,f(ip,2),sq*100,', '.join('%d'%x for x in dr),f(ui,1),f(up,1),f(uc,1)))
print('median spread LB %.0f%% max %.0f%%; IPVS/plain median %.0f%% max %.0f%%'%(st.median(lbs)*100,max(lbs)*100,st.median(ips)*100,max(ips)*100))
# The target is every cell's spread under 10%. With the LB ratio's run-to-run standard
# deviation pooled over the cells, a seeded simulation of the same number of runs and
# cells says how likely that is, and what deviation would make it likelier than not.
def p_all_under(sd, runs_n, cells, trials=20000):
    rng=random.Random(1)
    ok=0
    for _ in range(trials):
        ok+=all((max(x)-min(x))/st.median(x) < 0.10 for x in ([rng.gauss(1,sd) for _ in range(runs_n)] for _ in range(cells)))
    return ok/trials
if rel:
    sd=st.mean(rel)**0.5
    need=next((t/1000 for t in range(100,0,-1) if p_all_under(t/1000,len(runs),len(keys),4000) >= 0.5), 0)
    print('LB ratio run-to-run SD pooled over %d cells %.1f%%: P(every cell under 10%%) %.2f; P >= 0.5 needs SD <= %.1f%%, %.1fx less variance'
          %(len(rel),sd*100,p_all_under(sd,len(runs),len(keys)),need*100,(sd/need)**2 if need else float('inf')))
for mode in ['nat','dr','tun']:
    ui=[c['plain_forward']['us_per_packet_ipvs'] for _,s in runs for c in s['cells'] if c['mode']==mode]
    up=[c['plain_forward']['us_per_packet_plain'] for _,s in runs for c in s['cells'] if c['mode']==mode]
    uc=[c['plain_forward']['ipvs_us_per_packet'] for _,s in runs for c in s['cells'] if c['mode']==mode]
    byp=[c['plain_forward'].get('ipvs_packets_during_plain') for _,s in runs for c in s['cells'] if c['mode']==mode]
    lbm=[c['lb_overhead_ratio'] for _,s in runs for c in s['cells'] if c['mode']==mode]
    ipm=[c['plain_forward']['ipvs_to_plain_ratio'] for _,s in runs for c in s['cells'] if c['mode']==mode]
    print('%s: median over %d cells: us/pkt ipvs %.1f plain %.1f cost %.1f (range %.1f..%.1f); LB %.3f; IPVS/plain %.2f; bypass %s'%(mode,len(ui),st.median(ui),st.median(up),st.median(uc),min(uc),max(uc),st.median(lbm),st.median(ipm),set(byp)))
