"""Write the bad-input corpus: files that survey platforms, colleagues and broken data drops
really produce. Every command must meet each with a documented exit code and a one-line
message naming the file (tests/test_bad_inputs.py).

    python tests/data/make_bad_corpus.py [FOLDER]     # default: tests/data/bad/

The files are generated rather than committed (a few are large or binary); the output is the
same on every run.
"""

from __future__ import annotations

import io
import random
import sys
import zipfile
from pathlib import Path

HEADER = "respondent_id,role,region,q1,q2,q3\n"
GOOD_ROWS = [
    "1,executive,EMEA,4,5,4\n",
    "2,customer,EMEA,2,3,2\n",
    "3,employee,AMER,5,4,4\n",
    "4,customer,AMER,3,2,1\n",
]


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


def corpus() -> dict[str, bytes]:
    """File name -> bytes, for every awkward case."""
    rng = random.Random(20261123)
    good = (HEADER + "".join(GOOD_ROWS)).encode()
    files: dict[str, bytes] = {
        "empty.csv": b"",
        "blank_lines.csv": b"\n\n\r\n",
        "header_only.csv": HEADER.encode(),
        "truncated_quote.csv": good + b'5,customer,"EM',
        "truncated_row.csv": good + b"5,customer,EMEA,4",
        "ragged.csv": (HEADER + GOOD_ROWS[0] + "2,customer,EMEA,2,3,2,9,9\n").encode(),
        "nul_bytes.csv": good.replace(b"EMEA", b"EM\x00EA", 1),
        "random_bytes.csv": bytes(rng.getrandbits(8) for _ in range(4096)),
        "xlsx_named.csv": _zip_bytes(),
        "csv_named.xlsx": good,
        "invalid_utf8_middle.csv": good.replace(b"AMER", b"AM\xff\xfeR", 1)
        + b"\x81\x8d\x8f\x90\x9d\n",
        "one_mb_field.csv": (
            HEADER + "".join(GOOD_ROWS) + '5,executive,"' + "x" * 1_000_000 + '",4,5,4\n'
        ).encode(),
        "ten_thousand_columns.csv": (
            ",".join(f"c{i}" for i in range(10_000)) + "\n" + ",".join("3" for _ in range(10_000))
        ).encode()
        + b"\n",
        "duplicate_headers.csv": b"role,q1,q1\nexecutive,4,4\ncustomer,2,2\n",
        "formula_cells.csv": (
            b"respondent_id,role,region,q1,q2,q3\n"
            b'1,executive,"=HYPERLINK(""http://x"",""y"")",4,5,4\n'
            b"2,customer,+cmd|' /C calc'!A0,2,3,2\n"
            b"3,employee,@SUM(1+1),5,4,4\n"
            b"4,customer,-2+3,3,2,1\n"
        ),
        "control_and_rtl_labels.csv": (
            HEADER
            + "1,executive,\x1b[31mred\x07,4,5,4\n"
            + "2,customer,\u202eAMER\u202c \u0645\u0635\u0631,2,3,2\n"
            + "3,employee,\u200fEMEA,5,4,4\n"
            + "4,customer,AMER,3,2,1\n"
        ).encode(),
        "number_1e309.csv": (HEADER + GOOD_ROWS[0] + "2,customer,EMEA,1e309,3,2\n").encode(),
        "number_nan.csv": (HEADER + GOOD_ROWS[0] + "2,customer,EMEA,NaN,3,2\n").encode(),
        "number_inf.csv": (HEADER + GOOD_ROWS[0] + "2,customer,EMEA,inf,3,2\n").encode(),
        "number_thousands.csv": (
            HEADER + GOOD_ROWS[0] + '2,customer,EMEA,"1,234.5",3,2\n'
        ).encode(),
        "arabic_digits.csv": (
            HEADER + GOOD_ROWS[0] + "2,customer,EMEA,\u0661\u0662\u0663,3,2\n"
        ).encode(),
        "utf16_no_bom.csv": good.decode().encode("utf-16-le"),
        "only_delimiters.csv": b",,,,\n,,,,\n",
        "no_role_column.csv": b"id,q1\n1,4\n2,2\n",
        "parquet_garbage.parquet": b"PAR1" + bytes(rng.getrandbits(8) for _ in range(256)),
    }
    return files


def write(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in corpus().items():
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "bad"
    print(f"wrote {len(write(target))} files to {target}")
