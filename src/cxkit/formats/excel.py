"""Excel ``.xlsx`` workbooks (openpyxl): one sheet -> records of text, like a CSV.

Cells are read as their stored values (``data_only``): a text cell that starts with ``=`` is
text, and a formula's cached result is read rather than the formula.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pyarrow as pa

from ..errors import InputError


def is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False


def _text(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    s = str(v)
    return s if s.strip() else None


def read_records(data: bytes, name: str, sheet: str | None) -> tuple[pa.Table, str]:
    """The chosen sheet (first by default) as string columns ``f0`` … ``fN``."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError(f"{name}: is not a readable .xlsx workbook ({exc})") from None
    try:
        titles = wb.sheetnames
        if sheet is None:
            ws = wb[titles[0]]
        elif sheet in titles:
            ws = wb[sheet]
        elif sheet.isdigit() and 1 <= int(sheet) <= len(titles):
            ws = wb[titles[int(sheet) - 1]]
        else:
            raise InputError(
                f"{name}: has no sheet {sheet!r} (sheets: {', '.join(titles)}); pass --sheet "
                "with one of them"
            )
        rows = [[_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        title = ws.title
    finally:
        wb.close()
    rows = [r for r in rows if any(v is not None for v in r)]
    if not rows:
        raise InputError(f"{name}: sheet {title!r} is empty; pass --sheet to choose another")
    width = max(max((i + 1 for i, v in enumerate(r) if v is not None), default=0) for r in rows)
    cols = [[r[i] if i < len(r) else None for r in rows] for i in range(width)]
    table = pa.table({f"f{i}": pa.array(c, pa.string()) for i, c in enumerate(cols)})
    return table, title
