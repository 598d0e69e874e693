"""Kayenta-style repeated Mann-Whitney on latency, reduced to its p-value (one-sided normal approximation of U, no
ties), read at each of 60 looks: A/A false-rollback rate and median look to reject by nominal alpha, for the
"matched Kayenta" question of bench/canary-study.md. Same data model as latency_prior_check.py. Prints one row per
shift (0 = A/A): alpha: share rejected within 60 looks, median look (999 = none).
Run: /usr/bin/python3 latency_mwu_check.py 400"""
import numpy as np, sys
from scipy.stats import norm
rng=np.random.default_rng(5)
R=int(sys.argv[1]); L=60; N=100
alphas=[0.01,0.005,0.002,0.001,5e-4,2e-4,1e-4]
for change in (0,0.05,0.10):
    zs=np.zeros((R,L))
    for r in range(R):
        xb=100*np.exp(0.3*rng.standard_normal(L*N)); xc=(1+change)*100*np.exp(0.3*rng.standard_normal(L*N))
        for t in range(1,L+1):
            n=t*N; a=xc[:n]; b=xb[:n]
            allv=np.concatenate([a,b]); ranks=np.empty(2*n); ranks[np.argsort(allv)]=np.arange(1,2*n+1)
            U=ranks[:n].sum()-n*(n+1)/2
            zs[r,t-1]=(U-n*n/2)/np.sqrt(n*n*(2*n+1)/12)
    out=[]
    for a in alphas:
        hit=zs>=norm.isf(a); any_=hit.any(1); idx=np.where(any_,hit.argmax(1)+1,999)
        out.append(f"{a:g}: {any_.mean():.3f} med {np.median(idx):.0f}")
    print(change, ' | '.join(out), flush=True)
