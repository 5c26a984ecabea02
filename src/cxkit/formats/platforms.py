"""Header records -> column names, question labels and platform rules.

A survey platform's export is recognised from its header records, not its file name:

- Qualtrics (current): record 1 column ids (``Q3_1``), record 2 question text (matrix columns
  as "question - statement"), record 3 ``{"ImportId":"QID3_1"}``.
- Qualtrics legacy: record 1 ``V1, V2, …`` then column ids, record 2 ``ResponseID`` … text.
- SurveyMonkey: ``Respondent ID`` and ``Collector ID`` columns; record 2 holds ``Response``,
  ``Open-Ended Response`` or the option / statement text under each question.
- Google Forms: a ``Timestamp`` first column; grid questions as ``Question [Row]``.
- anything else: one header record (plain CSV).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pyarrow as pa

from .. import arrow_compute as pc
from ..arrow_values import bool_array, column_array
from ..errors import InputError
from .meta import TableMeta

_QUALTRICS_META = {
    "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
    "Finished", "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName",
    "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
    "DistributionChannel", "UserLanguage", "LocationAccuracy",
}  # fmt: skip
_SM_META = {
    "Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
    "First Name", "Last Name", "Custom Data 1",
}  # fmt: skip
_SM_SUB = {"Response", "Open-Ended Response"}
_GRID = re.compile(r"^(?P<q>.*\S)\s*\[(?P<row>[^\[\]]+)\]\s*$", re.S)
_SIBLING = re.compile(r"^(?P<q>.+?)_(?P<k>\d+)$")
_PREVIEW = {"survey preview", "1"}
_UNFINISHED = {"false", "0"}


def _clean(cell: str | None) -> str:
    return "" if cell is None else " ".join(cell.split())


def detect(head: list[list[str | None]]) -> str:
    """The platform whose header records these are (``plain`` if none)."""
    r0 = [_clean(c) for c in head[0]]
    r1 = [_clean(c) for c in head[1]] if len(head) > 1 else []
    r2 = [(c or "").strip() for c in head[2]] if len(head) > 2 else []
    if r0[:2] == ["V1", "V2"] and "ResponseID" in r1:
        return "qualtrics-legacy"
    if any(c.startswith('{"ImportId"') for c in r2) and ("ResponseId" in r0 or "Status" in r0):
        return "qualtrics"
    if "Respondent ID" in r0 and "Collector ID" in r0 and any(c in _SM_SUB for c in r1):
        return "surveymonkey"
    if r0 and r0[0] == "Timestamp":
        return "google-forms"
    return "plain"


def _siblings(names: list[str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for n in names:
        m = _SIBLING.match(n)
        if m:
            groups.setdefault(m.group("q"), []).append(n)
    return {q: cols for q, cols in groups.items() if len(cols) > 1}


def _split_matrix_labels(names: list[str], texts: dict[str, str], meta: TableMeta) -> None:
    """Qualtrics "question - statement" texts: the statement is the label."""
    for n in names:
        meta.labels[n] = texts.get(n, "")
    for cols in _siblings(names).values():
        parts = [texts.get(c, "") for c in cols]
        prefix = _common_prefix(parts)
        cut = prefix.rfind(" - ")
        if cut <= 0:
            continue
        for c in cols:
            meta.questions[c] = texts[c][:cut]
            meta.labels[c] = texts[c][cut + 3 :]


def _common_prefix(texts: list[str]) -> str:
    first = min(texts)
    last = max(texts)
    i = 0
    while i < len(first) and i < len(last) and first[i] == last[i]:
        i += 1
    return first[:i]


def _qualtrics(head, meta: TableMeta, legacy: bool) -> tuple[list[str], int]:
    if legacy:
        r0 = [_clean(c) for c in head[0]]
        r1 = [(c or "").strip() for c in head[1]]
        names = [r1[i] if re.fullmatch(r"V\d+", r0[i]) else r0[i] for i in range(len(r0))]
        meta.metadata = [names[i] for i in range(len(r0)) if re.fullmatch(r"V\d+", r0[i])]
        meta.metadata += [n for n in names if n in _QUALTRICS_META]
        texts = dict(zip(names, r1, strict=True))
        meta.id_col = "ResponseID"
        rows = 2
    else:
        names = [_clean(c) for c in head[0]]
        texts = {n: (t or "").strip() for n, t in zip(names, head[1], strict=True)}
        meta.id_col = "ResponseId"
        for n, imp in zip(names, head[2], strict=True):
            try:
                import_id = str(json.loads(imp or "{}").get("ImportId", ""))
            except (ValueError, AttributeError):
                import_id = ""
            if n and (n in _QUALTRICS_META or not import_id.startswith("QID")):
                meta.metadata.append(n)
        rows = 3
    questions = [n for n in names if n and n not in meta.metadata]
    _split_matrix_labels(questions, texts, meta)
    return names, rows


def _surveymonkey(head, meta: TableMeta) -> list[str]:
    r0 = [(c or "").strip() for c in head[0]]
    r1 = [(c or "").strip() for c in head[1]]
    names: list[str] = []
    spans: list[list[int]] = []
    for i, top in enumerate(r0):
        if top in _SM_META:
            names.append(top)
            meta.metadata.append(top)
            spans.append([])
        elif top or not spans or not spans[-1]:
            spans.append([i])
            names.append("")
        else:
            spans[-1].append(i)
            names.append("")
    q = 0
    for span in spans:
        if not span:
            continue
        q += 1
        text = " ".join(r0[span[0]].split())
        for j, i in enumerate(span, 1):
            name = f"q{q}" if len(span) == 1 else f"q{q}_{j}"
            names[i] = name
            if len(span) == 1:
                meta.labels[name] = text
            else:
                meta.labels[name] = r1[i]
                meta.questions[name] = text
    meta.id_col = "Respondent ID"
    return names


def _google(head, meta: TableMeta) -> list[str]:
    r0 = [(c or "").strip() for c in head[0]]
    names: list[str] = []
    q, last_q, j = 0, None, 0
    for i, text in enumerate(r0):
        if i == 0 or text.casefold() in ("email address", "score"):
            names.append(text)
            meta.metadata.append(text)
            last_q = None
            continue
        m = _GRID.match(text)
        if m:
            question = " ".join(m.group("q").split())
            if question != last_q:
                q, last_q, j = q + 1, question, 0
            j += 1
            name = f"q{q}_{j}"
            meta.labels[name] = m.group("row").strip()
            meta.questions[name] = question
        else:
            q, last_q = q + 1, None
            name = f"q{q}"
            meta.labels[name] = " ".join(text.split())
        names.append(name)
    return names


def shape(
    records: pa.Table,
    name: str,
    *,
    finished_only: bool = False,
    include_preview: bool = False,
) -> tuple[pa.Table, TableMeta, list[str]]:
    """Header records -> named columns of answers, the platform's meta and notes."""
    head = [list(r.values()) for r in records.slice(0, 3).to_pylist()]
    if not head:
        raise InputError(f"{name}: is empty; expected a header row and at least one response")
    platform = detect(head)
    meta = TableMeta(platform=platform)
    if platform in ("qualtrics", "qualtrics-legacy"):
        names, n_head = _qualtrics(head, meta, platform == "qualtrics-legacy")
    elif platform == "surveymonkey":
        names, n_head = _surveymonkey(head, meta), 2
    elif platform == "google-forms":
        names, n_head = _google(head, meta), 1
    else:
        names, n_head = [(c or "").strip() for c in head[0]], 1
    meta.labels = {k: " ".join(v.split()) for k, v in meta.labels.items()}
    meta.questions = {k: " ".join(v.split()) for k, v in meta.questions.items()}
    notes: list[str] = []
    table = name_columns(records.slice(n_head), names, name, notes)
    if table.num_rows == 0:
        raise InputError(f"{name}: has a header row but no responses")
    if platform.startswith("qualtrics"):
        table = _qualtrics_rows(table, meta, name, finished_only, include_preview, notes)
    elif finished_only:
        notes.append(f"{name}: --finished-only ignored: a {platform} export has no Finished column")
    return table, meta, notes


def name_columns(table: pa.Table, names: list[str], file: str, notes: list[str]) -> pa.Table:
    """Rename ``f0…`` to ``names``; refuse duplicates; drop empty unnamed columns."""
    dupes = sorted({h for h in names if h and names.count(h) > 1})
    if dupes:
        raise InputError(
            f"{file}: duplicate column names {', '.join(map(repr, dupes))}; rename them so "
            "each column has one name"
        )
    keep, kept_names = [], []
    for i, col in enumerate(names):
        if col:
            keep.append(i)
            kept_names.append(col)
            continue
        if table.column(i).null_count != table.num_rows:
            raise InputError(
                f"{file}: column {i + 1} has answers but no name in the header; give it a name"
            )
        notes.append(f"{file}: dropped empty column {i + 1} with no name (trailing delimiter)")
    return table.select(keep).rename_columns(kept_names)


#: ``False`` as an Arrow scalar, taken from an array (``pa.scalar`` would load pandas)
_FALSE = bool_array(np.zeros(1, dtype=bool))[0]


def _qualtrics_rows(table, meta, name, finished_only, include_preview, notes):
    keep = bool_array(np.ones(table.num_rows, dtype=bool))  # pa.array would load pandas
    if "Status" in table.column_names and not include_preview:
        status = pc.utf8_lower(pc.trim(table.column("Status")))
        preview = pc.fill_null(pc.is_in(status, column_array(sorted(_PREVIEW))), _FALSE)
        n = pc.sum(preview).as_py() or 0
        if n:
            meta.excluded.append(("survey preview (Status)", n))
            keep = pc.and_(keep, pc.invert(preview))
    if finished_only:
        if "Finished" not in table.column_names:
            raise InputError(f"{name}: --finished-only needs a Finished column; there is none")
        fin = pc.utf8_lower(pc.trim(table.column("Finished")))
        unfinished = pc.fill_null(pc.is_in(fin, column_array(sorted(_UNFINISHED))), _FALSE)
        n = pc.sum(pc.and_(unfinished, keep)).as_py() or 0
        if n:
            meta.excluded.append(("unfinished (Finished = False, --finished-only)", n))
            keep = pc.and_(keep, pc.invert(unfinished))
    elif "Finished" in table.column_names:
        fin = pc.utf8_lower(pc.trim(table.column("Finished")))
        unfinished = pc.fill_null(pc.is_in(fin, column_array(sorted(_UNFINISHED))), _FALSE)
        n = pc.sum(pc.and_(unfinished, keep)).as_py() or 0
        if n:
            notes.append(
                f"{name}: kept {n} unfinished responses (Finished = False); pass "
                "--finished-only to exclude them"
            )
    for reason, n in meta.excluded:
        notes.append(f"{name}: excluded {n} rows: {reason}")
    table = table.filter(keep)
    if table.num_rows == 0:
        raise InputError(f"{name}: every response was excluded ({meta.excluded}); nothing left")
    return table
