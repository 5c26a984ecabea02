"""CX scores per account (and period) from respondent-level answers, joined to a finance table.

``cxkit roi --survey responses.csv --finance accounts.csv --key account_id`` computes each
account's score from its respondents, excludes accounts with fewer than ``min_responses``
answers (counted in the notes), and joins the scores to the finance rows on the key (and the
period column, when given).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from .errors import InputError, UsageError
from .read import RawTable, read_table
from .roi_data import AccountSpec, Panel, _text, numbers, panel_from_table

#: Score kinds: ``nps:COL`` (0-10 answers), ``mean:COL``, ``top:COL`` (item), ``index``.
KINDS = ("nps", "mean", "top", "index")
RESPONSES = "responses"


@dataclass(frozen=True)
class Score:
    """One CX score computed per account: its kind, source column and output name."""

    kind: str
    column: str | None
    name: str


def parse_scores(specs: Sequence[str]) -> list[Score]:
    """``["nps:ltr", "index"]`` -> scores; the output name is ``nps`` or ``mean_q1`` etc.

    >>> [s.name for s in parse_scores(["nps:nps", "mean:ci_1", "index"])]
    ['nps', 'mean_ci_1', 'centricity_index']
    """
    out: list[Score] = []
    for spec in specs or ("index",):
        kind, _, col = spec.partition(":")
        kind = kind.strip().casefold()
        col = col.strip()
        if kind not in KINDS or (kind == "index") == bool(col):
            raise UsageError(
                f"--cx {spec!r}: with --survey write nps:COLUMN (0-10 answers), mean:COLUMN, "
                "top:COLUMN (share of top-box answers, in %) or index (mean of the study's items)"
            )
        if kind == "index":
            name = "centricity_index"
        elif col.casefold() == kind:
            name = kind
        else:
            name = f"{kind}_{col}"
        if any(s.name == name for s in out):
            raise UsageError(f"--cx {spec!r} is given twice")
        out.append(Score(kind, col or None, name))
    return out


def _respondent_values(
    scores: list[Score],
    path: str | Path,
    key: str,
    time: str | None,
    *,
    config,
    use_config,
    encoding,
    drop_invalid: bool,
) -> tuple[pd.DataFrame, list, list[str], tuple[float, float, float] | None, dict | None]:
    """Per respondent: key, time and one value per score (``nan`` = no answer); also the
    sources, notes, scale (min, max, agree threshold) and config used."""
    from .survey import SurveySpec, read_survey

    need_items = [s for s in scores if s.kind != "nps"]
    nps_cols = [s.column for s in scores if s.kind == "nps"]
    keys = [key, *([time] if time else [])]
    notes: list[str] = []
    config_used = None
    if need_items:
        explicit = [s.column for s in need_items if s.column]
        use_all = any(s.kind == "index" for s in need_items)
        spec = SurveySpec(
            items=() if use_all else tuple(dict.fromkeys(explicit)),
            items_option="--cx",
            by=tuple(dict.fromkeys([*keys, *nps_cols])),
            encoding=encoding,
        )
        survey = read_survey(path, config=config, use_config=use_config, spec=spec)
        frame, sources, notes = survey.frame, survey.sources, list(survey.notes)
        for c in explicit:
            if c not in survey.items:
                raise UsageError(
                    f"--cx mean/top:{c}: {c!r} is not an item of the survey "
                    f"(items: {', '.join(survey.items[:10])})"
                )
        scale = (survey.scale.min, survey.scale.max, survey.scale.agree_at)
        if survey.weight_col:
            notes.append(
                f"respondent weights ({survey.weight_col!r}) are not used: each account's "
                "score is the plain mean over its respondents"
            )
        items = survey.items
        if survey.study.sha256:
            config_used = {"path": survey.study.path, "sha256": survey.study.sha256}
        text = {c: frame[c].to_numpy(object) for c in dict.fromkeys([*keys, *nps_cols])}
    else:
        raw = read_table(path, encoding=encoding)
        for c in dict.fromkeys([*keys, *nps_cols]):
            if c not in raw.table.column_names:
                raise InputError(
                    f"{raw.source.path}: no column {c!r} in the survey file; columns are: "
                    + ", ".join(raw.table.column_names[:15])
                )
        frame, sources, notes = None, [raw.source], list(raw.notes)
        scale, items = None, []
        text = {c: _text(raw.table.column(c)) for c in dict.fromkeys([*keys, *nps_cols])}
    file = sources[0].path
    out = pd.DataFrame({c: text[c] for c in keys})
    for s in scores:
        if s.kind == "nps":
            vals, bad, raw_vals = numbers(pa.chunked_array([pa.array(text[s.column], pa.string())]))
            off = bad | (vals < 0) | (vals > 10)
            if off.any():
                row = int(np.flatnonzero(off)[0])
                if not drop_invalid:
                    raise InputError(
                        f"{file}: column {s.column!r}, data row {row + 1}: {raw_vals[row]!r} is "
                        "not a 0-10 recommend answer; fix it, or pass --drop-invalid to "
                        "exclude such answers"
                    )
                notes.append(
                    f"{file}: excluded {int(off.sum())} answers of {s.column!r} that are not "
                    "0-10 (--drop-invalid)"
                )
                vals = np.where(off, np.nan, vals)
            out[s.name] = np.where(
                np.isnan(vals), np.nan, (vals >= 9) * 100.0 - (vals <= 6) * 100.0
            )
        elif s.kind == "mean":
            out[s.name] = frame[s.column].to_numpy(float)
        elif s.kind == "top":
            v = frame[s.column].to_numpy(float)
            out[s.name] = np.where(np.isnan(v), np.nan, (v >= scale[2]) * 100.0)
        else:
            block = frame[items].to_numpy(float)
            answered = ~np.isnan(block)
            count = answered.sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[s.name] = np.where(
                    count > 0, np.where(answered, block, 0.0).sum(axis=1) / count, np.nan
                )
    for c in keys:
        blank = out[c].isna().to_numpy()
        if blank.any():
            notes.append(f"{file}: excluded {int(blank.sum())} responses with no {c!r}")
            out = out[~blank]
    return out.reset_index(drop=True), sources, notes, scale, config_used


def account_scores(
    responses: pd.DataFrame, scores: list[Score], keys: list[str], min_responses: int
) -> tuple[pd.DataFrame, list[str]]:
    """Score per account (and period), with the respondent count; small accounts excluded.

    NPS = % promoters (9-10) − % detractors (0-6); ``mean`` the mean answer; ``top`` the %
    answering at or above the agree threshold; ``index`` the mean of each respondent's mean
    over the items they answered. An account (period) with fewer than ``min_responses``
    answers to a score gets no value for it.
    """
    grouped = responses.groupby(keys, sort=True)
    out = grouped.size().rename(RESPONSES).reset_index()
    notes = []
    for s in scores:
        means = grouped[s.name].mean().to_numpy(float)
        counts = grouped[s.name].count().to_numpy()
        small = (counts < min_responses) & (counts > 0)
        if small.any():
            notes.append(
                f"{int(small.sum())} accounts{' and periods' if len(keys) > 1 else ''} have "
                f"fewer than {min_responses} answers for {s.name} and are excluded from it "
                "(--min-responses)"
            )
        out[s.name] = np.where(counts >= min_responses, means, np.nan)
    return out, notes


def panel_from_survey(
    survey_path: str | Path,
    finance_path: str | Path,
    *,
    key: str,
    scores: list[Score],
    outcomes: Sequence[str],
    time: str | None = None,
    controls: Sequence[str] = (),
    weight: str | None = None,
    revenue: str | None = None,
    min_responses: int = 5,
    drop_invalid: bool = False,
    config=None,
    use_config: bool = True,
    encoding: str | None = None,
) -> Panel:
    """A :class:`Panel` whose CX columns are computed from respondents' answers.

    Raises
    ------
    InputError
        A file cannot be read, the key or time column is missing in either file, a score's
        column is missing, an answer is invalid, or a finance column has a score's name.
    """
    finance = read_table(finance_path, encoding=encoding)
    ffile = finance.source.path
    keys = [key, *([time] if time else [])]
    for c in keys:
        if c not in finance.table.column_names:
            raise InputError(
                f"{ffile}: no column {c!r} (named by {'--key' if c == key else '--time'}); "
                "columns are: " + ", ".join(finance.table.column_names[:15])
            )
    resp, sources, notes, scale, config_used = _respondent_values(
        scores,
        survey_path,
        key,
        time,
        config=config,
        use_config=use_config,
        encoding=encoding,
        drop_invalid=drop_invalid,
    )
    agg, agg_notes = account_scores(resp, scores, keys, min_responses)
    counts = agg[RESPONSES].to_numpy()
    notes.append(
        f"{sources[0].path}: {int(counts.sum())} responses scored {len(agg)} "
        f"{'account-periods' if time else 'accounts'}: "
        f"median {float(np.median(counts)):g} responses each (min {int(counts.min())}, max "
        f"{int(counts.max())})"
    )
    for s in [*scores, Score("", None, RESPONSES)]:
        if s.name in finance.table.column_names:
            raise InputError(
                f"{ffile}: already has a column {s.name!r}, the name of a score computed "
                "from the survey; rename that column in the finance file"
            )
    fkeys = pd.DataFrame({c: _text(finance.table.column(c)) for c in keys})
    joined = fkeys.merge(agg, on=keys, how="left", validate="many_to_one")
    unmatched = int(joined[RESPONSES].isna().sum())
    table = finance.table
    for c in [RESPONSES, *[s.name for s in scores]]:
        table = table.append_column(c, pa.array(joined[c].to_numpy(float), pa.float64()))
    merged = RawTable(table, finance.source, finance.notes)
    known = set(map(tuple, fkeys.astype(str).to_numpy()))
    survey_only = sum(1 for k in map(tuple, agg[keys].astype(str).to_numpy()) if k not in known)
    spec = AccountSpec(
        cx=[s.name for s in scores],
        outcomes=outcomes,
        entity=key,
        time=time,
        controls=controls,
        weight=weight,
        revenue=revenue,
        drop_invalid=drop_invalid,
    )
    panel = panel_from_table(merged, spec, extra={RESPONSES: joined[RESPONSES].to_numpy(float)})
    panel.sources = [*sources, finance.source]
    panel.config = config_used
    unit = " and period" if time else ""
    if unmatched:
        notes.append(f"{ffile}: {unmatched} rows have no survey responses for their account{unit}")
    if survey_only:
        notes.append(
            f"{sources[0].path}: {survey_only} accounts{unit} with responses are not in "
            f"{ffile} and are not used"
        )
    panel.notes = notes + agg_notes + panel.notes
    for s in scores:
        if s.kind == "nps":
            panel.cx_ranges[s.name] = (-100.0, 100.0)
        elif s.kind == "top":
            panel.cx_ranges[s.name] = (0.0, 100.0)
        elif scale is not None:
            panel.cx_ranges[s.name] = (scale[0], scale[1])
    return panel
