"""Rank the obstacles to CX success, with uncertainty, and what changed between waves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import plackett_luce as pl
from . import stats
from .blas import one_thread
from .bootstrap import ProgressFn, competition_ranks, overlap_tiers, pattern_bootstrap
from .errors import (
    MAX_BY_GROUPS,
    InputError,
    UsageError,
    as_ints,
    as_names,
    check_arg,
    check_by_groups,
    check_confidence,
    check_seed,
    check_small_base,
)
from .obstacle_config import ObstacleConfig
from .rankings import Rankings, parse_rankings, select_columns
from .read import RawTable
from .result import Result, ViewColumn, ci_text, make_provenance

DEFAULT_SEED = 2012
#: Largest (distinct choice sets) x (obstacles)^2 the bootstrap refits handle in memory.
MAX_PL_CELLS = 50_000_000

METHODS = {
    "share_ci": "Wilson score interval (Wilson 1927) = R prop.test(correct=FALSE)$conf.int",
    "change_ci": "Newcombe hybrid score interval for a difference of proportions "
    "(Newcombe 1998, method 10; statsmodels method='newcomb')",
    "change_p": "two-proportion z-test with pooled variance (= R prop.test(correct=FALSE))",
    "p_adj": "Holm step-down across the obstacles of one wave pair and top level (Holm 1979)",
    "borda": "mean Borda points per respondent: rank r scores d - r + 1, unranked 0, "
    "d = the deepest rank given",
    "pl_worth": "Plackett-Luce worth (Plackett 1975), top-k answers as k successive choices "
    "from the remaining obstacles; normalised to sum to 1 over the obstacles asked",
    "bootstrap": "respondents resampled as multinomial counts of distinct answer patterns; "
    "percentile intervals; each replicate refitted by Newton's method",
    "tier": "obstacles whose rank intervals overlap (directly or through others) share a tier",
}


def _natural(values: Sequence[str]) -> list[str]:
    try:
        return sorted(values, key=lambda v: (float(v), v))
    except ValueError:
        return sorted(values)


def _levels(top: Sequence[int] | None, rk: Rankings) -> list[int]:
    if not rk.ranked:
        if top:
            raise UsageError(
                f"--top needs ranked answers, but the {rk.layout} answers in "
                f"{', '.join(rk.columns[:3])} are picks without an order; drop --top"
            )
        return []
    depth = rk.depth
    levels = sorted(set(top)) if top else sorted({1, 2, depth} & set(range(1, depth + 1)))
    bad = [j for j in levels if j < 1 or j > depth]
    if bad:
        raise UsageError(
            f"--top {bad[0]}: no respondent ranked more than {depth} obstacles; choose "
            f"levels from 1 to {depth}, e.g. --top {','.join(map(str, sorted({1, 2, depth})))}"
        )
    return levels


def _rank_counts(patterns, counts, m: int, k: int) -> np.ndarray:
    """``out[i, r - 1]`` = respondents who gave obstacle ``i`` rank ``r``."""
    out = np.zeros((m, max(k, 1)))
    for pattern, c in zip(patterns, counts, strict=True):
        for r, i in enumerate(pattern):
            out[i, r] += c
    return out


def _group_stats(answers, rk, asked, levels, n_boot, rng, confidence, progress):
    """Every per-obstacle statistic of one group; dict of column -> (m,) arrays."""
    m = len(rk.obstacles)
    n = len(answers)
    tally = Counter(answers)
    patterns = sorted(tally)
    counts = np.array([tally[p] for p in patterns], dtype=float)
    kk = max(rk.depth, 1)
    rc = _rank_counts(patterns, counts, m, kk)
    named = rc.sum(axis=1)
    out: dict[str, np.ndarray] = {"n_named": named}
    nn = np.full(m, float(n))
    shares = {"named": named}
    for j in levels:
        shares[f"top{j}"] = rc[:, :j].sum(axis=1)
    for name, k_ in shares.items():
        lo, hi = stats.wilson_interval(k_, nn, confidence)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"share_{name}"] = np.where(n > 0, k_ / nn, np.nan)
        out[f"share_{name}_ci_low"], out[f"share_{name}_ci_high"] = lo, hi
    points = np.arange(kk, 0, -1, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        if rk.ranked:
            out["mean_rank"] = np.where(named > 0, rc @ np.arange(1, kk + 1) / named, np.nan)
            out["borda"] = np.where(n > 0, rc @ points / n, np.nan)
        else:
            out["mean_rank"] = out["borda"] = np.full(m, np.nan)
    for c in ("pl_worth", "pl_worth_ci_low", "pl_worth_ci_high"):
        out[c] = np.full(m, np.nan)
    for c in ("rank", "rank_ci_low", "rank_ci_high", "tier"):
        out[c] = np.full(m, np.nan)
    idx = np.flatnonzero(asked)
    if n == 0 or idx.size == 0:
        return out, None
    local = {g: i for i, g in enumerate(idx)}
    tail = (1 - confidence) / 2
    method = None
    if rk.ranked:
        lp = [tuple(local[g] for g in p) for p in patterns]
        cs = pl.choice_statistics(lp, idx.size)
        if len(cs.sets) * idx.size**2 > MAX_PL_CELLS:
            # e.g. full rankings of 20+ obstacles: nearly every choice set is distinct
            return out, f"skipped: {len(cs.sets):,} distinct choice sets"
        theta, method = pl.point_estimate(lp, counts, idx.size, cs)
        estimate = pl.worths(theta)[0]
        out["pl_worth"][idx] = estimate

        from scipy.sparse import csr_matrix

        # each pattern wins and chooses from at most k sets: sparse products stay O(B * P * k)
        wins_t, sets_t = csr_matrix(cs.wins.T), csr_matrix(cs.set_counts.T)

        def statistic(draws: np.ndarray) -> np.ndarray:
            a, n_sets = (wins_t @ draws.T).T, (sets_t @ draws.T).T
            return pl.worths(pl.fit(a, n_sets, cs.sets, theta0=theta))
    else:
        estimate = named[idx] / n
        picks = np.zeros((len(patterns), idx.size))
        for p, pattern in enumerate(patterns):
            picks[p, [local[g] for g in pattern]] = 1.0

        def statistic(draws: np.ndarray) -> np.ndarray:
            return draws @ picks / n

    out["rank"][idx] = competition_ranks(estimate)[0]
    if n_boot > 0:
        boot = pattern_bootstrap(counts, statistic, n_boot, rng, progress)
        if rk.ranked:
            out["pl_worth_ci_low"][idx] = np.quantile(boot, tail, axis=0)
            out["pl_worth_ci_high"][idx] = np.quantile(boot, 1 - tail, axis=0)
        branks = competition_ranks(boot)
        low = np.quantile(branks, tail, axis=0, method="inverted_cdf")
        high = np.quantile(branks, 1 - tail, axis=0, method="inverted_cdf")
        out["rank_ci_low"][idx], out["rank_ci_high"][idx] = low, high
        out["tier"][idx] = overlap_tiers(out["rank"][idx], low, high)
    return out, method


def _changes(prev, cur, levels, confidence):
    """Change in each share from ``prev`` to ``cur`` (dicts from :func:`_group_stats`)."""
    out = {}
    both = prev["asked"] & cur["asked"]
    n1 = np.where(both, cur["n_respondents"], np.nan)
    n0 = np.where(both, prev["n_respondents"], np.nan)
    for name in ["named", *[f"top{j}" for j in levels]]:
        k1 = cur[f"share_{name}"] * cur["n_respondents"]
        k0 = prev[f"share_{name}"] * prev["n_respondents"]
        d, lo, hi = stats.newcombe_diff_interval(k1, n1, k0, n0, confidence)
        p = stats.pooled_z_test(k1, n1, k0, n0)
        out[f"change_{name}"] = d
        out[f"change_{name}_ci_low"], out[f"change_{name}_ci_high"] = lo, hi
        out[f"change_{name}_p_value"] = p
        out[f"change_{name}_p_adj"] = stats.holm(p)
    return out


def columns_for(levels: Sequence[int]) -> list[str]:
    """The result columns after the group column, in order."""
    names = ["named", *[f"top{j}" for j in levels]]
    cols = ["obstacle", "status", "n_respondents", "n_named"]
    for s in names:
        cols += [f"share_{s}", f"share_{s}_ci_low", f"share_{s}_ci_high"]
    cols += ["mean_rank", "borda", "pl_worth", "pl_worth_ci_low", "pl_worth_ci_high"]
    cols += ["rank", "rank_ci_low", "rank_ci_high", "tier"]
    for s in names:
        cols += [f"change_{s}", f"change_{s}_ci_low", f"change_{s}_ci_high"]
        cols += [f"change_{s}_p_value", f"change_{s}_p_adj"]
    return cols


def _one_column(by: str | Sequence[str] | None) -> str | None:
    """``by`` names one column; a one-element list of it is accepted too."""
    if by is None or isinstance(by, str):
        return by
    names = as_names(by, "by")
    if len(names) != 1:
        raise UsageError(
            f"obstacles() groups by one column, e.g. by='wave', not {len(names)}: {list(names)}"
        )
    return names[0]


@one_thread
def obstacles(
    raw: RawTable,
    *,
    columns: str | Sequence[str] = (),
    layout: str | None = None,
    ranks: int | None = None,
    separator: str | None = None,
    by: str | Sequence[str] | None = None,
    top: int | Sequence[int] | None = None,
    bootstrap: int = 2000,
    seed: int | None = DEFAULT_SEED,
    confidence: float = 0.95,
    strict: bool = False,
    config: ObstacleConfig | None = None,
    config_info: dict[str, str] | None = None,
    small_base: int = 30,
    progress: ProgressFn | None = None,
    max_groups: int = MAX_BY_GROUPS,
) -> Result:
    """Rank obstacles by how often they are named, their Plackett-Luce worth, and change.

    Parameters
    ----------
    raw : RawTable
        From :func:`cxkit.read.read_table`.
    columns : str or sequence of str
        Answer columns (names or globs; one string is one name or glob); default the
        config's, else every column whose name contains ``obstacle``.
    layout : str, optional
        ``rank-columns``, ``rank-numbers`` or ``multi-select``; default detected.
    ranks : int, optional
        Ranks asked (k); default the config's, else the number of rank columns/obstacles.
    separator : str, optional
        Separator of picks joined in one cell; default sniffed (``;``, ``|``, ``,``).
    by : str, optional
        Group column (e.g. the wave; a one-element list of it is accepted); changes are
        between consecutive groups, in numeric order when every value is a number, else
        alphabetical.
    top : int or sequence of int, optional
        Top levels ``j`` for the ``share_top{j}`` columns; default 1, 2 and k.
    bootstrap : int
        Bootstrap resamples for the worth and rank intervals (0 = none).
    seed : int, optional
        Seed of ``numpy.random.default_rng``; default :data:`DEFAULT_SEED`.
    strict : bool
        An invalid answer raises :class:`InputError` instead of being excluded and counted.
    progress : callable, optional
        Called as ``progress(done_now, total)`` after each bootstrap chunk.
    max_groups : int
        Most distinct values the ``by`` column may have; more is a
        :class:`~cxkit.errors.UsageError` (the command line's ``--max-groups``).

    Returns
    -------
    Result
        ``table`` has the ``by`` column (when given), then one row per obstacle and group:

        - ``obstacle``; ``status``: ``asked`` or ``not asked`` (not offered in that group:
          every statistic is NaN, never zero);
        - ``n_respondents``: valid answers in the group; ``n_named``: respondents naming it;
        - ``share_named`` and ``share_top{j}`` (named at rank <= j) with Wilson
          ``_ci_low``/``_ci_high``; ``share_top{j}`` is NaN for unranked picks;
        - ``mean_rank`` among those who ranked it; ``borda``: mean Borda points;
        - ``pl_worth`` (Plackett-Luce, sums to 1 over the obstacles asked) with bootstrap
          percentile ``pl_worth_ci_low``/``_high`` (NaN for unranked picks);
        - ``rank`` (1 = highest worth; by share named for unranked picks), bootstrap
          ``rank_ci_low``/``rank_ci_high`` and ``tier`` (overlapping rank intervals share a
          tier: statistically tied);
        - for each share: ``change_{s}`` (this group minus the previous one, as a proportion)
          with Newcombe ``_ci_low``/``_ci_high``, ``_p_value`` (pooled z-test) and
          ``_p_adj`` (Holm across obstacles); NaN in the first group.

    Notes
    -----
    Shares and changes are checked against R (``prop.test``, Newcombe by formula) in
    ``tests/test_obstacles_reference.py``; the worths against choix and the log-likelihood
    gradient in ``tests/test_plackett_luce.py``.

    References
    ----------
    Wilson (1927) JASA 22:209; Newcombe (1998) Stat Med 17:873; Holm (1979) Scand J Stat
    6:65; Plackett (1975) Appl Stat 24:193; Hunter (2004) Ann Stat 32:384; Efron &
    Tibshirani (1993) An Introduction to the Bootstrap.
    """
    check_arg(raw, RawTable, "obstacles() takes a table from cxkit.read_table(...)")
    columns = as_names(columns, "columns")
    by = _one_column(by)
    top = None if top is None else as_ints(top, "top")
    seed = DEFAULT_SEED if seed is None else seed
    check_seed(seed)
    check_small_base(small_base)
    check_confidence(confidence)
    if bootstrap < 0:
        raise UsageError(f"--bootstrap must be 0 or more, not {bootstrap}")
    if ranks is not None and ranks < 1:
        raise UsageError(f"--ranks must be 1 or more, not {ranks}")
    config = config or ObstacleConfig()
    file = raw.source.path
    names = raw.table.column_names
    if by is not None and by not in names:
        raise InputError(
            f"{file}: no column {by!r} for --by (columns: {', '.join(names[:12])}); check the name"
        )
    meta = getattr(raw, "meta", None)
    question_text = (
        {c: " - ".join(t for t in (meta.questions.get(c), meta.labels.get(c)) if t) for c in names}
        if meta is not None and (meta.labels or meta.questions)
        else {}
    )
    # the reader took a platform's header rows off already: use the question text it kept
    first = question_text or (raw.table.slice(0, 1).to_pylist()[0] if raw.table.num_rows else {})
    option = "--columns" if columns else "obstacles.columns"
    chosen = select_columns(names, columns or config.columns, file, first, option)
    cols = [c for c in chosen if c != by]
    data = {c: raw.table.column(c).to_pylist() for c in cols}
    header_lines = {"qualtrics": 3, "qualtrics-legacy": 2, "surveymonkey": 2}
    rk = parse_rankings(
        data,
        cols,
        file=file,
        layout=layout,
        ranks=ranks,
        separator=separator,
        config=config,
        strict=strict,
        labels=dict(meta.labels) if meta is not None else None,
        first_line=1 + header_lines.get(meta.platform if meta is not None else "", 1),
    )
    if not rk.answers:
        why = ", ".join(f"{v} {k}" for k, v in sorted(rk.excluded.items()))
        raise InputError(
            f"{file}: no valid obstacle answers in {', '.join(cols[:4])} ({why or 'no rows'}); "
            "check --columns and --layout"
        )
    levels = _levels(top, rk)
    notes = list(raw.notes) + rk.notes
    for reason, count in sorted(rk.excluded.items()):
        notes.append(f"excluded {count} rows: {reason}")
    group_all = (
        [
            None if v is None or str(v).strip() == "" else str(v).strip()
            for v in raw.table.column(by).to_pylist()
        ]
        if by is not None
        else ["(all)"] * raw.table.num_rows
    )
    kept = [g for g in (group_all[r] for r in rk.rows)]
    n_blank = sum(g is None for g in kept)
    if n_blank:
        notes.append(f"excluded {n_blank} rows with no value in {by!r}")
    groups = _natural(sorted({g for g in kept if g is not None}))
    if by is not None:
        check_by_groups(by, len(groups), max_groups)
    offered = _offered(rk, config, groups, notes)
    m = len(rk.obstacles)
    rng = np.random.default_rng(seed)
    per_group = []
    methods_used = set()
    total = bootstrap * len(groups)
    tick = None if progress is None else (lambda done, _n: progress(done, total))
    for g in groups:
        answers = [a for a, gg in zip(rk.answers, kept, strict=True) if gg == g]
        asked = _asked(rk, g, group_all, answers, offered)
        st, method = _group_stats(answers, rk, asked, levels, bootstrap, rng, confidence, tick)
        if method and method.startswith("skipped"):
            where = f"in {g}, " if by else ""
            notes.append(
                f"Plackett-Luce worths and ranks not computed {where}({method[9:]}, too many "
                "to refit in memory); the shares, mean ranks and Borda scores are unaffected"
            )
            method = None
        if method:
            methods_used.add(method)
        if method and method.startswith("ridge"):
            where = f"in {g}, " if by else ""
            notes.append(
                f"Plackett-Luce: {where}the answers do not connect every obstacle asked (one is "
                "never named, or never beaten), so no maximum-likelihood worth exists; shown is "
                f"the {method} (worth near 0 for an obstacle never named)"
            )
        st["asked"] = asked
        st["n_respondents"] = np.full(m, float(len(answers)))
        per_group.append(st)
    table = _assemble(groups, per_group, rk, levels, by, confidence)
    notes += _notes(table, rk, by, small_base, bootstrap, groups, per_group)
    methods = dict(METHODS)
    if not rk.ranked:
        for k in ("borda", "pl_worth"):
            methods.pop(k)
    else:
        methods["pl_point_estimate"] = "; ".join(sorted(methods_used))
    params = {
        "columns": cols,
        "layout": rk.layout,
        "ranks": rk.k,
        "deepest_rank": rk.depth,
        "by": by,
        "top": levels,
        "bootstrap": bootstrap,
        "confidence": confidence,
        "strict": strict,
        "small_base": small_base,
    }
    return Result(
        command="obstacles",
        table=table,
        summary=_summary(table, groups, levels, by, confidence, rk.ranked),
        notes=notes,
        provenance=make_provenance([raw.source], params, methods, seed, config_info),
        view=_view(by, levels, rk.ranked),
    )


def _offered(rk: Rankings, config: ObstacleConfig, groups, notes) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for wave, names in config.offered.items():
        idx = set()
        for name in names:
            i = rk.key_index(name)
            if i is None:
                rk.obstacles.append(name)
                i = len(rk.obstacles) - 1
                if rk.present is not None:
                    rk.present = np.hstack([rk.present, np.zeros((len(rk.present), 1), bool)])
            idx.add(i)
        if wave not in groups:
            notes.append(f"obstacles.offered names wave {wave!r}, which has no answers")
        out[wave] = idx
    return out


def _asked(rk, group, group_all, answers, offered) -> np.ndarray:
    m = len(rk.obstacles)
    asked = np.zeros(m, dtype=bool)
    for a in answers:
        asked[list(a)] = True
    if rk.present is not None:
        rows = np.array([g == group for g in group_all], dtype=bool)
        asked |= rk.present[rows].any(axis=0)
    for i in offered.get(group, ()):
        asked[i] = True
    return asked


def _assemble(groups, per_group, rk, levels, by, confidence) -> pd.DataFrame:
    cols = columns_for(levels)
    parts = []
    for gi, (g, st) in enumerate(zip(groups, per_group, strict=True)):
        if gi > 0:
            st.update(_changes(per_group[gi - 1], st, levels, confidence))
        asked = st["asked"]
        frame = pd.DataFrame({"obstacle": rk.obstacles})
        frame["status"] = np.where(asked, "asked", "not asked")
        for c in cols[2:]:
            values = st.get(c, np.full(len(rk.obstacles), np.nan))
            frame[c] = np.where(asked, np.asarray(values, dtype=float), np.nan)
        frame["_order"] = np.where(asked, frame["rank"].fillna(1e9), 2e9)
        frame = frame.sort_values(["_order", "obstacle"], kind="stable").drop(columns="_order")
        if by is not None:
            frame.insert(0, by, g)
        parts.append(frame)
    table = pd.concat(parts, ignore_index=True)
    return table


def _notes(table, rk, by, small_base, n_boot, groups, per_group) -> list[str]:
    notes = []
    where = f" in {by!r}" if by else ""
    for g, st in zip(groups, per_group, strict=True):
        n = int(st["n_respondents"][0]) if len(st["n_respondents"]) else 0
        if n < small_base:
            label = f"group {g}" if by else "the data"
            notes.append(
                f"{label} has {n} valid answers (< {small_base}): small base, wide intervals"
            )
        missing = [o for o, a in zip(rk.obstacles, st["asked"], strict=True) if not a]
        if missing and by:
            notes.append(
                f"not asked in {g}{where} (no answers; statistics left empty, not zero): "
                + ", ".join(missing)
            )
    if not rk.ranked:
        notes.append(
            "multi-select answers carry no order: ranks use the share naming each obstacle, "
            "and there are no top-j shares, mean ranks, Borda scores or worths"
        )
    if n_boot == 0:
        notes.append("--bootstrap 0: no intervals for worths and ranks, and no tiers")
    return notes


def _pct(x: float) -> str:
    return "n/a" if not np.isfinite(x) else f"{x * 100:.0f}%"


def _summary(table, groups, levels, by, confidence, ranked) -> dict[str, object]:
    last = groups[-1]
    rows = table[table[by] == last] if by else table
    rows = rows[rows["status"] == "asked"]
    top_row = rows.sort_values(["rank", "obstacle"]).iloc[0]
    shown = [j for j in levels if j > 1] or levels
    parts = [f"top-{j} for {_pct(top_row[f'share_top{j}'])}" for j in shown] or [
        f"named by {_pct(top_row['share_named'])}"
    ]
    when = f" {last}" if by else ""
    text = f"Top obstacle{when}: {top_row['obstacle']} ({', '.join(parts)})"
    summary: dict[str, object] = {"top_obstacle": top_row["obstacle"], "group": last}
    for name in ["named", *[f"top{j}" for j in levels]]:
        summary[f"top_obstacle_share_{name}"] = float(top_row[f"share_{name}"])
    if by and len(groups) > 1:
        level = 2 if 2 in levels else (shown[0] if shown else None)
        name = f"top{level}" if level else "named"
        ch = rows[rows[f"change_{name}"].notna()]
        if len(ch):
            big = ch.loc[ch[f"change_{name}"].abs().idxmax()]
            d, lo, hi = (big[f"change_{name}{s}"] * 100 for s in ("", "_ci_low", "_ci_high"))
            what = f"in the top {level}" if level else "of picks"
            sep = "–" if lo >= 0 else " to "
            ci = ci_text(lo, hi, "{:.1f}".format, f"{confidence * 100:g}%", sep)
            text += (
                f"; largest change since {groups[-2]}: {big['obstacle']} {d:+.1f} pp {what} ({ci})"
            )
            summary.update(
                largest_change_obstacle=big["obstacle"],
                largest_change=float(big[f"change_{name}"]),
                largest_change_ci_low=float(big[f"change_{name}_ci_low"]),
                largest_change_ci_high=float(big[f"change_{name}_ci_high"]),
            )
    summary["headline"] = text
    return summary


def _view(by, levels, ranked) -> list[ViewColumn]:
    view = [ViewColumn(by, (by,), "text")] if by else []
    view += [
        ViewColumn("Obstacle", ("obstacle",), "text"),
        ViewColumn("n", ("n_respondents",), "int"),
    ]
    for j in levels:
        view.append(
            ViewColumn(
                f"Top-{j} (CI)",
                (f"share_top{j}", f"share_top{j}_ci_low", f"share_top{j}_ci_high"),
                "pct",
            )
        )
    if not ranked:
        view.append(
            ViewColumn(
                "Named (CI)", ("share_named", "share_named_ci_low", "share_named_ci_high"), "pct"
            )
        )
    else:
        view.append(ViewColumn("Mean rank", ("mean_rank",), "num"))
        view.append(
            ViewColumn("PL worth (CI)", ("pl_worth", "pl_worth_ci_low", "pl_worth_ci_high"), "pct")
        )
    view += [
        ViewColumn("Rank (CI)", ("rank", "rank_ci_low", "rank_ci_high"), "int"),
        ViewColumn("Tier", ("tier",), "int"),
        ViewColumn("Status", ("status",), "text"),
    ]
    if by:
        name = f"top{2 if 2 in levels else (levels[-1] if levels else '')}" if levels else "named"
        view.append(
            ViewColumn(
                f"Change {name} pp (CI)",
                (f"change_{name}", f"change_{name}_ci_low", f"change_{name}_ci_high"),
                "pp",
            )
        )
        view.append(ViewColumn("p adj", (f"change_{name}_p_adj",), "p"))
    return view
