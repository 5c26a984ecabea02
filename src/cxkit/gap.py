"""Self-versus-customer centricity gap: per item, per pillar and overall."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import aggregate, stats
from .aggregate import Groups, Histograms, bincounts, cells, histograms_of, summarise
from .answers import respondent_mean
from .errors import (
    MAX_BY_GROUPS,
    InputError,
    UsageError,
    as_names,
    check_arg,
    check_confidence,
    check_small_base,
)
from .metrics import check_weighted_base, require_answers, role_codes
from .result import Result, ViewColumn, ci_text, make_provenance, ratio_text
from .survey import Survey
from .table import ColumnTable

ALL = "(all)"

#: Result columns after the ``--by`` columns, in order.
COLUMNS = [
    "level",
    "item",
    "pillar",
    "label",
    "n_self",
    "n_customer",
    "neff_self",
    "neff_customer",
    "mean_self",
    "mean_customer",
    "mean_gap",
    "mean_gap_ci_low",
    "mean_gap_ci_high",
    "mean_gap_p",
    "hedges_g",
    "agree_self",
    "agree_customer",
    "agree_gap",
    "agree_gap_ci_low",
    "agree_gap_ci_high",
    "agree_ratio",
    "agree_ratio_ci_low",
    "agree_ratio_ci_high",
    "agree_p",
    "p_adj",
]


#: the groups a gap compares, both needed unless ``gap(sides=...)`` says otherwise
SIDES = ("self", "customer")


def _role_sets(self_roles, customer_roles) -> tuple[set[str], set[str]]:
    self_set = {r.strip().casefold() for r in self_roles}
    cust_set = {r.strip().casefold() for r in customer_roles}
    both = self_set & cust_set
    if both:
        raise UsageError(f"role {sorted(both)[0]!r} is given as both --self and --customer")
    return self_set, cust_set


def _role_tally(survey: Survey, self_set: set[str], cust_set: set[str]):
    """Role codes per row (0 self, 1 customer, -1 neither) and the count of each role value
    (casefolded; ``None`` = blank). Only the distinct values are normalised in Python."""
    index, roles = role_codes(survey)
    # entry 0 is the blank (factorize's -1), entry i + 1 the i-th value: one addition
    # instead of a comparison, a mask and a select; the type holds it (codes stay below
    # its max)
    index = index + index.dtype.type(1)
    norm_u = np.array([None] + [v or None for v in roles], dtype=object)
    code_u = np.full(norm_u.size, -1, dtype=np.int8)
    code_u[np.isin(norm_u, list(self_set))] = 0
    code_u[np.isin(norm_u, list(cust_set))] = 1
    counts = bincounts(index, [None], norm_u.size)[0]
    tally: dict[str | None, int] = {}
    for i in [*range(1, norm_u.size), 0]:  # the values in order, then the blanks
        if counts[i]:
            tally[norm_u[i]] = tally.get(norm_u[i], 0) + int(counts[i])
    return code_u[index], tally


def _role_notes(
    tally, self_set, cust_set, col: str, file: str, drop_unknown: bool, sides=SIDES
) -> list[str]:
    """Notes on excluded responses; an error for unknown roles or a missing group of
    ``sides`` (a missing group of the others is a note)."""
    notes: list[str] = []
    seen = sorted(v for v in tally if v is not None)
    unknown = [v for v in seen if v not in self_set and v not in cust_set]
    if unknown and not drop_unknown:
        raise InputError(
            f"{file}: column {col!r} has role value(s) that are neither self "
            f"({', '.join(sorted(self_set))}) nor customer ({', '.join(sorted(cust_set))}): "
            f"{', '.join(map(repr, unknown[:10]))}; classify them with --self/--customer or "
            "exclude them with --drop-unknown-roles"
        )
    if unknown:
        n_unknown = sum(tally[v] for v in unknown)
        notes.append(
            f"excluded {n_unknown} responses whose role is neither self nor customer "
            f"({', '.join(unknown[:10])})"
        )
    if tally.get(None):
        notes.append(f"excluded {tally[None]} responses with no value in {col!r}")
    for name, group in (("self", self_set), ("customer", cust_set)):
        if not (group & set(seen)):
            shown = ", ".join(map(repr, seen[:10])) or "none"
            if name not in sides:
                notes.append(
                    f"no {name} responses: column {col!r} has none of "
                    f"{', '.join(sorted(group))}; the {name} columns and the gaps are empty"
                )
                continue
            raise InputError(
                f"{file}: no {name} responses: column {col!r} has none of "
                f"{', '.join(sorted(group))} (values seen: {shown}); pass --{name} VALUE"
            )
    return notes


def _role_codes(survey: Survey, self_roles, customer_roles, drop_unknown: bool, sides=SIDES):
    self_set, cust_set = _role_sets(self_roles, customer_roles)
    codes, tally = _role_tally(survey, self_set, cust_set)
    file = survey.sources[0].path if len(survey.sources) == 1 else "input"
    col = survey.role_col
    return codes, _role_notes(tally, self_set, cust_set, col, file, drop_unknown, sides)


def _variables(survey: Survey, items: list[str]):
    """(level, item, pillar, label, answers) for every item, pillar and the overall index."""
    column = {it: survey.coded(it) for it in items}
    out = []
    for it in items:
        out.append(("item", it, survey.pillar_of(it), survey.label_of(it), column[it]))
    pillars: dict[str, list[str]] = {}
    for it in items:
        p = survey.pillar_of(it)
        if p is not None:
            pillars.setdefault(p, []).append(it)
    order = [p for p in survey.study.pillars if p in pillars]
    for p in order:
        block = [column[it] for it in pillars[p]]
        out.append(("pillar", None, p, survey.study.pillars[p], respondent_mean(block)))
    overall = respondent_mean([column[it] for it in items])
    out.append(("overall", None, None, "Overall", overall))
    return out


def _rows_for(hists: Sequence[Histograms], agree_at, confidence):
    """Statistics for every variable in every cell: a dict of column -> ``(V, C)`` array.

    ``hists`` holds one :class:`Histograms` per variable, groups ``2 * cell + role``. The
    variables' summaries are laid end to end so each statistic is one vectorised call (the
    Welch interval alone cost 0.37 ms a call, whatever its length: 8 ms for 21 variables).
    """
    summaries = [summarise(h, agree_at) for h in hists]

    def by_role(name: str) -> tuple[np.ndarray, np.ndarray]:
        per_group = np.stack([getattr(s, name) for s in summaries])  # (V, 2C)
        return per_group[:, 0::2].ravel(), per_group[:, 1::2].ravel()

    n1, n2 = by_role("n")
    e1, e2 = by_role("neff")
    m1, m2 = by_role("mean")
    v1, v2 = by_role("var")
    a1, a2 = by_role("agree")
    k1, k2 = a1 * e1, a2 * e2
    d, lo, hi, p = stats.welch_diff(m1, v1, e1, m2, v2, e2, confidence)
    gd, glo, ghi = stats.newcombe_diff_interval(k1, e1, k2, e2, confidence)
    r, rlo, rhi = stats.katz_ratio_interval(k1, e1, k2, e2, confidence, all_agree_fix=True)
    values_by_col = {
        "n_self": n1,
        "n_customer": n2,
        "neff_self": e1,
        "neff_customer": e2,
        "mean_self": m1,
        "mean_customer": m2,
        "mean_gap": d,
        "mean_gap_ci_low": lo,
        "mean_gap_ci_high": hi,
        "mean_gap_p": p,
        "hedges_g": stats.hedges_g(m1, v1, e1, m2, v2, e2),
        "agree_self": a1,
        "agree_customer": a2,
        "agree_gap": gd,
        "agree_gap_ci_low": glo,
        "agree_gap_ci_high": ghi,
        "agree_ratio": r,
        "agree_ratio_ci_low": rlo,
        "agree_ratio_ci_high": rhi,
        "agree_p": stats.pooled_z_test(k1, e1, k2, e2),
    }
    shape = (len(hists), -1)
    return {c: np.asarray(values_by_col[c], dtype=float).reshape(shape) for c in COLUMNS[4:-1]}


def _histograms_for(variables, codes, cell, n_cells, weights) -> list[Histograms]:
    """One histogram per variable over the groups ``2 * cell + role`` (the merge point);
    ``cell`` None is one cell of every row, whose groups are the role codes themselves."""
    if cell is None:
        return histograms_of([v[4] for v in variables], Groups(codes, 2, weights))
    small = np.int8 if 2 * n_cells < 127 else np.int16 if 2 * n_cells < 2**15 else np.int64
    group = cell.astype(small)
    group *= 2
    group += codes
    group[codes < 0] = -1  # neither role: in no group
    return histograms_of([v[4] for v in variables], Groups(group, 2 * n_cells, weights))


def _collapse(h: Histograms) -> Histograms:
    """The self and customer groups summed over the cells (groups ``2 * cell + role``)."""

    def add(a: np.ndarray) -> np.ndarray:
        return a.reshape(-1, 2, a.shape[1]).sum(axis=0)

    return Histograms(h.values, add(h.count), add(h.wsum), add(h.w2sum))


def _assemble(variables, hists, by, labels, agree_at, confidence) -> ColumnTable:
    """The rows of every cell from the variables' histograms (``variables``: level, item,
    pillar, label first), cell by cell, the variables in order within each cell."""
    cols = _rows_for(hists, agree_at, confidence)
    n_var, n_cell = len(variables), len(labels)
    data: dict[str, object] = {
        b: [key[i] for key in labels for _ in range(n_var)] for i, b in enumerate(by)
    }
    for i, name in enumerate(("level", "item", "pillar", "label")):
        data[name] = [v[i] for v in variables] * n_cell
    for c, per_var in cols.items():
        data[c] = per_var.T.reshape(-1)  # (variable, cell) -> cell-major rows
    for c in ("n_self", "n_customer"):
        data[c] = data[c].astype(np.int64)
    p = data["agree_p"]
    p_adj = np.full(p.size, np.nan)
    level = np.array([v[0] for v in variables])
    for ci in range(n_cell):
        for name in ("item", "pillar", "overall"):
            rows = ci * n_var + np.flatnonzero(level == name)
            p_adj[rows] = stats.holm(p[rows])
    data["p_adj"] = p_adj
    return ColumnTable(data)


def gap(
    survey: Survey,
    *,
    self_roles: Sequence[str] | None = None,
    customer_roles: Sequence[str] | None = None,
    items: str | Sequence[str] | None = None,
    by: str | Sequence[str] = (),
    agree_at: float | None = None,
    confidence: float = 0.95,
    drop_unknown_roles: bool = False,
    small_base: int = 30,
    max_groups: int = MAX_BY_GROUPS,
    sides: Sequence[str] = SIDES,
) -> Result:
    """Self-versus-customer gap in agreement and mean score, per item, pillar and overall.

    Parameters
    ----------
    survey : Survey
        From :func:`cxkit.read_survey`.
    self_roles, customer_roles : sequence of str, optional
        Role values (case-insensitive) counted as the company's self-rating and as
        customers; default from the config, else ``executive, employee`` / ``customer``.
    items : sequence of str, optional
        A subset of ``survey.items``; default all.
    by : sequence of str
        Breakdown columns; every cell gets its own rows, after the ``(all)`` rows.
    agree_at : float, optional
        Answers ``>=`` this count as agreeing; default the scale's top-2 box.
    confidence : float
        Confidence level of every interval (0 < confidence < 1).
    drop_unknown_roles : bool
        Exclude (and count) responses whose role is neither self nor customer, instead of
        raising :class:`~cxkit.errors.InputError`.
    small_base : int
        Rows with fewer answers than this in either group are flagged in the notes.
    max_groups : int
        Most distinct values a ``by`` column may have; more is a
        :class:`~cxkit.errors.UsageError` (the command line's ``--max-groups``).
    sides : sequence of str
        The groups (``self``, ``customer``) that must have answered, else
        :class:`~cxkit.errors.InputError`. With one of them (``trend`` of the customers'
        share), a survey without the other is analysed: its columns and the gaps are
        ``nan``, with a note.

    Returns
    -------
    Result
        ``table`` has the ``by`` columns, then:

        - ``level``: ``item``, ``pillar`` or ``overall``; ``item``, ``pillar``, ``label``.
          Pillar and overall rows use each respondent's mean over their answered items of
          that pillar (or all items), so each respondent counts once.
        - ``n_self``, ``n_customer``: answers; ``neff_self``, ``neff_customer``: Kish
          effective n (equal to n without weights), used as n in every interval.
        - ``mean_self``, ``mean_customer``, ``mean_gap`` (self - customer) with
          ``mean_gap_ci_low``/``_high`` and ``mean_gap_p`` (Welch t), ``hedges_g``.
        - ``agree_self``, ``agree_customer``: share agreeing (0-1); ``agree_gap``
          (self - customer) with Newcombe ``agree_gap_ci_low``/``_high``; ``agree_ratio``
          (self / customer) with Katz log ``agree_ratio_ci_low``/``_high``;
          ``agree_p`` (pooled two-proportion z-test).
        - ``p_adj``: Holm-adjusted ``agree_p`` across the rows of the same level within one
          breakdown cell.

        A zero customer share gives ``agree_ratio = inf`` (or ``nan`` when both are zero)
        and ``nan`` ratio limits, with a note.

    Notes
    -----
    Weighted shares and means use the weights; variances use the Kish effective n:
    ``s^2 = (neff / W) sum w (x - mean)^2 / (neff - 1)``. Checked in
    ``tests/test_gap_reference.py`` against R (``t.test``, ``prop.test``,
    ``survey::svymean``) and statsmodels.

    References
    ----------
    Newcombe (1998) Stat Med 17:873; Katz et al. (1978) Biometrics 34:469; Welch (1947)
    Biometrika 34:28; Hedges & Olkin (1985) Statistical Methods for Meta-Analysis;
    Holm (1979) Scand J Stat 6:65; Kish (1965) Survey Sampling.
    """
    check_arg(survey, Survey, "gap() takes a Survey from cxkit.read_survey(...)")
    by, sides = as_names(by, "by"), as_names(sides, "sides")
    items = None if items is None else as_names(items, "items")
    self_roles = None if self_roles is None else as_names(self_roles, "self_roles")
    customer_roles = None if customer_roles is None else as_names(customer_roles, "customer_roles")
    check_small_base(small_base)
    if not sides or not set(sides) <= set(SIDES):
        raise UsageError(f"sides must name self and/or customer, not {list(sides)}")
    chosen, self_roles, customer_roles, agree = _options(
        survey, self_roles, customer_roles, items, by, agree_at, confidence
    )
    if survey.n_rows < aggregate.THREADED_ROWS:
        codes, notes = _role_codes(survey, self_roles, customer_roles, drop_unknown_roles, sides)
        variables = _variables(survey, chosen)
    else:  # the respondent means beside the role codes: numpy releases the GIL in both
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1) as pool:
            means = pool.submit(_variables, survey, chosen)
            codes, notes = _role_codes(
                survey, self_roles, customer_roles, drop_unknown_roles, sides
            )
            variables = means.result()
    weights = (
        np.asarray(survey.column(survey.weight_col), dtype=float)
        if survey.weight_col is not None
        else None
    )
    cell_rows = None
    if by:
        cell, labels = cells({b: survey.grouping(b) for b in by}, by, max_groups)
        hists = _histograms_for(variables, codes, cell, len(labels), weights)
        cell_rows = _assemble(variables, hists, by, labels, agree, confidence)
        # unweighted, the (all) histograms are the cells' summed (whole numbers: exact)
        total_h = (
            [_collapse(h) for h in hists]
            if weights is None
            else _histograms_for(variables, codes, None, 1, weights)
        )
    else:
        total_h = _histograms_for(variables, codes, None, 1, weights)
    total = _assemble(variables, total_h, (), [()], agree, confidence)
    options = (chosen, self_roles, customer_roles, agree, confidence, small_base)
    return _finish(survey, by, total, cell_rows, notes, options, sides)


def _options(survey, self_roles, customer_roles, items, by, agree_at, confidence):
    """Checked options: (items, self roles, customer roles, agree threshold)."""
    check_confidence(confidence)
    if survey.role_col is None:
        raise InputError(
            f"{survey.sources[0].path}: no role column 'role' to tell self from customer "
            "answers; pass --role-col NAME (or set columns.role in cxkit.toml), or give "
            "--self-file and --customer-file"
        )
    chosen = list(items) if items else list(survey.items)
    unknown = [i for i in chosen if i not in survey.items]
    if unknown:
        raise UsageError(f"not an item of this survey: {', '.join(unknown)}")
    for b in by:
        if not survey.has_column(b):
            raise UsageError(f"--by {b!r} was not read with the survey; pass it to read_survey")
    self_roles = tuple(self_roles) if self_roles else survey.self_roles
    customer_roles = tuple(customer_roles) if customer_roles else survey.customer_roles
    agree = survey.scale.agree_at if agree_at is None else float(agree_at)
    survey.scale.check_agree(agree)
    return chosen, self_roles, customer_roles, agree


def _finish(survey, by, total, cell_rows, notes, options, sides=SIDES) -> Result:
    """The Result from the ``(all)`` rows and the ``--by`` cells' rows (``sides``: the
    groups that must have answered)."""
    chosen, self_roles, customer_roles, agree, confidence, small_base = options
    o = total["level"].index("overall")  # respondents with an answer to any item
    answered = int(total["n_self"][o]) + int(total["n_customer"][o])
    require_answers(survey, chosen, answered, "check --items / --self / --customer")
    for side in sides:  # a gap needs both sides to have answered, a share only its own
        require_answers(survey, chosen, int(total[f"n_{side}"][o]), f"check --{side}", side)
        check_weighted_base(survey, total[f"n_{side}"], total[f"neff_{side}"], side)
    if by:
        for b in reversed(by):
            total = total.with_first(b, ALL)
        table = ColumnTable.concat([total.select(cell_rows.columns), cell_rows])
        table = table.select([*by, *COLUMNS])
    else:
        table = total.select(COLUMNS)

    notes = survey.notes + notes + _notes(table, by, small_base)
    summary = _summary(total, confidence)
    params = {
        "self_roles": list(self_roles),
        "customer_roles": list(customer_roles),
        "role_col": survey.role_col,
        "items": chosen,
        "by": list(by),
        "agree_at": agree,
        "scale": [survey.scale.min, survey.scale.max],
        "confidence": confidence,
        "weight_col": survey.weight_col,
        "small_base": small_base,
    }
    methods = dict(stats.METHODS)
    if survey.weight_col is None:
        methods.pop("weights")
    config = (
        {"path": survey.study.path, "sha256": survey.study.sha256} if survey.study.sha256 else None
    )
    return Result(
        command="gap",
        table=table,
        summary=summary,
        notes=notes,
        provenance=make_provenance(survey.sources, params, methods, None, config),
        view=_VIEW_BASE if not by else [ViewColumn(b, (b,), "text") for b in by] + _VIEW_BASE,
        emphasis_col="level",
        emphasis_plain="item",
    )


_VIEW_BASE = [
    ViewColumn("Statement", ("label",), "text"),
    ViewColumn("n self", ("n_self",), "int"),
    ViewColumn("n cust.", ("n_customer",), "int"),
    ViewColumn("Agree self", ("agree_self",), "pct"),
    ViewColumn("Agree cust.", ("agree_customer",), "pct"),
    ViewColumn("Gap pp (CI)", ("agree_gap", "agree_gap_ci_low", "agree_gap_ci_high"), "pp"),
    ViewColumn("Ratio (CI)", ("agree_ratio", "agree_ratio_ci_low", "agree_ratio_ci_high"), "ratio"),
    ViewColumn(
        "Mean gap (CI)", ("mean_gap", "mean_gap_ci_low", "mean_gap_ci_high"), "num", optional=True
    ),
    ViewColumn("g", ("hedges_g",), "num", optional=True),
    ViewColumn("p adj", ("p_adj",), "p"),
]


def _where(table: ColumnTable, i: int, by: Sequence[str]) -> str:
    name = table["item"][i] if table["level"][i] == "item" else table["label"][i]
    cell = ", ".join(f"{b}={table[b][i]}" for b in by)
    return f"{name} [{cell}]" if cell else str(name)


def _notes(table: ColumnTable, by: Sequence[str], small_base: int) -> list[str]:
    notes = []
    small = np.flatnonzero(
        (table["n_self"] < small_base) | (table["n_customer"] < small_base)
    ).tolist()
    if small:
        names = "; ".join(_where(table, i, by) for i in small[:6])
        more = f" and {len(small) - 6} more" if len(small) > 6 else ""
        notes.append(
            f"{len(small)} rows have fewer than {small_base} answers in a group (small base, "
            f"wide intervals): {names}{more}"
        )
    ratio = table["agree_ratio"]
    n_self, n_cust = table["n_self"], table["n_customer"]
    nobody = (n_self == 0) | (n_cust == 0)
    none_agree = (table["agree_self"] == 0) & (table["agree_customer"] == 0) & ~nobody
    reasons = [
        (
            np.isinf(ratio),
            "have no agreeing customers (while some self-raters agree), so agree_ratio is "
            "infinite and its interval undefined",
        ),
        (
            n_cust == 0,
            "have no answers from customers (nobody answered), so agree_ratio is undefined, "
            "not infinite",
        ),
        (
            (n_self == 0) & (n_cust > 0),
            "have no answers from self-raters (nobody answered), so agree_ratio is undefined",
        ),
        (
            none_agree,
            "have no agreement in either group (0 / 0), so agree_ratio is undefined",
        ),
        (
            np.isnan(ratio) & ~nobody & ~none_agree,
            "have an undefined agree_ratio (a group's weights sum to 0)",
        ),
    ]
    one = np.ones(len(ratio))  # the shares: all agree where the share is 1
    fixed = stats.all_agree(table["agree_self"], one)
    fixed &= stats.all_agree(table["agree_customer"], one)
    reasons.append(
        (
            fixed,
            "have everyone agreeing in both groups, so the Katz interval of agree_ratio would "
            "have zero width; it adds 0.5 to each cell instead (Haldane-Anscombe)",
        )
    )
    for mask, why in reasons:
        rows = np.flatnonzero(mask).tolist()
        if rows:
            names = "; ".join(_where(table, i, by) for i in rows[:6])
            more = f" and {len(rows) - 6} more" if len(rows) > 6 else ""
            notes.append(f"{len(rows)} rows {why}: {names}{more}")
    return notes


def _summary(total: ColumnTable, confidence: float) -> dict[str, object]:
    level = total["level"]
    o = level.index("overall")
    gap_ = total["agree_gap"]
    items = [i for i, lv in enumerate(level) if lv == "item" and not np.isnan(gap_[i])]
    largest = max(items, key=lambda i: gap_[i]) if items else None  # the first of equals
    a1, a2 = total["agree_self"][o], total["agree_customer"][o]
    r, lo, hi = (
        total["agree_ratio"][o],
        total["agree_ratio_ci_low"][o],
        total["agree_ratio_ci_high"][o],
    )
    level_text = f"{confidence * 100:g}%"
    text = f"{_pct(a1)} of self-raters agree vs {_pct(a2)} of customers"
    if np.isfinite(r) and np.isfinite(lo):
        ci = ci_text(lo, hi, lambda x: ratio_text(x, 1), level_text)
        text += f": {ratio_text(r, 1)}× as many ({ci})"
    elif np.isinf(r):
        text += ": no customer agrees, so the ratio is undefined"
    if largest is not None:
        text += f"; largest gap: {total['label'][largest]} ({gap_[largest] * 100:+.0f} pp)"
    return {
        "headline": text,
        "agree_self": _f(a1),
        "agree_customer": _f(a2),
        "agree_ratio": _f(r),
        "agree_ratio_ci_low": _f(lo),
        "agree_ratio_ci_high": _f(hi),
        "mean_gap": _f(total["mean_gap"][o]),
        "largest_gap_item": None if largest is None else total["item"][largest],
        "largest_gap": None if largest is None else _f(gap_[largest]),
        "n_self": int(total["n_self"][o]),
        "n_customer": int(total["n_customer"][o]),
    }


def _pct(x: float) -> str:
    return "n/a" if not np.isfinite(x) else f"{x * 100:.0f}%"


def _f(x: object) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else (x if np.isinf(x) else None)
