"""Write docs/cli.md from the commands' own --help, so the reference cannot drift.

    python docs/make_cli_reference.py          # rewrite docs/cli.md
    python docs/make_cli_reference.py --check  # exit 1 if docs/cli.md is stale

tests/test_project.py runs the check.
"""

from __future__ import annotations

import sys
from pathlib import Path

from typer.testing import CliRunner

from cxkit.cli import COMMANDS, app

TARGET = Path(__file__).resolve().parent / "cli.md"


def render() -> str:
    runner = CliRunner()
    parts = [
        "# cxkit command reference",
        "",
        "Generated from each command's `--help` by `docs/make_cli_reference.py`; do not edit.",
        "",
    ]
    for args, title in [([], "cxkit"), *[([name], f"cxkit {name}") for name, _ in COMMANDS]]:
        res = runner.invoke(app, [*args, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1"})
        if res.exit_code != 0:
            raise SystemExit(f"{title} --help failed: {res.output}")
        parts += [f"## `{title}`", "", "```text", res.stdout.rstrip(), "```", ""]
    return "\n".join(parts)


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print("docs/cli.md is stale: run python docs/make_cli_reference.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
