"""The benchmark task, written the ways a user could write it; each runs as its own process.

    python benchmarks/variants.py NAME FILE [--by segment] [--weight weight]

Task: per item, self (executive, employee) versus customer answers: n, (weighted) mean and
(weighted) top-2 share (answers >= 4), overall and, with ``--by segment``, per segment too.
``NAME`` is one of :data:`VARIANTS`; every one but ``floor`` prints the same canonical JSON
(``[[cell, item, group, n, mean, top2], ...]``, sorted), so ``tests/test_benchmarks.py`` can
check that they agree. ``cxkit`` itself is run as ``cxkit gap FILE --role-col role -f json``
(:func:`cxkit_argv`) and its JSON turned into the same records by :func:`from_cxkit_json`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ITEMS = [f"q{k:02d}" for k in range(1, 21)]
SELF = ("executive", "employee")
CUSTOMER = ("customer",)
ALL = "(all)"
AGREE_AT = 4


def needed(by: str | None, weight: str | None) -> list[str]:
    """The columns the task needs."""
    return ["role", *([by] if by else []), *([weight] if weight else []), *ITEMS]


def is_parquet(path: str) -> bool:
    return str(path).endswith(".parquet") or Path(path).is_dir()


def floor(path: str, by: str | None, weight: str | None) -> None:
    """The floor: pyarrow reads the needed columns (types inferred), nothing else."""
    if is_parquet(path):
        import pyarrow.parquet as pq

        pq.read_table(path, columns=needed(by, weight))
    else:
        import pyarrow.csv as pacsv

        pacsv.read_csv(
            path, convert_options=pacsv.ConvertOptions(include_columns=needed(by, weight))
        )


def pandas_script(path: str, by: str | None, weight: str | None) -> list[list]:
    """What a pandas user writes: read the file, melt, group, aggregate."""
    import numpy as np
    import pandas as pd

    df = pd.read_parquet(path) if is_parquet(path) else pd.read_csv(path)
    role = df["role"].str.strip().str.lower()
    df["group"] = np.where(role.isin(SELF), "self", np.where(role.isin(CUSTOMER), "customer", None))
    df = df[df["group"].notna()]
    df["w"] = df[weight] if weight else 1.0
    ids = ["group", "w", *([by] if by else [])]
    long = df.melt(id_vars=ids, value_vars=ITEMS, var_name="item", value_name="x")
    long = long.dropna(subset=["x"])
    long["wx"] = long["w"] * long["x"]
    long["wtop"] = long["w"] * (long["x"] >= AGREE_AT)
    out = []
    for keys in ([], [by]) if by else ([],):
        g = long.groupby([*keys, "group", "item"]).agg(
            n=("x", "size"), sw=("w", "sum"), swx=("wx", "sum"), swt=("wtop", "sum")
        )
        for key, r in g.iterrows():
            cell = key[0] if keys else ALL
            out.append([cell, key[-1], key[-2], int(r.n), r.swx / r.sw, r.swt / r.sw])
    return sorted(out)


def duckdb_sql(path: str, by: str | None, weight: str | None) -> list[list]:
    """DuckDB SQL on the file: UNPIVOT and GROUPING SETS."""
    import duckdb

    reader = "read_parquet" if is_parquet(path) else "read_csv"
    src = f"{reader}('{Path(path).as_posix()}{'/*.parquet' if Path(path).is_dir() else ''}')"
    w = weight or "1.0"
    seg = by or "NULL"
    sets = "GROUPING SETS ((grp, item), (seg, grp, item))" if by else "grp, item"
    query = f"""
    WITH t AS (
      SELECT CASE WHEN lower(trim(role)) IN {SELF} THEN 'self'
                  WHEN lower(trim(role)) = '{CUSTOMER[0]}' THEN 'customer' END AS grp,
             {seg} AS seg, {w} AS w, {", ".join(ITEMS)}
      FROM {src}),
    u AS (UNPIVOT t ON {", ".join(ITEMS)} INTO NAME item VALUE x)
    SELECT {"seg" if by else "NULL"} AS cell, item, grp, count(*) AS n,
           sum(w * x) / sum(w) AS mean, sum(CASE WHEN x >= {AGREE_AT} THEN w ELSE 0 END) / sum(w)
    FROM u WHERE grp IS NOT NULL GROUP BY {sets}
    """
    rows = duckdb.sql(query).fetchall()
    return sorted([c if c is not None else ALL, i, g, int(n), m, t] for c, i, g, n, m, t in rows)


def polars_lazy(path: str, by: str | None, weight: str | None) -> list[list]:
    """Polars lazy scan: unpivot, group_by, collect both groupings together."""
    import polars as pl

    if is_parquet(path):
        src = Path(path) / "*.parquet" if Path(path).is_dir() else path
        lf = pl.scan_parquet(src)
    else:
        lf = pl.scan_csv(path)
    role = pl.col("role").str.strip_chars().str.to_lowercase()
    grp = (
        pl.when(role.is_in(list(SELF)))
        .then(pl.lit("self"))
        .when(role.is_in(list(CUSTOMER)))
        .then(pl.lit("customer"))
        .otherwise(None)
        .alias("grp")
    )
    w = (pl.col(weight).cast(pl.Float64) if weight else pl.lit(1.0)).alias("w")
    keys = [by] if by else []
    long = (
        lf.select(grp, w, *keys, *ITEMS)
        .filter(pl.col("grp").is_not_null())
        .unpivot(index=["grp", "w", *keys], on=ITEMS, variable_name="item", value_name="x")
        .drop_nulls("x")
    )
    aggs = [
        pl.len().alias("n"),
        ((pl.col("w") * pl.col("x")).sum() / pl.col("w").sum()).alias("mean"),
        ((pl.col("x") >= AGREE_AT).cast(pl.Float64) * pl.col("w")).sum() / pl.col("w").sum(),
    ]
    groupings = [[], keys] if by else [[]]
    frames = pl.collect_all([long.group_by(*k, "grp", "item").agg(aggs) for k in groupings])
    out = []
    for k, frame in zip(groupings, frames, strict=True):
        for row in frame.iter_rows():
            cell = row[0] if k else ALL
            g, item, n, m, t = row[-5:]
            out.append([cell, item, g, int(n), m, t])
    return sorted(out)


VARIANTS = {
    "floor": floor,
    "pandas": pandas_script,
    "duckdb": duckdb_sql,
    "polars": polars_lazy,
}


def cxkit_argv(path: str, by: str | None, weight: str | None) -> list[str]:
    """``cxkit gap`` arguments for the task."""
    argv = ["gap", str(path), "--role-col", "role", "-f", "json", "--no-config"]
    return argv + (["--by", by] if by else []) + (["--weight", weight] if weight else [])


def from_cxkit_json(text: str, by: str | None) -> list[list]:
    """The canonical records from ``cxkit gap -f json`` output."""
    out = []
    for row in json.loads(text)["table"]:
        if row["level"] != "item":
            continue
        cell = row[by] if by else ALL
        for g in ("self", "customer"):
            out.append(
                [cell, row["item"], g, int(row[f"n_{g}"]), row[f"mean_{g}"], row[f"agree_{g}"]]
            )
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("name", choices=sorted(VARIANTS))
    ap.add_argument("file")
    ap.add_argument("--by")
    ap.add_argument("--weight")
    args = ap.parse_args(argv)
    rows = VARIANTS[args.name](args.file, args.by, args.weight)
    if rows is not None:
        json.dump(rows, sys.stdout)
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
