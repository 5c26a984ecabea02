"""Check outcomes for CI systems: JUnit XML and GitHub Actions annotations."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd

from .errors import one_line

#: characters XML 1.0 forbids even as references (C0 controls but tab, LF and CR; lone
#: surrogates; U+FFFE, U+FFFF): a reader stops at the first one
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _visible(match: re.Match[str]) -> str:
    r"""A character as a visible escape: ``\x01``, ``\u2028``."""
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _xml(value: object) -> str:
    r"""Text that XML 1.0 can hold: forbidden characters shown as visible escapes.

    >>> print(_xml("AP\x01AC <&>\tok").replace("\t", "TAB"))
    AP\x01AC <&>TABok
    """
    return _NOT_XML.sub(_visible, str(value))


def junit_xml(table: pd.DataFrame, suite: str = "cxkit check") -> bytes:
    """One ``<testcase>`` per check; failures and skips carry the reason."""
    failures = int((table["status"] == "fail").sum())
    skipped = int((table["status"] == "skipped").sum())
    suite = _xml(suite)
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
        kind, reason = _xml(row.kind), _xml(row.reason)
        case = ET.SubElement(ts, "testcase", classname=f"cxkit.{kind}", name=_xml(row.check))
        if row.status == "fail":
            ET.SubElement(case, "failure", message=reason, type=kind).text = reason
        elif row.status == "skipped":
            ET.SubElement(case, "skipped", message=reason)
        else:
            ET.SubElement(case, "system-out").text = reason
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _escape(text: str, prop: bool = False) -> str:
    r"""Text for a workflow command, by GitHub's rules (``%``, CR and LF as ``%25``,
    ``%0D``, ``%0A``; in a property also ``:`` and ``,``), on one line: other characters
    that could end or break it are shown as visible escapes (:func:`cxkit.errors.one_line`,
    as error messages, notes and the terminal table show them).

    >>> print(_escape("a\nb\x01c\u2028 9%, d: e", prop=True))
    a%0Ab\x01c\u2028 9%25%2C d%3A e
    """
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    text = one_line(text)
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
