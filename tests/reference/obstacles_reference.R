# Reference values for tests/test_obstacles_reference.py, computed independently of cxkit in R.
# Run from the repository root:  Rscript tests/reference/obstacles_reference.R
# Writes tests/reference/obstacles_reference.json. Needs R with jsonlite
# (Debian: apt-get install r-base-core r-cran-jsonlite).
#
# The fixture is a frozen copy of examples/obstacles_ranked.csv. Definitions (as documented
# in cxkit.obstacles / cxkit.rankings):
#   labels: curly quotes straightened, spaces collapsed, case-folded; "Other ..." -> other
#   a row is excluded when blank, when an obstacle appears twice, or when a blank position
#   is followed by a filled one (a gap); waves compared: 2012 minus 2011
#   share_topj = respondents ranking the obstacle at 1..j / valid respondents in the wave
#   shares: Wilson interval = prop.test(x, n, correct = FALSE)$conf.int
#   change: Newcombe (1998) method 10 from those Wilson limits; p = prop.test(correct=FALSE)
#   p_adj: p.adjust(method = "holm") across the obstacles asked in both waves
suppressMessages(library(jsonlite))

d <- read.csv("tests/reference/obstacles_fixture.csv", colClasses = "character",
              check.names = FALSE, encoding = "UTF-8")
pos <- paste0("obstacle_", 1:5)
norm <- function(x) {
  x <- gsub("\u2019|\u2018", "'", x)
  x <- gsub("\u201c|\u201d", '"', x)
  x <- tolower(gsub("\\s+", " ", trimws(x)))
  x[grepl("^other($|\\s*[(:,/-])", x)] <- "other"
  x
}
m <- as.matrix(d[, pos])
m[is.na(m)] <- ""
m[] <- ifelse(trimws(m) == "", "", norm(m))
filled <- m != ""
blank <- rowSums(filled) == 0
twice <- apply(m, 1, function(r) anyDuplicated(r[r != ""]) > 0)
gap <- apply(filled, 1, function(f) any(!f[-length(f)] & f[-1]))
ok <- !blank & !twice & !gap
d <- d[ok, ]
m <- m[ok, , drop = FALSE]
obstacles <- sort(unique(m[m != ""]))

z <- qnorm(0.975)
wilson <- function(k, n) as.numeric(suppressWarnings(prop.test(k, n, correct = FALSE))$conf.int)
stats_for <- function(w) {
  mw <- m[d$wave == w, , drop = FALSE]
  n <- nrow(mw)
  out <- list()
  for (o in obstacles) {
    r <- apply(mw == o, 1, function(hit) if (any(hit)) which(hit) else NA)
    if (all(is.na(r))) next
    row <- list(n = n, n_named = sum(!is.na(r)), mean_rank = mean(r, na.rm = TRUE),
                borda = sum(6 - r, na.rm = TRUE) / n)
    for (lvl in list(c("named", 5), c("top1", 1), c("top2", 2), c("top5", 5))) {
      k <- sum(!is.na(r) & r <= as.numeric(lvl[2]))
      ci <- wilson(k, n)
      row[[paste0("k_", lvl[1])]] <- k
      row[[paste0("share_", lvl[1])]] <- k / n
      row[[paste0("share_", lvl[1], "_ci_low")]] <- ci[1]
      row[[paste0("share_", lvl[1], "_ci_high")]] <- ci[2]
    }
    out[[o]] <- row
  }
  out
}
s11 <- stats_for("2011")
s12 <- stats_for("2012")
both <- intersect(names(s11), names(s12))
for (lvl in c("named", "top1", "top2", "top5")) {
  p <- c()
  for (o in both) {
    k1 <- s12[[o]][[paste0("k_", lvl)]]; n1 <- s12[[o]]$n
    k0 <- s11[[o]][[paste0("k_", lvl)]]; n0 <- s11[[o]]$n
    p1 <- k1 / n1; p0 <- k0 / n0
    w1 <- wilson(k1, n1); w0 <- wilson(k0, n0)
    dd <- p1 - p0
    s12[[o]][[paste0("change_", lvl)]] <- dd
    s12[[o]][[paste0("change_", lvl, "_ci_low")]] <- dd - sqrt((p1 - w1[1])^2 + (w0[2] - p0)^2)
    s12[[o]][[paste0("change_", lvl, "_ci_high")]] <- dd + sqrt((w1[2] - p1)^2 + (p0 - w0[1])^2)
    pv <- suppressWarnings(prop.test(c(k1, k0), c(n1, n0), correct = FALSE))$p.value
    s12[[o]][[paste0("change_", lvl, "_p_value")]] <- pv
    p <- c(p, pv)
  }
  adj <- p.adjust(p, method = "holm")
  for (i in seq_along(both)) s12[[both[i]]][[paste0("change_", lvl, "_p_adj")]] <- adj[i]
}
out <- list(
  excluded = list(blank = sum(blank), twice = sum(twice & !blank), gap = sum(gap & !twice & !blank)),
  waves = list("2011" = s11, "2012" = s12),
  r_version = R.version.string
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/reference/obstacles_reference.json")
