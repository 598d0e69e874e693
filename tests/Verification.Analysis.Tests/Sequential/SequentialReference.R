# Reference values for RateRatioTestTests and MeanDifferenceTestTests (R 4.2.2): the formulas written out
# independently of the C#. Run: Rscript SequentialReference.R
v <- 4/100 + 9/120; tau2 <- 0.25^2 * ((99*4 + 119*9)/218); d <- 0.7; a <- 0.01
ll <- 0.5*log(v/(v+tau2)) + d^2*tau2/(2*v*(v+tau2)); cat(sprintf("mean p %.17g\n", min(1, exp(-ll))))
hw <- sqrt(2*v*(v+tau2)/tau2*(log(1/a)+0.5*log((v+tau2)/v))); cat(sprintf("mean cs %.17g %.17g\n", d-hw, d+hw))
# Rate ratio: N(0, 1) prior on log r discretised on 241 points over [-6, 6]; CS at alpha = 0.01 by uniroot.
g <- seq(-6, 6, length.out = 241); w <- exp(-g^2/2); w <- w/sum(w)
f <- function(xc, nc, xb, nb) {
  s <- nc/(nc+nb); D <- function(r) xc*r - (xc+xb)*log(s*exp(r)+1-s)
  lm <- log(sum(w*exp(D(g)))); thr <- lm - log(1/0.01)
  est <- log(xc*(1-s)/(xb*s))
  lo <- if (xc > 0 && xb > 0) uniroot(function(r) D(r)-thr, c(-50, est), tol = 1e-12)$root else NA
  hi <- if (xc > 0 && xb > 0) uniroot(function(r) D(r)-thr, c(est, 50), tol = 1e-12)$root else NA
  cat(sprintf("rate %d/%d vs %d/%d: p %.17g lo %.17g hi %.17g\n", xc, nc, xb, nb, min(1, exp(-lm)), lo, hi))
}
f(20, 10000, 0, 10000); f(30, 10000, 12, 10000); f(7, 3000, 9, 5000)
