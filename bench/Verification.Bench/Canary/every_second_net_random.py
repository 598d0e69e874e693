"""The read-every-second A/A case of canary-sim (errors at 500 requests per cohort per minute) replayed outside .NET
with a port of .NET's seeded System.Random (Knuth's subtractive generator) and the same inversion binomial, so that
runs on more seeds than canary-sim affords can be told apart from bad luck: with seeds 1001–1300 it gives 7/300, as
canary-sim does; with seeds 5001–7000, 12/2000. Run: /usr/bin/python3 every_second_net_random.py RUNS FIRST_SEED"""
import numpy as np, math
MBIG=2147483647; MSEED=161803398
class NetRandom:
    def __init__(self, seed):
        a=[0]*56
        sub = MBIG if seed==-2147483648 else abs(seed)
        mj=MSEED-sub; a[55]=mj; mk=1
        for i in range(1,55):
            ii=(21*i)%55; a[ii]=mk; mk=mj-mk
            if mk<0: mk+=MBIG
            mj=a[ii]
        for k in range(1,5):
            for i in range(1,56):
                a[i]-=a[1+(i+30)%55]
                if a[i]<0: a[i]+=MBIG
        self.a=a; self.inext=0; self.inextp=21
    def next_double(self):
        i=self.inext+1
        if i>=56: i=1
        j=self.inextp+1
        if j>=56: j=1
        r=self.a[i]-self.a[j]
        if r==MBIG: r-=1
        if r<0: r+=MBIG
        self.a[i]=r; self.inext=i; self.inextp=j
        return r*(1.0/MBIG)
def binom(rng,n,p):
    u=rng.next_double(); prob=(1-p)**n; cum=prob; k=0; odds=p/(1-p)
    while u>cum and k<n:
        prob*=(n-k)*odds/(k+1); k+=1; cum+=prob
    return k
G=np.linspace(np.log(1.05),np.log(4),24)
def lam(c,b):
    k=c+b
    return np.logaddexp.reduce(c*G-k*np.log(0.5*np.exp(G)+0.5))-np.log(24)
# precompute lookup for crossing: per (c,b) cache
cache={}
def crosses(c,b):
    key=(c,b)
    if key not in cache: cache[key]=lam(c,b)>=math.log(100)
    return cache[key]
import sys
R=int(sys.argv[1]); start=int(sys.argv[2])
hits=0
for run in range(R):
    rng=NetRandom(start+run); b=c=0; hit=False
    for look in range(60):
        for r in range(60):
            n=9 if r<20 else 8
            b+=binom(rng,n,0.01); c+=binom(rng,n,0.01)
            if not hit and crosses(c,b): hit=True
    hits+=hit
print("NET Random, per-second A/A at 500/min:", hits, "/", R)
