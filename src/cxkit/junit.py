"""Check outcomes for CI systems: JUnit XML and GitHub Actions annotations."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd


def junit_xml(table: pd.DataFrame, suite: str = "cxkit check") -> bytes:
    """One ``<testcase>`` per check; failures and skips carry the reason."""
    failures = int((table["status"] == "fail").sum())
    skipped = int((table["status"] == "skipped").sum())
    root = ET.Element("testsuites", name=suite, tests=str(len(table)), failures=str(failures))
    ts = ET.SubElement(
        root,
        "testsuite",
        name=suite,
        tests=str(len(table)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
    )
    for row in table.itertuples(index=False):
        case = ET.SubElement(ts, "testcase", classname=f"cxkit.{row.kind}", name=str(row.check))
        if row.status == "fail":
            ET.SubElement(case, "failure", message=str(row.reason), type=row.kind).text = str(
                row.reason
            )
        elif row.status == "skipped":
            ET.SubElement(case, "skipped", message=str(row.reason))
        else:
            ET.SubElement(case, "system-out").text = str(row.reason)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def github_annotations(table: pd.DataFrame) -> str:
    """``::error`` lines for failed checks, ``::warning`` for skipped ones.

    >>> t = pd.DataFrame([{"check": "nps, EMEA", "kind": "change", "status": "fail",
    ...                    "reason": "fell: 100%"}])
    >>> github_annotations(t)
    '::error title=cxkit check%3A nps%2C EMEA::fell: 100%25\\n'
    """
    lines = []
    for row in table.itertuples(index=False):
        level = {"fail": "error", "skipped": "warning"}.get(row.status)
        if level:
            title = _escape(f"cxkit check: {row.check}", prop=True)
            lines.append(f"::{level} title={title}::{_escape(str(row.reason))}")
    return "".join(line + "\n" for line in lines)
