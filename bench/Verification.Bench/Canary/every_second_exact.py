"""The exact A/A false-rollback rate of the SEQUENTIAL rollback test on an error ratio when the verdict is read after
every event, the most often it can change (bench/canary-study-every-second.md, "How often a healthy canary is rolled
back when read every second"). Equal traffic, so under "no change" each error is the canary's with probability 1/2
(the Poisson split of RateRatioTest); a dynamic programme over (canary errors, all errors) gives P(ln Lambda+(0) >=
ln 100 after some event), Lambda+ the mixture over 24 rate ratios x1.05 ... x4 - no simulation noise. Reading every
second can only miss crossings, and binomial counts of equal cohorts split less evenly than 1/2-coins (Hoeffding
1963, Theorem 4), so this is an upper bound for canary-sim's case. At 500 requests per cohort per minute and 1 %
errors an hour has ~600 errors. Run: /usr/bin/python3 every_second_exact.py (seconds)."""
import numpy as np
from scipy.special import logsumexp
from scipy.stats import poisson
G=np.linspace(np.log(1.05),np.log(4),24)
thr=np.log(100)
K=1200
def lam(c,k): return logsumexp(c*G-k*np.log((np.exp(G)+1)/2))-np.log(24)
cstar=np.full(K+1,10**9)
for k in range(1,K+1):
    lo=0
    for c in range(0,k+1):
        if lam(c,k)>=thr: cstar[k]=c; break
p=np.zeros(K+2); p[0]=1.0
crossed=np.zeros(K+1)
for k in range(1,K+1):
    q=np.zeros(K+2); q[:k+1]=0.5*p[:k+1]; q[1:k+2]+=0.5*p[:k+1]
    c0=cstar[k]
    if c0<=k:
        crossed[k]=crossed[k-1]+q[c0:k+1].sum(); q[c0:]=0
    else: crossed[k]=crossed[k-1]
    p=q
for mean in (60,600,2400):
    ks=np.arange(K+1); w=poisson.pmf(ks,mean)
    print(f"events per hour ~ Poisson({mean}): P(cross) = {(w*crossed).sum():.5f}; after exactly {mean} events {crossed[min(mean,K)]:.5f}")
print("limit (1200 events):", crossed[K])
