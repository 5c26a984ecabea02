# Reference values for tests/test_roi_reference.py, computed independently of cxkit in R.
# Run from the repository root:  Rscript tests/reference/roi_reference.R
# Writes tests/reference/roi_reference.json. Needs R with sandwich, lmtest and jsonlite
# (Debian: apt-get install r-base-core r-cran-sandwich r-cran-lmtest r-cran-jsonlite).
#
# The fixture is a frozen copy of examples/roi/accounts.csv (account_id, quarter, segment,
# revenue, revenue_growth, churned yes/no, nps, respondents).
#   single: the 2026Q1 rows only (one row per account) -> cor.test, lm + HC3, glm
#   lag1:   CX and controls at quarter t, outcome at t+1 of the same account -> cluster-robust
#   within: lag1 with one dummy per account (entity fixed effects), cluster-robust
# Cluster-robust = sandwich::vcovCL(type = "HC1", cadjust = TRUE): the CR1 correction
# G/(G-1) * (n-1)/(n-k), which is what statsmodels cov_type="cluster" uses by default
# (use_correction=True); t intervals with G - 1 df (statsmodels df_correction=True, use_t=True).
# HC3 intervals use t with the residual df (lmtest::coeftest / coefci defaults for lm).
# glm runs to a tight tolerance (epsilon = 1e-14): the default 1e-8 stops the IRLS early
# enough to move p-values in the 5th digit, while statsmodels Newton converges fully.
suppressMessages({
  library(sandwich)
  library(lmtest)
  library(jsonlite)
})

d <- read.csv("tests/reference/roi_fixture.csv", colClasses = "character")
d$nps <- as.numeric(d$nps)
d$revenue_growth <- as.numeric(d$revenue_growth)
d$respondents <- as.numeric(d$respondents)
d$churned <- as.numeric(tolower(d$churned) == "yes")
d$step <- as.integer(substr(d$quarter, 1, 4)) * 4 + as.integer(substr(d$quarter, 6, 6)) - 1
level <- 0.95
tight <- glm.control(epsilon = 1e-14, maxit = 100)

slope <- function(m, V, df, term = "nps") {
  ct <- coeftest(m, vcov. = V, df = df)
  ci <- coefci(m, vcov. = V, df = df, level = level)
  list(
    estimate = unname(coef(m)[term]),
    ci_low = unname(ci[term, 1]),
    ci_high = unname(ci[term, 2]),
    p_value = unname(ct[term, 4]),
    r_squared = summary(m)$r.squared,
    n = nobs(m)
  )
}

logit <- function(m, V) {
  b <- coef(m)
  X <- model.matrix(m)
  se <- sqrt(diag(V))
  z <- qnorm(1 - (1 - level) / 2)
  eta <- drop(X %*% b)
  p <- plogis(eta)
  dens <- p * (1 - p)
  ame <- mean(dens) * b["nps"]
  # delta method: gradient of mean(dens) * b_nps with respect to every coefficient
  g <- b["nps"] * colMeans(dens * (1 - 2 * p) * X)
  g["nps"] <- g["nps"] + mean(dens)
  ame_se <- sqrt(drop(t(g) %*% V %*% g))
  zval <- b["nps"] / se["nps"]
  list(
    coef = unname(b["nps"]),
    coef_se = unname(se["nps"]),
    p_value = unname(2 * pnorm(-abs(zval))),
    or_10 = unname(exp(10 * b["nps"])),
    or_10_ci_low = unname(exp(10 * (b["nps"] - z * se["nps"]))),
    or_10_ci_high = unname(exp(10 * (b["nps"] + z * se["nps"]))),
    ame = unname(ame),
    ame_ci_low = unname(ame - z * ame_se),
    ame_ci_high = unname(ame + z * ame_se),
    mcfadden = 1 - m$deviance / m$null.deviance,
    n = nobs(m)
  )
}

out <- list()

# single: one row per account -------------------------------------------------------------
s <- d[d$quarter == "2026Q1", ]
pc <- cor.test(s$nps, s$revenue_growth, method = "pearson", conf.level = level)
sc <- suppressWarnings(cor.test(s$nps, s$revenue_growth, method = "spearman", exact = FALSE))
m_hc3 <- lm(revenue_growth ~ nps + segment, data = s)
m_w <- lm(revenue_growth ~ nps + segment, data = s, weights = respondents)
g1 <- glm(churned ~ nps, data = s, family = binomial, control = tight)
out$single <- list(
  pearson = list(estimate = unname(pc$estimate), ci_low = pc$conf.int[1],
                 ci_high = pc$conf.int[2], p_value = pc$p.value, n = nrow(s)),
  spearman = list(estimate = unname(sc$estimate), p_value = sc$p.value, n = nrow(s)),
  ols_hc3 = slope(m_hc3, vcovHC(m_hc3, type = "HC3"), df = m_hc3$df.residual),
  ols_hc3_weighted = slope(m_w, vcovHC(m_w, type = "HC3"), df = m_w$df.residual),
  logit = logit(g1, vcov(g1))
)

# lag 1: CX at t, outcome at t + 1 -----------------------------------------------------------
now <- d[, c("account_id", "step", "nps", "segment")]
later <- d[, c("account_id", "step", "revenue_growth", "churned")]
later$step <- later$step - 1
l <- merge(now, later, by = c("account_id", "step"))
G <- length(unique(l$account_id))
pl <- cor.test(l$nps, l$revenue_growth, method = "pearson", conf.level = level)
sl <- suppressWarnings(cor.test(l$nps, l$revenue_growth, method = "spearman", exact = FALSE))
m_cl <- lm(revenue_growth ~ nps + segment, data = l)
g_cl <- glm(churned ~ nps + segment, data = l, family = binomial, control = tight)
m_fe <- lm(revenue_growth ~ nps + factor(account_id), data = l)
cl <- function(m) vcovCL(m, cluster = ~account_id, type = "HC1", cadjust = TRUE)
out$lag1 <- list(
  n_entities = G,
  pearson = list(estimate = unname(pl$estimate), ci_low = pl$conf.int[1],
                 ci_high = pl$conf.int[2], p_value = pl$p.value, n = nrow(l)),
  spearman = list(estimate = unname(sl$estimate), p_value = sl$p.value, n = nrow(l)),
  ols_cluster = slope(m_cl, cl(m_cl), df = G - 1),
  logit_cluster = logit(g_cl, cl(g_cl)),
  ols_fe = slope(m_fe, cl(m_fe), df = G - 1)
)

writeLines(
  toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
  "tests/reference/roi_reference.json"
)
