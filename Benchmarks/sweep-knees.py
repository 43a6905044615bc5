#!/usr/bin/env python3
# Prints knees, per-point director cost with and without IPVS, and the capacity model of every
# sweep (and every cell) in a results directory (Benchmarks/IPVSCostAndKnees.md):
#   python3 Benchmarks/sweep-knees.py RESULTS_DIR
import json, glob, os, statistics as st, sys
R=sys.argv[1] if len(sys.argv) > 1 else 'results'
def load(name):
    d=[x for x in glob.glob(R+'/*-'+name) if os.path.isdir(x)]
    return json.load(open(d[0]+'/summary.json')) if d else None
for name in sorted(set(os.path.basename(x).split('Z-',1)[1] for x in glob.glob(R+'/*Z-*'))):
    s=load(name)
    if not s: continue
    print('==',name,s['started_at'],s.get('finished_at'),'complete',s['complete'])
    if s.get('sweep'):
        for mode in ['nat','dr','tun']:
            m=s['sweep'].get(mode)
            if not m: continue
            pts=m['points']
            print(' ',mode,'knee',m.get('knee_reals'),'rps',[round(p['rps']) for p in pts])
            print('    cpu',[round(p['director_cpu_pct']) for p in pts])
            pf=[p.get('plain_forward') for p in pts]
            print('    us/pkt ipvs',[round(f['us_per_packet_ipvs'],1) if f else None for f in pf])
            print('    us/pkt plain',[round(f['us_per_packet_plain'],1) if f else None for f in pf])
            print('    ipvs us/pkt',[round(f['ipvs_us_per_packet'],1) if f else None for f in pf])
            if any(f and f.get('ipvs_us_per_conn') is not None for f in pf):
                print('    ipvs us/conn',[round(f['ipvs_us_per_conn']) if f and f.get('ipvs_us_per_conn') is not None else None for f in pf])
                print('    us/conn ipvs',[round(f['us_per_conn_ipvs']) if f and f.get('us_per_conn_ipvs') is not None else None for f in pf])
                print('    us/conn plain',[round(f['us_per_conn_plain']) if f and f.get('us_per_conn_plain') is not None else None for f in pf])
            c=m.get('capacity')
            if c: print('    capacity: us/pkt %.1f pps %d reals %.1f ipvs_us %s reals_ipvs_alone %s cps %d'%(c['us_per_packet'],c['packets_per_s'],c.get('reals_at_per_real_rate') or 0,c.get('ipvs_us_per_packet'),c.get('reals_ipvs_alone'),c['conns_per_s']))
    for c in s.get('cells',[]):
        f=c.get('plain_forward') or {}
        print('  %s/%s rps %d direct %d lb %.3f plain %d ipvs/plain %.3f us ipvs %.1f plain %.1f cost %.1f bypass %s'%(c['mode'],c['scheduler'],c['rps'],c['direct_rps'],c['lb_overhead_ratio'],f.get('plain_rps',0),f.get('ipvs_to_plain_ratio',0),f.get('us_per_packet_ipvs',0),f.get('us_per_packet_plain',0),f.get('ipvs_us_per_packet',0),f.get('ipvs_packets_during_plain')))

print()
print('== capacity with the committed rule (median saturated point)')
for name in sorted(set(os.path.basename(x).split('Z-',1)[1] for x in glob.glob(R+'/*Z-sweep*'))):
    s=load(name)
    if not s or not s['complete']: continue
    for mode in ['nat','dr','tun']:
        m=s['sweep'][mode]; k=m.get('knee_reals'); c=m.get('capacity')
        if not k or not c: print(name,mode,'no knee'); continue
        sat=sorted([p for p in m['points'] if p['reals']>=k and p.get('plain_forward')], key=lambda p:p['plain_forward']['ipvs_us_per_packet'])
        cp=sat[(len(sat)-1)//2]['plain_forward']
        busy=min(max(c['cpu_pct'],0),100)/100
        alone=None
        if cp['ipvs_us_per_packet']>0 and c.get('per_real_served_bytes_per_s'):
            alone=c['served_bytes_per_s']/busy*(cp['us_per_packet_ipvs']/cp['ipvs_us_per_packet'])/c['per_real_served_bytes_per_s']
        conn=cp.get('ipvs_us_per_conn')
        print('%s %s knee %s | this director %.1f reals (%.1f us/pkt IPVS counters) | cost point %dr: %.1f with, %.1f plain, IPVS %.1f us/pkt%s | reals IPVS alone %s'%(name,mode,k,c.get('reals_at_per_real_rate') or 0,c['us_per_packet'],sat[(len(sat)-1)//2]['reals'],cp['us_per_packet_ipvs'],cp['us_per_packet_plain'],cp['ipvs_us_per_packet'], (', IPVS %.0f us/conn'%conn) if conn is not None else '', '%.0f'%alone if alone else 'n/a'))
