"""How the SEQUENTIAL judge's prior over effects was chosen (bench/README.md, "What changed in the judge").
The error-ratio case on its own: per look Binomial(n, p) errors per cohort, the event split of RateRatioTest,
mixtures of one-sided SPRTs on geometric grids of rate ratios against the old two-sided N(0, 1) mixture and the
oracle SPRT told the effect; prints (share rolled back within 60 looks, median look, p90 look; 999 = not within 60).
Run: /usr/bin/python3 bench/Verification.Bench/Canary/prior_choice.py (numpy; a minute)."""
import numpy as np
rng=np.random.default_rng(3)
R=3000; L=60
def sim(p0,p1,n):
    b=rng.binomial(n,p0,(R,L)).cumsum(1); c=rng.binomial(n,p1,(R,L)).cumsum(1); return c,b
def mix(c,b,grid,logw,s=0.5):
    k=c+b; out=np.full(c.shape,-np.inf)
    for g,lw in zip(grid,logw): out=np.logaddexp(out,lw+c*g-k*np.log(s*np.exp(g)+1-s))
    return out
def first(stat,thr):
    hit=stat>=thr; a=hit.any(1); idx=np.where(a,hit.argmax(1)+1,999)
    return (round(a.mean(),3), np.median(idx), np.percentile(idx,90))
thr=np.log(100)
grids={}
for lo,hi,m in [(1.05,4,24),(1.05,10,24),(1.05,20,24),(1.05,20,32),(1.1,10,16)]:
    grids[f'{lo}-{hi}/{m}']=np.log(np.geomspace(lo,hi,m))
for name,(p0,p1,n) in {'x1.2':(0.01,0.012,500),'x1.5':(0.01,0.015,500),'x2':(0.01,0.02,500),'x3':(0.01,0.03,500),'zero':(0,0.002,1000),'x2@50':(0.01,0.02,50),'x2@2000':(0.01,0.02,2000)}.items():
    c,b=sim(p0,p1,n); out=[]
    if p0>0:
        r=p1/p0; th1=r/(r+1); out.append(('oracle',first(c*np.log(th1/0.5)+b*np.log((1-th1)/0.5),thr)))
    for gn,g in grids.items():
        lw=np.full(len(g),-np.log(len(g))); out.append((gn,first(mix(c,b,g,lw),thr)))
    gg=np.linspace(-6,6,241); lw=-0.5*gg**2; lw-=np.logaddexp.reduce(lw)
    out.append(('current',first(mix(c,b,gg,lw),thr)))
    print(name); [print('  ',o) for o in out]
