# Reference values for tmslab.evidence.meta, computed with R's metafor.
#
# Run from the repository root (needs R with metafor and jsonlite, e.g. Debian's
# r-base-core + r-cran-metafor; the tests themselves never need R):
#
#     Rscript tests/evidence/meta/reference/make_reference.R
#
# It exports metafor's bundled data sets to tests/evidence/meta/data/*.csv (metafor's escalc argument
# names as column names), reads them back, and writes one JSON file per data set and outcome
# measure to tests/evidence/meta/reference/*.json.
#
# Two sets of fits are stored for every estimator:
#   "fits":     metafor with tight convergence controls, so that it returns the exact root or
#               optimum: Fisher scoring threshold 1e-10 * max(1, tau^2) (ML, REML), uniroot
#               tol 1e-12 (Paule-Mandel tau^2 and the Q-profile confidence interval). tmslab
#               solves to the same precision, so these are compared to 1e-6 (in practice ~1e-9).
#   "defaults": metafor with its default controls (threshold 1e-5, uniroot tol
#               .Machine$double.eps^0.25 = 1.2e-4), which stop up to a few 1e-5 short of the
#               exact solution; compared with a tolerance of that size, and used to show that
#               tmslab's Fisher scoring run with metafor's threshold retraces metafor's iterations.

suppressMessages({
  library(metafor)
  library(jsonlite)
})

data_dir <- file.path("tests", "evidence", "meta", "data")
ref_dir <- file.path("tests", "evidence", "meta", "reference")
dir.create(data_dir, showWarnings = FALSE, recursive = TRUE)
dir.create(ref_dir, showWarnings = FALSE, recursive = TRUE)

# ---- data sets, exported with metafor's argument names -------------------------------------

bcg <- with(dat.bcg, data.frame(
  study = paste(author, year), ai = tpos, bi = tneg, ci = cpos, di = cneg,
  ablat = ablat, year = year, alloc = alloc, stringsAsFactors = FALSE))
normand <- with(dat.normand1999, data.frame(
  study = source, m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i,
  stringsAsFactors = FALSE))
hackshaw <- with(dat.hackshaw1998, data.frame(
  study = paste(author, year), yi = yi, vi = vi, stringsAsFactors = FALSE))
nielweise <- with(dat.nielweise2007, data.frame(
  study = paste(author, year), ai = ai, n1i = n1i, ci = ci, n2i = n2i,
  stringsAsFactors = FALSE))
bangert <- with(dat.bangertdrowns2004, data.frame(
  study = paste(author, year), yi = yi, vi = vi, stringsAsFactors = FALSE))

write_set <- function(df, name) {
  path <- file.path(data_dir, paste0(name, ".csv"))
  write.csv(df, path, row.names = FALSE)
  read.csv(path, stringsAsFactors = FALSE)  # the tests read exactly this file
}
bcg <- write_set(bcg, "bcg")
normand <- write_set(normand, "normand1999")
hackshaw <- write_set(hackshaw, "hackshaw1998")
nielweise <- write_set(nielweise, "nielweise2007")
bangert <- write_set(bangert, "bangertdrowns2004")

# ---- helpers --------------------------------------------------------------------------------

methods <- c("FE", "DL", "REML", "PM", "ML")
tests <- c(z = "z", knha = "knha")

tight_control <- function(yi, vi, method, mods = NULL) {
  # scale Fisher scoring's absolute threshold with tau^2 (as tmslab does)
  t0 <- if (is.null(mods)) rma(yi, vi, method = method)$tau2 else
    rma(yi, vi, mods = mods, method = method)$tau2
  list(threshold = 1e-10 * max(1, t0), tol = 1e-12, maxiter = 1000)
}

fit_record <- function(fit, ci_tol = NULL) {
  out <- list(
    k = fit$k, p = fit$p, method = fit$method, test = fit$test,
    coef_names = rownames(fit$beta),
    beta = as.vector(fit$beta), se = as.vector(fit$se), zval = as.vector(fit$zval),
    pval = as.vector(fit$pval), ci_lb = as.vector(fit$ci.lb), ci_ub = as.vector(fit$ci.ub),
    tau2 = fit$tau2, se_tau2 = fit$se.tau2, I2 = fit$I2, H2 = fit$H2,
    QE = fit$QE, QEp = fit$QEp, QM = fit$QM, QMp = fit$QMp, QMdf = fit$QMdf,
    ddf = fit$ddf, vt = fit$vt)
  if (!is.null(fit$R2)) out$R2 <- fit$R2
  if (fit$int.only) {
    pr <- predict(fit)
    out$pred <- pr$pred
    out$pred_se <- pr$se
    out$pi_lb <- pr$pi.lb
    out$pi_ub <- pr$pi.ub
  }
  if (fit$method != "FE") {
    ci <- if (is.null(ci_tol)) confint(fit) else confint(fit, control = list(tol = ci_tol))
    out$tau2_ci <- unname(ci$random["tau^2", c("ci.lb", "ci.ub")])
    out$I2_ci <- unname(ci$random["I^2(%)", c("ci.lb", "ci.ub")])
    out$H2_ci <- unname(ci$random["H^2", c("ci.lb", "ci.ub")])
    # confint's search interval is [0, max(100, 10 tau^2)]; a bound equal to its end is censored
    out$tau2_ci_search_max <- max(100, 10 * fit$tau2)
  }
  out
}

loo_record <- function(fit) {
  l <- leave1out(fit)
  list(estimate = l$estimate, se = l$se, ci_lb = l$ci.lb, ci_ub = l$ci.ub, pval = l$pval,
       Q = l$Q, Qp = l$Qp, tau2 = l$tau2, I2 = l$I2, H2 = l$H2)
}

egger_record <- function(fit) {
  r <- regtest(fit)  # metafor's default: model = "rma", predictor = "sei"
  list(zval = r$zval, pval = r$pval, ddf = r$ddf, limit_estimate = unname(r$est),
       limit_ci_lb = unname(r$ci.lb), limit_ci_ub = unname(r$ci.ub),
       slope = unname(coef(r$fit)[2]), slope_se = r$fit$se[2], tau2 = r$fit$tau2)
}

trimfill_record <- function(fit, control) {
  t <- trimfill(fit, control = control)
  list(k0 = t$k0, se_k0 = t$se.k0, side = t$side, k = t$k, beta = as.vector(t$beta),
       se = as.vector(t$se), ci_lb = t$ci.lb, ci_ub = t$ci.ub, pval = t$pval, tau2 = t$tau2,
       I2 = t$I2, QE = t$QE, yi = as.vector(t$yi), vi = as.vector(t$vi), fill = t$fill)
}

analyse <- function(name, data_file, measure, es, slab, extra = list(), mods = list()) {
  yi <- as.vector(es$yi)
  vi <- as.vector(es$vi)
  fits <- list(); defaults <- list(); loo <- list(); egger <- list(); tf <- list()
  for (m in methods) {
    ctl <- tight_control(yi, vi, m)
    for (tn in names(tests)) {
      key <- paste0(m, if (tn == "z") "" else "_knha")
      fit <- rma(yi, vi, method = m, test = tests[[tn]], control = ctl, slab = slab)
      fits[[key]] <- fit_record(fit, ci_tol = 1e-12)
      loo[[key]] <- loo_record(fit)
      egger[[key]] <- egger_record(fit)
      dfit <- rma(yi, vi, method = m, test = tests[[tn]], slab = slab)
      defaults[[key]] <- fit_record(dfit)
    }
    tf[[m]] <- trimfill_record(rma(yi, vi, method = m, control = ctl, slab = slab), ctl)
  }
  mod_fits <- list()
  for (mname in names(mods)) {
    for (m in methods) {
      ctl <- tight_control(yi, vi, m, mods = mods[[mname]]$formula)
      for (tn in names(tests)) {
        key <- paste0(mname, ":", m, if (tn == "z") "" else "_knha")
        fit <- rma(yi, vi, mods = mods[[mname]]$formula, method = m, test = tests[[tn]],
                   control = ctl)
        rec <- fit_record(fit, ci_tol = 1e-12)
        rec$mods <- mods[[mname]]$columns
        mod_fits[[key]] <- rec
      }
    }
  }
  out <- c(list(
    source = "R metafor escalc/rma.uni/confint/predict/leave1out/regtest/trimfill",
    metafor_version = as.character(packageVersion("metafor")),
    r_version = R.version.string,
    data = data_file, measure = measure, study = slab, yi = yi, vi = vi,
    fits = fits, defaults = defaults, leave1out = loo, egger = egger, trimfill = tf,
    meta_regression = mod_fits), extra)
  path <- file.path(ref_dir, paste0(name, ".json"))
  writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), path)
  cat("wrote", path, "\n")
}

# ---- the analyses ---------------------------------------------------------------------------

bcg_mods <- list(
  ablat = list(formula = ~ ablat, columns = c("ablat")),
  ablat_year = list(formula = ~ ablat + year, columns = c("ablat", "year")),
  alloc = list(formula = ~ factor(alloc), columns = c("alloc")))

es <- escalc(measure = "RR", ai = ai, bi = bi, ci = ci, di = di, data = bcg)
# mods formulas are evaluated in bcg (same row order as es)
attach(bcg)
analyse("bcg_rr", "bcg.csv", "RR", es, bcg$study, mods = bcg_mods)
es <- escalc(measure = "OR", ai = ai, bi = bi, ci = ci, di = di, data = bcg)
analyse("bcg_or", "bcg.csv", "OR", es, bcg$study, mods = bcg_mods)
detach(bcg)

es <- escalc(measure = "SMD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i,
             n2i = n2i, data = normand)
analyse("normand1999_smd", "normand1999.csv", "SMD", es, normand$study)

es <- escalc(measure = "MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i,
             n2i = n2i, data = normand)
analyse("normand1999_md", "normand1999.csv", "MD", es, normand$study)

# Hedges' g with RevMan 5's approximations (Deeks & Higgins 2010, "Statistical algorithms in
# Review Manager 5"): g = d (1 - 3 / (4N - 9)), SE(g)^2 = N / (n1 n2) + g^2 / (2 (N - 3.94)).
# metafor has no such option; written out here as an independent computation in R.
revman <- with(normand, {
  N <- n1i + n2i
  s <- sqrt(((n1i - 1) * sd1i^2 + (n2i - 1) * sd2i^2) / (N - 2))
  g <- (m1i - m2i) / s * (1 - 3 / (4 * N - 9))
  data.frame(yi = g, vi = N / (n1i * n2i) + g^2 / (2 * (N - 3.94)))
})
analyse("normand1999_smd_revman", "normand1999.csv", "SMD-revman", revman, normand$study)

analyse("hackshaw1998_gen", "hackshaw1998.csv", "GEN", hackshaw, hackshaw$study)
analyse("bangertdrowns2004_gen", "bangertdrowns2004.csv", "GEN", bangert, bangert$study)

es <- escalc(measure = "OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = nielweise)
analyse("nielweise2007_or", "nielweise2007.csv", "OR", es, nielweise$study)
es <- escalc(measure = "RR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = nielweise)
analyse("nielweise2007_rr", "nielweise2007.csv", "RR", es, nielweise$study)
