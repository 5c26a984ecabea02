"""Coverage-guided fuzzing of the readers and the gap path with atheris.

    make fuzz                 # 10 minutes (FUZZ_SECONDS=600), corpus in fuzz/corpus/
    .venv/bin/python fuzz/fuzz_inputs.py -max_total_time=60 fuzz/corpus

Any exception other than a CxkitError (which carries a documented exit code and a one-line
message) is a finding: turn it into a regression test in tests/test_bad_inputs.py.
"""

from __future__ import annotations

import os
import sys
import tempfile

import atheris

with atheris.instrument_imports():
    import cxkit
    from cxkit.errors import CxkitError
    from cxkit.read import read_table

_DIR = tempfile.mkdtemp(prefix="cxkit-fuzz-")
_PATH = os.path.join(_DIR, "input.csv")


def test_one_input(data: bytes) -> None:
    with open(_PATH, "wb") as fh:
        fh.write(data)
    try:
        read_table(_PATH)
        survey = cxkit.read_survey(_PATH, use_config=False)
        result = cxkit.gap(survey, drop_unknown_roles=True)
        assert len(result.table) > 0
    except CxkitError as exc:
        message = str(exc)
        if "\n" in message or not message:
            raise AssertionError(f"error message must be one non-empty line: {message!r}") from exc


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
