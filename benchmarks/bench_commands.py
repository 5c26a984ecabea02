"""Time the other everyday runs on the benchmark survey beside their floors.

nps, metric, trend, inspect, gap's Parquet output and gap's wave comparison, gap with the
respondent id column named in ``cxkit.toml`` (its ids are checked for duplicates) and a
``cxkit check`` gate (the survey, then a copy with other bytes as the drop checked), each
beside its floor (pyarrow reading the columns it needs) and, given an older source tree,
beside that tree's cxkit.

    python benchmarks/bench_commands.py [--rows 1000000] [--repeat 5] [--old OLD_SRC]
                                        [--file SURVEY.parquet]

``OLD_SRC`` is the ``src`` folder of an older checkout (``git archive REV src | tar -x -C
DIR``), put first on ``PYTHONPATH`` for its runs. Whole processes, interleaved, median wall
time and the largest peak RSS; Markdown on standard output.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_data  # noqa: E402
from run import compiled, timed  # noqa: E402
from variants import ITEMS  # noqa: E402

#: name -> (cxkit arguments after the file, the columns the task needs)
RUNS = {
    "nps": (["nps", "--col", "nps"], ["nps"]),
    "nps --by segment --weight weight": (
        ["nps", "--col", "nps", "--by", "segment", "--weight", "weight"],
        ["nps", "segment", "weight"],
    ),
    "metric --index --by segment": (["metric", "--index", "--by", "segment"], [*ITEMS, "segment"]),
    "trend --metric nps": (["trend", "--metric", "nps"], ["nps", "wave"]),
    "inspect": (["inspect"], ["respondent_id", "role", "segment", "wave", "weight", *ITEMS, "nps"]),
    "gap -o gap.parquet": (
        ["gap", "--role-col", "role", "-o", "{out}/gap.parquet"],
        ["role", *ITEMS],
    ),
    "gap --wave 2026Q3 --compare-to 2026Q2": (
        ["gap", "--role-col", "role", "--wave", "2026Q3", "--compare-to", "2026Q2"],
        ["role", "wave", *ITEMS],
    ),
    "gap, config naming the id column": (
        ["gap", "--config", "{out}/ids.toml"],
        ["respondent_id", "role", *ITEMS],
    ),
    "check: ids, groups, drift, a gap threshold (two drops)": (
        ["check", "{out}/drop2.parquet", "--config", "{out}/check.toml"],
        ["respondent_id", "role", "segment", "wave", "weight", *ITEMS, "nps"],
    ),
}

#: file name -> the cxkit.toml a run above names
CONFIGS = {
    "ids.toml": '[columns]\nid = "respondent_id"\nrole = "role"\n',
    "check.toml": (
        '[columns]\nid = "respondent_id"\nrole = "role"\n\n'
        "[[check]]\nunique_ids = true\n\n"
        '[[check]]\nmin_responses = 30\nper = "segment"\n\n'
        "[[check]]\ndrift = true\n\n"
        '[[check]]\nexpr = "gap.overall.mean_self >= 1"\n'
    ),
}

FLOOR = "import sys, pyarrow.parquet as pq; pq.read_table(sys.argv[1], columns=sys.argv[2:])"


def argv_for(who: str, path: Path, name: str, out: str, old: str | None) -> list[str]:
    args, columns = RUNS[name]
    if who == "floor":
        return [sys.executable, "-c", FLOOR, str(path), *columns]
    env = ["env", f"PYTHONPATH={old}"] if who == "before" else ["env"]
    filled = [a.format(out=out, file=path) for a in args]
    cmd = [*env, sys.executable, "-m", "cxkit", filled[0], str(path), *filled[1:]]
    if filled[0] == "inspect" or "--config" in filled:
        return cmd if filled[0] != "gap" else [*cmd, "-f", "json"]
    return [*cmd, "--no-config", *([] if "-o" in filled else ["-f", "json"])]


def second_drop(path: Path, to: Path) -> None:
    """The survey again as another file for check's second drop: the same rows (and waves),
    with one more schema metadata key, since check refuses one file (or sha256) given twice."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    meta = {**(table.schema.metadata or {}), b"cxkit_benchmark": b"second drop"}
    pq.write_table(table.replace_schema_metadata(meta), to)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--old", help="an older checkout's src folder, timed as 'before'")
    ap.add_argument("--file", type=Path, help="a survey written by make_data (not --rows)")
    args = ap.parse_args(argv)
    path = args.file or make_data.ensure(args.rows)[1]  # the Parquet file
    compiled()
    who = ["floor", "cxkit", *(["before"] if args.old else [])]
    if args.old:
        compiled(Path(args.old) / "cxkit")
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as out:
        for name, text in CONFIGS.items():
            (Path(out) / name).write_text(text)
        second_drop(path, Path(out) / "drop2.parquet")
        for _ in range(args.repeat):
            for name in RUNS:
                for w in who:
                    cmd = argv_for(w, path, name, out, args.old)
                    times.setdefault((name, w), []).append(timed(cmd))
    head = "| run | floor | cxkit |" + (" before | speed-up |" if args.old else "")
    print(f"{path.name}, median of {args.repeat} (seconds, peak RSS); cxkit as a ratio to the "
          "floor of the same run\n")  # fmt: skip
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for name in RUNS:
        med = {w: statistics.median(t for t, _ in times[(name, w)]) for w in who}
        rss = {w: max(m for _, m in times[(name, w)]) for w in who}
        cells = [f"`{name}`", f"{med['floor']:.2f} s, {rss['floor']:.0f} MB"]
        cells.append(
            f"{med['cxkit'] / med['floor']:.2f}× ({med['cxkit']:.2f} s, {rss['cxkit']:.0f} MB)"
        )
        if args.old:
            cells.append(f"{med['before']:.2f} s, {rss['before']:.0f} MB")
            cells.append(f"{med['before'] / med['cxkit']:.2f}×")
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
