# Reference values for tests/test_gap_reference.py, computed independently of cxkit in R.
# Run from the repository root:  Rscript tests/reference/gap_reference.R
# Writes tests/reference/gap_reference.json. Needs R with the survey and jsonlite packages
# (Debian: apt-get install r-base-core r-cran-survey r-cran-jsonlite).
#
# Definitions (as documented in cxkit.gap):
#   self = role in (executive, employee), case-insensitive; customer = role "customer"
#   "Don't know", 99 and blanks are missing; agree = answer >= 4
#   pillar / overall = each respondent's mean over the answered items of that pillar / all items
suppressMessages({
  library(survey)
  library(jsonlite)
})

d <- read.csv("tests/reference/gap_fixture.csv", colClasses = "character", check.names = FALSE)
items <- sprintf("%s_%d", rep(c("sa", "sl", "ci", "ee", "mr"), each = 4), 1:4)
recode <- function(x) {
  x <- trimws(x)
  x[x %in% c("", "Don't know", "99")] <- NA
  as.numeric(x)
}
for (it in items) d[[it]] <- recode(d[[it]])
d$weight <- as.numeric(d$weight)
d$self <- tolower(d$role) %in% c("executive", "employee")
pm <- function(cols) {
  m <- rowMeans(d[, cols, drop = FALSE], na.rm = TRUE)
  m[is.nan(m)] <- NA
  m
}
d$pillar_ci <- pm(c("ci_1", "ci_2", "ci_3", "ci_4"))
d$overall <- pm(items)
vars <- c(items, "pillar_ci", "overall")
z <- qnorm(0.975)
agree <- function(x) x >= 4 - 1e-9

# Wilson score interval by formula (used where counts are weighted and not integers)
wilson_f <- function(k, n) {
  p <- k / n
  centre <- (k + z^2 / 2) / (n + z^2)
  half <- z * sqrt(n * p * (1 - p) + z^2 / 4) / (n + z^2)
  c(centre - half, centre + half)
}
newcombe <- function(p1, w1, p2, w2) {
  c(p1 - p2 - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2),
    p1 - p2 + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
}
katz <- function(k1, n1, k2, n2) {
  r <- (k1 / n1) / (k2 / n2)
  se <- sqrt(1 / k1 - 1 / n1 + 1 / k2 - 1 / n2)
  c(r, exp(log(r) - z * se), exp(log(r) + z * se))
}
hedges <- function(m1, v1, n1, m2, v2, n2) {
  sp <- sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2))
  (m1 - m2) / sp * (1 - 3 / (4 * (n1 + n2) - 9))
}

unweighted <- list()
for (v in vars) {
  x1 <- d[[v]][d$self]; x1 <- x1[!is.na(x1)]
  x2 <- d[[v]][!d$self]; x2 <- x2[!is.na(x2)]
  n1 <- length(x1); n2 <- length(x2)
  k1 <- sum(agree(x1)); k2 <- sum(agree(x2))
  tt <- t.test(x1, x2, var.equal = FALSE, conf.level = 0.95)
  w1 <- prop.test(k1, n1, correct = FALSE)$conf.int   # Wilson score interval
  w2 <- prop.test(k2, n2, correct = FALSE)$conf.int
  nc <- newcombe(k1 / n1, w1, k2 / n2, w2)
  kz <- katz(k1, n1, k2, n2)
  unweighted[[v]] <- list(
    n_self = n1, n_customer = n2,
    mean_self = mean(x1), mean_customer = mean(x2),
    mean_gap = unname(tt$estimate[1] - tt$estimate[2]),
    mean_gap_ci_low = tt$conf.int[1], mean_gap_ci_high = tt$conf.int[2],
    mean_gap_p = tt$p.value,
    hedges_g = hedges(mean(x1), var(x1), n1, mean(x2), var(x2), n2),
    agree_self = k1 / n1, agree_customer = k2 / n2,
    agree_self_ci_low = w1[1], agree_self_ci_high = w1[2],
    agree_gap = k1 / n1 - k2 / n2, agree_gap_ci_low = nc[1], agree_gap_ci_high = nc[2],
    agree_ratio = kz[1], agree_ratio_ci_low = kz[2], agree_ratio_ci_high = kz[3],
    agree_p = prop.test(c(k1, k2), c(n1, n2), correct = FALSE)$p.value
  )
}
item_p <- sapply(items, function(v) unweighted[[v]]$agree_p)
item_p_adj <- p.adjust(item_p, method = "holm")
for (v in items) unweighted[[v]]$p_adj <- unname(item_p_adj[v])

# Weighted: point estimates from the survey package; intervals with the Kish effective n
des <- svydesign(ids = ~1, weights = ~weight, data = d)
weighted <- list()
for (v in vars) {
  grp <- function(sel) {
    sub <- subset(des, sel & !is.na(d[[v]]))
    m <- coef(svymean(as.formula(paste0("~`", v, "`")), sub))
    a <- coef(svymean(as.formula(paste0("~as.numeric(`", v, "` >= 4 - 1e-9)")), sub))
    keep <- sel & !is.na(d[[v]])
    w <- d$weight[keep]; x <- d[[v]][keep]
    neff <- sum(w)^2 / sum(w^2)
    s2 <- neff / sum(w) * sum(w * (x - m)^2) / (neff - 1)
    list(n = sum(keep), neff = neff, mean = unname(m), var = s2, agree = unname(a))
  }
  g1 <- grp(d$self); g2 <- grp(!d$self)
  se2 <- g1$var / g1$neff + g2$var / g2$neff
  df <- se2^2 / ((g1$var / g1$neff)^2 / (g1$neff - 1) + (g2$var / g2$neff)^2 / (g2$neff - 1))
  diff <- g1$mean - g2$mean
  tq <- qt(0.975, df)
  k1 <- g1$agree * g1$neff; k2 <- g2$agree * g2$neff
  w1 <- wilson_f(k1, g1$neff); w2 <- wilson_f(k2, g2$neff)
  nc <- newcombe(g1$agree, w1, g2$agree, w2)
  kz <- katz(k1, g1$neff, k2, g2$neff)
  pooled <- (k1 + k2) / (g1$neff + g2$neff)
  zstat <- (g1$agree - g2$agree) / sqrt(pooled * (1 - pooled) * (1 / g1$neff + 1 / g2$neff))
  weighted[[v]] <- list(
    n_self = g1$n, n_customer = g2$n, neff_self = g1$neff, neff_customer = g2$neff,
    mean_self = g1$mean, mean_customer = g2$mean,
    mean_gap = diff, mean_gap_ci_low = diff - tq * sqrt(se2),
    mean_gap_ci_high = diff + tq * sqrt(se2),
    mean_gap_p = 2 * pt(-abs(diff / sqrt(se2)), df),
    hedges_g = hedges(g1$mean, g1$var, g1$neff, g2$mean, g2$var, g2$neff),
    agree_self = g1$agree, agree_customer = g2$agree,
    agree_gap = g1$agree - g2$agree, agree_gap_ci_low = nc[1], agree_gap_ci_high = nc[2],
    agree_ratio = kz[1], agree_ratio_ci_low = kz[2], agree_ratio_ci_high = kz[3],
    agree_p = 2 * pnorm(-abs(zstat))
  )
}

out <- list(
  source = "tests/reference/gap_reference.R",
  r_version = R.version.string,
  survey_version = as.character(packageVersion("survey")),
  unweighted = unweighted,
  weighted = weighted
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/reference/gap_reference.json")
