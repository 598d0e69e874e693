# Reference values for MannWhitneyTests: R's wilcox.test (two-sample, two-sided, conf.int = TRUE).
# Run from this folder: Rscript make_wilcox_fixtures.R  (writes wilcox_fixtures.json)
# Samples are generated from a fixed seed, written with at most 4 decimals, and the test is run on the
# values *as written*, so the C# tests read back exactly the doubles R used.
set.seed(20261122)

fmt <- function(v) paste0("[", paste(format(v, digits = 15, scientific = FALSE, trim = TRUE), collapse = ","), "]")
num <- function(v) {
  if (is.null(v) || length(v) == 0 || is.na(v)) return("null")
  if (is.infinite(v)) return(if (v > 0) "\"Infinity\"" else "\"-Infinity\"")
  format(v, digits = 17, scientific = TRUE)
}

gen <- function(kind, n, shift) {
  v <- switch(kind,
    normal   = rnorm(n, mean = 100 + shift, sd = 15),
    lognorm  = exp(rnorm(n, mean = log(80) + shift / 100, sd = 0.6)),
    ties     = round(rnorm(n, mean = 10 + shift / 10, sd = 3)),
    fewvals  = sample(c(0, 1, 2, 5), n, replace = TRUE, prob = c(0.6, 0.2, 0.15, 0.05)) + (shift > 0) * rbinom(n, 1, 0.2),
    ratio    = rbinom(n, 500, 0.01 * (1 + shift / 100)) / 500,
    constant = rep(7, n),
    constant2 = rep(3, n))
  as.numeric(format(round(v, 4), digits = 15, scientific = FALSE, trim = TRUE))
}

run <- function(x, y, exact, conf) {
  r <- tryCatch(
    suppressWarnings(wilcox.test(x, y, conf.int = TRUE, exact = exact, correct = TRUE, conf.level = conf)),
    error = function(e) e)
  if (inherits(r, "error")) {
    # Keep the p-value R still gives without the interval (NaN when every observation is tied).
    p <- suppressWarnings(wilcox.test(x, y, exact = exact, correct = TRUE)$p.value)
    return(list(error = conditionMessage(r), p = p))
  }
  list(statistic = unname(r$statistic), p = r$p.value, estimate = unname(r$estimate),
       lo = r$conf.int[1], hi = r$conf.int[2], method = r$method)
}

cases <- list()
add <- function(kx, ky, nx, ny, shift, exact, conf) {
  x <- gen(kx, nx, shift)
  y <- gen(ky, ny, 0)
  res <- run(x, y, exact, conf)
  cases[[length(cases) + 1]] <<- list(x = x, y = y, exact = exact, conf = conf, res = res)
}

small <- c(2, 3, 4, 5, 7, 10, 13, 20, 31, 49)
mid <- c(50, 75, 120, 200, 350)
large <- c(1000, 2000, 5000)
kinds <- c("normal", "lognorm", "ties", "fewvals", "ratio")

# Normal approximation (exact = FALSE) over every kind and size mix.
for (k in kinds) {
  for (i in 1:28) {
    nx <- sample(c(small, mid), 1); ny <- sample(c(small, mid), 1)
    add(k, k, nx, ny, sample(c(0, 0, 5, 20, -10), 1), FALSE, sample(c(0.95, 0.98), 1))
  }
}
# Large samples.
for (n in large) {
  add("normal", "normal", n, n, 2, FALSE, 0.98)
  add("ties", "ties", n, round(n * 0.8), 0, FALSE, 0.95)
}
add("lognorm", "lognorm", 5000, 4000, 5, FALSE, 0.98)
# Exact distribution (no ties) for small samples, both via exact = TRUE and the default (NULL).
for (i in 1:40) {
  nx <- sample(small, 1); ny <- sample(small, 1)
  add(sample(c("normal", "lognorm"), 1), "normal", nx, ny, sample(c(0, 10, 30), 1), TRUE, sample(c(0.95, 0.98), 1))
}
for (i in 1:10) {
  add("normal", "normal", sample(small, 1), sample(small, 1), 5, NULL, 0.95)
}
# exact = TRUE with ties falls back to the normal approximation.
for (i in 1:6) add("ties", "ties", sample(small[4:10], 1), sample(small[4:10], 1), 0, TRUE, 0.95)
# Degenerate inputs: single observations, constant samples.
add("normal", "normal", 1, 1, 0, FALSE, 0.95)
add("normal", "normal", 1, 5, 0, FALSE, 0.95)
add("normal", "normal", 6, 1, 0, FALSE, 0.95)
add("normal", "normal", 1, 1, 0, TRUE, 0.95)
add("constant", "normal", 20, 30, 0, FALSE, 0.95)
add("normal", "constant", 25, 10, 0, FALSE, 0.95)
add("constant", "constant", 10, 12, 0, FALSE, 0.95)
add("constant", "constant2", 10, 12, 0, FALSE, 0.95)
add("constant", "constant", 300, 300, 0, FALSE, 0.98)

out <- file("wilcox_fixtures.json", "w")
writeLines("[", out)
for (i in seq_along(cases)) {
  c <- cases[[i]]
  r <- c$res
  ex <- if (is.null(c$exact)) "null" else if (c$exact) "true" else "false"
  line <- if (!is.null(r$error)) {
    sprintf("{\"id\":%d,\"exact\":%s,\"conf\":%s,\"error\":\"%s\",\"p\":%s,\"x\":%s,\"y\":%s}",
            i, ex, num(c$conf), gsub("\"", "'", r$error), num(r$p), fmt(c$x), fmt(c$y))
  } else {
    sprintf("{\"id\":%d,\"exact\":%s,\"conf\":%s,\"method\":\"%s\",\"statistic\":%s,\"p\":%s,\"estimate\":%s,\"lo\":%s,\"hi\":%s,\"x\":%s,\"y\":%s}",
            i, ex, num(c$conf), r$method, num(r$statistic), num(r$p), num(r$estimate), num(r$lo), num(r$hi), fmt(c$x), fmt(c$y))
  }
  writeLines(paste0(line, if (i < length(cases)) "," else ""), out)
}
writeLines("]", out)
close(out)
cat(length(cases), "cases\n")
