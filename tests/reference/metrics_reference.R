# Reference values for tests/test_metrics_reference.py (nps, metric, drivers), computed
# independently of cxkit in R. Run from the repository root:
#   Rscript tests/reference/metrics_reference.R
# Writes tests/reference/metrics_reference.json. Needs R with the survey and jsonlite packages
# (Debian: apt-get install r-base-core r-cran-survey r-cran-jsonlite).
suppressMessages({
  library(survey)
  library(jsonlite)
})
z <- qnorm(0.975)

# ---- NPS -----------------------------------------------------------------------------------
# Recode 9-10 -> +1, 7-8 -> 0, 0-6 -> -1. NPS = 100 * mean(recode). The recode's variance is
# computed here as mean(r^2) - mean(r)^2 (not from the pP + pD - (pP - pD)^2 shortcut).
d <- read.csv("tests/reference/nps_fixture.csv", colClasses = "character")
d$ltr <- as.numeric(ifelse(trimws(d$ltr) == "", NA, d$ltr))
d$weight <- as.numeric(d$weight)
d <- d[!is.na(d$ltr), ]
d$r <- ifelse(d$ltr >= 9, 1, ifelse(d$ltr >= 7, 0, -1))

nps_block <- function(r, w) {
  neff <- sum(w)^2 / sum(w^2)
  m <- sum(w * r) / sum(w)
  v <- sum(w * r^2) / sum(w) - m^2
  se <- 100 * sqrt(v / neff)
  pP <- sum(w[r == 1]) / sum(w); pD <- sum(w[r == -1]) / sum(w); pA <- sum(w[r == 0]) / sum(w)
  # adjusted Wald (Rocks 2016; Lewis & Sauro 2021): n + 3, 3/4 promoter and 3/4 detractor
  na <- neff + 3; pa <- (pP * neff + 0.75) / na; da <- (pD * neff + 0.75) / na
  va <- pa + da - (pa - da)^2
  wil <- function(p) {   # Wilson score interval by formula on the effective n
    k <- p * neff
    c((k + z^2 / 2) / (neff + z^2) - z * sqrt(neff * p * (1 - p) + z^2 / 4) / (neff + z^2),
      (k + z^2 / 2) / (neff + z^2) + z * sqrt(neff * p * (1 - p) + z^2 / 4) / (neff + z^2))
  }
  list(n = length(r), neff = neff, nps = 100 * m, nps_se = se,
       nps_wald_ci_low = max(100 * m - z * se, -100), nps_wald_ci_high = min(100 * m + z * se, 100),
       nps_ci_low = max(100 * (pa - da) - z * 100 * sqrt(va / na), -100),
       nps_ci_high = min(100 * (pa - da) + z * 100 * sqrt(va / na), 100),
       promoters = pP, passives = pA, detractors = pD,
       promoters_ci_low = wil(pP)[1], promoters_ci_high = wil(pP)[2],
       detractors_ci_low = wil(pD)[1], detractors_ci_high = wil(pD)[2],
       var_r = v, var_a = va)
}
nps_ref <- function(weighted) {
  w <- if (weighted) d$weight else rep(1, nrow(d))
  out <- list(all = nps_block(d$r, w))
  for (g in c("A", "B", "C")) out[[g]] <- nps_block(d$r[d$group == g], w[d$group == g])
  pairs <- list(c("A", "B"), c("A", "C"), c("B", "C"))
  p <- c()
  for (pr in pairs) {
    a <- out[[pr[1]]]; b <- out[[pr[2]]]
    diff <- a$nps - b$nps
    se <- 100 * sqrt(a$var_r / a$neff + b$var_r / b$neff)
    adj <- function(g) { na <- g$neff + 3
      c((g$promoters * g$neff + 0.75) / na - (g$detractors * g$neff + 0.75) / na, g$var_a / na) }
    aa <- adj(a); bb <- adj(b)
    name <- paste0(pr[1], "-", pr[2])
    out[[name]] <- list(nps = diff, nps_se = se,
      nps_wald_ci_low = diff - z * se, nps_wald_ci_high = diff + z * se,
      nps_ci_low = 100 * (aa[1] - bb[1]) - z * 100 * sqrt(aa[2] + bb[2]),
      nps_ci_high = 100 * (aa[1] - bb[1]) + z * 100 * sqrt(aa[2] + bb[2]),
      p_value = 2 * pnorm(-abs(diff / se)))
    p <- c(p, out[[name]]$p_value)
  }
  padj <- p.adjust(p, method = "holm")
  for (i in seq_along(pairs)) out[[paste0(pairs[[i]][1], "-", pairs[[i]][2])]]$p_adj <- padj[i]
  out
}
nps_unweighted <- nps_ref(FALSE)
# unweighted shares: Wilson limits straight from prop.test (score interval, no correction)
for (g in c("A", "B", "C")) {
  x <- d$r[d$group == g]
  ci <- prop.test(sum(x == 1), length(x), correct = FALSE)$conf.int
  nps_unweighted[[g]]$promoters_ci_low <- ci[1]; nps_unweighted[[g]]$promoters_ci_high <- ci[2]
}
nps_weighted <- nps_ref(TRUE)
# weighted point estimate cross-checked with the survey package
des <- svydesign(ids = ~1, weights = ~weight, data = d)
nps_weighted$all$nps_svymean <- 100 * unname(coef(svymean(~r, des)))

# Published example (jdmaturen's NPS gist, 2014): 250 promoters and 75 detractors of 1000
pub <- c(rep(1, 250), rep(0, 675), rep(-1, 75))
nps_published <- nps_block(pub, rep(1, length(pub)))
nps_published$promoters_ci_low <- prop.test(250, 1000, correct = FALSE)$conf.int[1]
nps_published$promoters_ci_high <- prop.test(250, 1000, correct = FALSE)$conf.int[2]

# ---- metric --------------------------------------------------------------------------------
g <- read.csv("tests/reference/gap_fixture.csv", colClasses = "character", check.names = FALSE)
x <- trimws(g$sa_1); x[x %in% c("", "Don't know", "99")] <- NA; x <- as.numeric(x)
cust <- tolower(g$role) == "customer"
metric_block <- function(x) {
  x <- x[!is.na(x)]
  tt <- t.test(x)
  box <- function(k) prop.test(k, length(x), correct = FALSE)$conf.int
  list(n = length(x), mean = mean(x), mean_ci_low = tt$conf.int[1], mean_ci_high = tt$conf.int[2],
       sd = sd(x),
       top_box = mean(x == 5), top_box_ci_low = box(sum(x == 5))[1], top_box_ci_high = box(sum(x == 5))[2],
       top2_box = mean(x >= 4), top2_box_ci_low = box(sum(x >= 4))[1], top2_box_ci_high = box(sum(x >= 4))[2],
       bottom_box = mean(x == 1), bottom_box_ci_low = box(sum(x == 1))[1], bottom_box_ci_high = box(sum(x == 1))[2])
}
metric_ref <- list(all = metric_block(x), customer = metric_block(x[cust]))

# ---- drivers -------------------------------------------------------------------------------
k <- read.csv("tests/reference/drivers_fixture.csv", colClasses = "character")
drv <- c("fix_first_time", "speed", "knowledge", "friendly", "billing", "website")
for (v in c(drv, "ltr", "weight")) k[[v]] <- as.numeric(ifelse(trimws(k[[v]]) == "", NA, k[[v]]))
k <- k[complete.cases(k[, c(drv, "ltr")]), ]

# Johnson (2000) relative weights, base R: eigen-decomposition of the predictors' correlations
johnson <- function(R) {
  rxx <- R[drv, drv]; rxy <- R[drv, "ltr"]
  e <- eigen(rxx, symmetric = TRUE)
  lam_half <- e$vectors %*% diag(sqrt(e$values)) %*% t(e$vectors)
  beta <- solve(lam_half, rxy)
  setNames(as.vector(lam_half^2 %*% beta^2), drv)
}
# LMG: explicit enumeration of all 2^6 subset regressions with lm(), Shapley weights
lmg_enum <- function(w) {
  p <- length(drv)
  r2 <- list()
  for (m in 0:(2^p - 1)) {
    s <- drv[bitwAnd(m, 2^(0:(p - 1))) > 0]
    f <- if (length(s)) as.formula(paste("ltr ~", paste(s, collapse = "+"))) else ltr ~ 1
    r2[[as.character(m)]] <- if (length(s)) summary(lm(f, data = k, weights = w))$r.squared else 0
  }
  out <- setNames(numeric(p), drv)
  for (j in 1:p) {
    for (m in 0:(2^p - 1)) {
      if (bitwAnd(m, 2^(j - 1)) > 0) next
      s <- sum(bitwAnd(m, 2^(0:(p - 1))) > 0)
      wt <- factorial(s) * factorial(p - s - 1) / factorial(p)
      out[j] <- out[j] + wt * (r2[[as.character(m + 2^(j - 1))]] - r2[[as.character(m)]])
    }
  }
  list(lmg = out, r2 = r2[[as.character(2^p - 1)]])
}
wcor <- function(w) cov.wt(k[, c(drv, "ltr")], wt = w, cor = TRUE)$cor

drivers_ref <- list()
for (weighted in c(FALSE, TRUE)) {
  w <- if (weighted) k$weight else rep(1, nrow(k))
  R <- wcor(w)
  l <- lmg_enum(w)
  rw <- johnson(R)
  blk <- list(n = nrow(k), r2 = l$r2, lmg = as.list(l$lmg), relative_weight = as.list(rw),
              relative_weight_sum = sum(rw), r = as.list(R[drv, "ltr"]))
  if (!weighted) {
    blk$r_ci_low <- as.list(sapply(drv, function(v) cor.test(k[[v]], k$ltr)$conf.int[1]))
    blk$r_ci_high <- as.list(sapply(drv, function(v) cor.test(k[[v]], k$ltr)$conf.int[2]))
  }
  drivers_ref[[if (weighted) "weighted" else "unweighted"]] <- blk
}

out <- list(
  source = "tests/reference/metrics_reference.R",
  r_version = R.version.string,
  survey_version = as.character(packageVersion("survey")),
  nps = list(unweighted = nps_unweighted, weighted = nps_weighted, published = nps_published),
  metric = metric_ref,
  drivers = drivers_ref
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/reference/metrics_reference.json")
