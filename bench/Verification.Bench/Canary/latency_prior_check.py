"""Why SEQUENTIAL needs more looks than the oracle for a small latency shift, and whether another mixing distribution
helps (bench/canary-study.md, "Latency against matched Kayenta"). numpy, the same statistic as MeanDifferenceTest:
log-normal latency (median 100 ms, sigma 0.3), 100 values per cohort per one-minute look, 60 looks; the mean test's
one-sided discrete mixture over effect sizes d (units of the pooled s.d.) with plug-in variances, rejecting at
ln(T/alpha), T = 2 for the even mean/tail split and 4/3 when the mean test gets 3/4 of the latency metric's alpha.
Prints, per candidate and shift: share rolled back within 60 looks, median / p90 look (999 = not within 60); then
the oracle SPRT told the shift. Run: /usr/bin/python3 latency_prior_check.py 1000 (three minutes under load)."""
import numpy as np, sys
rng=np.random.default_rng(11)
R=int(sys.argv[1]) if len(sys.argv)>1 else 1000
L=60; N=100
def run(change):
    xb=100*np.exp(0.3*rng.standard_normal((R,L*N))); xc=(1+change)*100*np.exp(0.3*rng.standard_normal((R,L*N)))
    idx=np.arange(1,L+1)*N
    def st(x):
        c1=np.cumsum(x,1)[:,idx-1]; c2=np.cumsum(x*x,1)[:,idx-1]; n=idx
        m=c1/n; v=(c2-c1*c1/n)/(n-1); return m,v
    mb,vb=st(xb); mc,vc=st(xc); n=idx
    est=mc-mb; var=vc/n+vb/n; sd=np.sqrt((vc+vb)/2)
    return est,var,sd
def stat(est,var,sd,D,logw):
    out=np.full(est.shape,-np.inf)
    for d,lw in zip(D,logw):
        sh=d*sd; out=np.logaddexp(out, lw+sh*est/var-sh*sh/(2*var))
    return out
def first(o,thr):
    hit=o>=thr; a=hit.any(1); i=np.where(a,hit.argmax(1)+1,999); return a.mean(), np.median(i), np.percentile(i,90)
data={c:run(c) for c in (0,0.05,0.10,0.25)}
cands={}
def geo(lo,hi,m): D=np.geomspace(lo,hi,m); return D,np.full(m,-np.log(m))
cands['now 0.02-2/24 a/2']=(geo(0.02,2,24),2)
cands['0.02-2/24 a*3/4']=(geo(0.02,2,24),4/3)
cands['0.02-1/24 a/2']=(geo(0.02,1,24),2)
cands['0.05-2/24 a/2']=(geo(0.05,2,24),2)
cands['0.03-1.5/24 a*3/4']=(geo(0.03,1.5,24),4/3)
D=np.geomspace(0.02,2,24); lw=np.log(D**-0.5); lw-=np.logaddexp.reduce(lw); cands['0.02-2 w~d^-.5 a/2']=((D,lw),2)
D=np.geomspace(0.02,2,24); lw=np.log(D**-1.0); lw-=np.logaddexp.reduce(lw); cands['0.02-2 w~d^-1 a/2']=((D,lw),2)
D=np.geomspace(0.02,2,48); lw=np.full(48,-np.log(48)); cands['0.02-2/48 a/2']=((D,lw),2)
for name,((D,lw),T) in cands.items():
    thr=np.log(T/0.01)
    row=[name]
    for c,(e,v,s) in data.items():
        r=first(stat(e,v,s,D,lw),thr)
        row.append(f"{c}: {r[0]:.3f} {r[1]:.0f}/{r[2]:.0f}")
    print(' | '.join(row), flush=True)
# oracle
for c,(e,v,s) in data.items():
    if c==0: continue
    mean=100*np.exp(0.045); delta=c*mean
    o=delta*e/v-delta*delta/(2*v); print('oracle',c,first(o,np.log(100)))
