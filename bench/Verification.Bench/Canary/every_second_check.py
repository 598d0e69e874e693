"""A/A false rollbacks when the verdict is read every second, with more runs than canary-sim's read-every-second
group affords (bench/README.md, "Read every second"). numpy, the same statistics as the judge:
(1) errors at 500 requests per cohort per minute (8–9 per second), the rollback test's mixture Λ⁺(0) over 24 rate
ratios ×1.05 … ×4, crossing 1/α = 100 at any of 3,600 reads; (2) latency (log-normal, 100 values per cohort per
minute), the mean test's mixture over 24 effect sizes 0.02 … 2 s.d. with plug-in variances from 30 values on, at
α/2 (the tail test has the other half). Run: /usr/bin/python3 bench/Verification.Bench/Canary/every_second_check.py"""
print("(1) errors")
import numpy as np
from scipy.special import logsumexp
rng=np.random.default_rng(7)
R=4000; S=3600
n=np.array([9 if (i%60)<20 else 8 for i in range(S)])
b=rng.binomial(n,0.01,(R,S)).cumsum(1); c=rng.binomial(n,0.01,(R,S)).cumsum(1)
G=np.linspace(np.log(1.05),np.log(4),24)
k=b+c
out=np.full(c.shape,-np.inf)
for g in G:
    out=np.logaddexp(out, c*g-k*np.log(0.5*np.exp(g)+0.5))
out-=np.log(24)
hit=(out>=np.log(100)).any(1)
print("per-second crossing rate", hit.mean(), hit.sum())
# per-minute
m=out[:,59::60]
print("per-minute crossing rate", (m>=np.log(100)).any(1).mean())
print("(2) latency")
rng = np.random.default_rng(8)
R=3000; N=6000  # 100 values per minute per cohort
xb=100*np.exp(0.3*rng.standard_normal((R,N))); xc=100*np.exp(0.3*rng.standard_normal((R,N)))
# reads: per second, the count of values after each second
counts=np.array([ (100*(s+1))//60 for s in range(3600)])
idx=counts-1
def stats(x):
    c1=np.cumsum(x,1)[:,idx]; c2=np.cumsum(x*x,1)[:,idx]; n=counts
    m=c1/n; v=(c2-c1*c1/n)/(n-1); return m,v
mb,vb=stats(xb); mc,vc=stats(xc); n=counts
est=mc-mb; var=vc/n+vb/n; sd=np.sqrt(((n-1)*vc+(n-1)*vb)/(2*n-2))
D=np.exp(np.linspace(np.log(0.02),np.log(2),24))
out=np.full(est.shape,-np.inf)
for d in D:
    sh=d*sd; out=np.logaddexp(out, sh*est/var - sh*sh/(2*var))
out-=np.log(24)
ok=n>=30
thr=np.log(100*2)  # alpha/2: mean test shares alpha with the tail test
hit=((out>=thr)&ok).any(1)
print("per-second mean-test crossing at alpha/2:", hit.mean(), hit.sum())
m=(out[:, 59::60]>=thr).any(1); print("per-minute:", m.mean())
