"""Render a :class:`~cxkit.report.Report` as one self-contained HTML file or Markdown + PNGs.

HTML: charts embedded as base64 PNG, no scripts, no network resources, print CSS. Every
text that came from the data (labels, headlines, notes, paths) goes through
:func:`html.escape`, so a label such as ``<script>`` shows as text.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from .output import _fmt_cell, _records, _view
from .report import Report, Section

CSS = """
:root { --ink: #1a1a1a; --muted: #5a5a5a; --rule: #d8d8d8; --accent: #0072B2; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: var(--ink);
  max-width: 1180px; margin: 0 auto; padding: 24px 32px; line-height: 1.45; font-size: 15px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; border-bottom: 2px solid var(--accent); padding-bottom: 4px;
  margin-top: 36px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta, .muted, figcaption { color: var(--muted); font-size: 13px; }
.headlines li { margin: 6px 0; }
.headline { font-size: 16px; font-weight: bold; }
figure { margin: 12px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--rule); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 12px; margin: 6px 0; }
th, td { padding: 3px 6px; border-bottom: 1px solid var(--rule); vertical-align: top; }
td { max-width: 300px; }
td.num { white-space: nowrap; }
th { text-align: left; background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.em td { font-weight: bold; }
.skipped { color: var(--muted); font-style: italic; }
code { font-size: 12px; word-break: break-all; }
footer { margin-top: 40px; border-top: 1px solid var(--rule); font-size: 12.5px; }
@media print, (max-width: 800px) {
  table { font-size: 10px; }
  th, td { padding: 2px 3px; }
  td.num { white-space: normal; }
}
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  h2 { break-after: avoid; }
  figure, table, .headlines { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
@page { margin: 16mm 14mm; }
"""


def esc(value: object) -> str:
    """HTML-escape any value as text (quotes too)."""
    return html.escape(str(value), quote=True)


def _table_html(section: Section) -> str:
    result = section.result
    if result is None:  # a skipped section has no table
        return ""
    view = _view(result)
    head = "".join(f"<th>{esc(c.header)}</th>" for c in view)
    rows = []
    for row in _records(result, shown=True):
        emph = bool(result.emphasis_col) and row.get(result.emphasis_col) != result.emphasis_plain
        cells = "".join(
            f"<td{'' if c.kind == 'text' else ' class=num'}>{esc(_fmt_cell(row, c))}</td>"
            for c in view
        )
        rows.append(f"<tr{' class=em' if emph else ''}>{cells}</tr>")
    return (
        f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _methods(section: Section) -> list[str]:
    methods = (section.result.provenance.get("methods") or {}) if section.result else {}
    return [f"{k}: {v}" for k, v in methods.items()]


def _section_html(section: Section) -> str:
    parts = [
        f'<section class="analysis" id="{esc(section.key)}">',
        f"<h2>{esc(section.title)}</h2>",
    ]
    if section.result is None:
        parts.append(f'<p class="skipped">Skipped: {esc(section.skipped)}</p></section>')
        return "\n".join(parts)
    result = section.result
    if result.headline:
        parts.append(f'<p class="headline">{esc(result.headline)}</p>')
    if section.chart:
        data = base64.b64encode(section.chart).decode("ascii")
        parts.append(
            f'<figure><img src="data:image/png;base64,{data}" alt="{esc(section.title)} chart">'
            f"<figcaption>Chart: {esc(section.title)}.</figcaption></figure>"
        )
    parts.append(_table_html(section))
    notes = section.notes + list(result.notes)
    if notes:
        parts.append("<h3>Notes</h3><ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    methods = _methods(section)
    if methods:
        parts.append(
            '<h3>Methods</h3><ul class="muted">'
            + "".join(f"<li>{esc(m)}</li>" for m in methods)
            + "</ul>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def _provenance_rows(report: Report) -> list[tuple[str, str, str]]:
    rows = [
        (str(i.get("path", "")), str(i.get("sha256") or "–"), str(i.get("rows", "–")))
        for i in report.inputs
    ]
    if report.config:
        rows.append((f"{report.config['path']} (config)", str(report.config["sha256"]), "–"))
    return rows


def to_html(report: Report) -> str:
    """The report as one self-contained HTML document (no scripts, no external resources)."""
    heads = (
        "".join(f"<li><strong>{esc(t)}:</strong> {esc(h)}</li>" for t, h in report.headlines)
        or "<li>No analysis could run on this input; see the sections below.</li>"
    )
    skipped = [s for s in report.sections if s.result is None]
    skipped_line = (
        f'<p class="muted">Skipped: {esc(", ".join(s.title for s in skipped))} '
        "(reasons in their sections).</p>"
        if skipped
        else ""
    )
    prov = "".join(
        f"<tr><td><code>{esc(p)}</code></td><td><code>{esc(h)}</code></td>"
        f"<td class=num>{esc(n)}</td></tr>"
        for p, h, n in _provenance_rows(report)
    )
    options = ", ".join(f"{k} = {v}" for k, v in report.options.items())
    body = [
        f"<header><h1>{esc(report.title)}</h1>",
        f'<p class="meta">Source: {esc(report.source)} · generated {esc(report.date)} · '
        f"cxkit {esc(report.version)}</p></header>",
        '<section id="headlines" class="headlines"><h2>Headline findings</h2>',
        f"<ul>{heads}</ul>{skipped_line}</section>",
        *(_section_html(s) for s in report.sections),
        '<footer id="provenance"><h2>Provenance</h2>',
        '<div class="table-wrap"><table><thead><tr><th>Input</th><th>sha256</th>'
        f"<th>Rows</th></tr></thead><tbody>{prov}</tbody></table></div>",
        f"<p>cxkit {esc(report.version)} · options: {esc(options)} · generated "
        f"{esc(report.date)}</p></footer>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(report.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _md(text: object) -> str:
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("\n", " ")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def to_markdown(report: Report, image_names: dict[str, str]) -> str:
    """The report as Markdown; ``image_names`` maps a section key to its PNG file name."""
    from .output import to_markdown as result_markdown

    lines = [
        f"# {_md(report.title)}",
        "",
        f"Source: {_md(report.source)} · generated "
        f"{_md(report.date)} · cxkit {_md(report.version)}",
        "",
        "## Headline findings",
        "",
    ]
    lines += [f"- **{_md(t)}:** {_md(h)}" for t, h in report.headlines] or ["- (none)"]
    for s in report.sections:
        lines += ["", f"## {_md(s.title)}", ""]
        if s.result is None:
            lines.append(f"_Skipped: {_md(s.skipped)}_")
            continue
        if s.key in image_names:
            lines += [f"![{_md(s.title)} chart]({image_names[s.key]})", ""]
        lines.append(result_markdown(s.result).rstrip("\n"))
        extra = s.notes + [f"Method — {m}" for m in _methods(s)]
        if extra:
            lines += [""] + [f"- {_md(n)}" for n in extra]
    lines += ["", "## Provenance", "", "| Input | sha256 | Rows |", "|---|---|---:|"]
    lines += [f"| {_md(p)} | `{h}` | {_md(n)} |" for p, h, n in _provenance_rows(report)]
    options = ", ".join(f"{k} = {v}" for k, v in report.options.items())
    lines += ["", f"cxkit {_md(report.version)} · options: {_md(options)}"]
    return "\n".join(lines) + "\n"


def chart_path(path: Path, key: str) -> Path:
    """Where a Markdown report's chart of section ``key`` goes: ``<stem>-<key>.png`` beside it.

    >>> chart_path(Path("out/r.md"), "gap").as_posix()
    'out/r-gap.png'
    """
    return path.with_name(f"{path.stem}-{key}.png")


def check_report_paths(path: str | Path, fmt: str) -> None:
    """Check, before any work, that the report and (Markdown) every chart it may have can
    be written: their folder exists and none of them is a folder (:class:`OutputError`)."""
    from .output import check_folder
    from .report import SECTION_KEYS

    path = Path(path)
    check_folder(path, "--output")
    if fmt == "markdown":
        for key in SECTION_KEYS:
            check_folder(chart_path(path, key), "--output")


def write_report(report: Report, path: str | Path, fmt: str) -> list[Path]:
    """Write the report (HTML, or Markdown with ``<stem>-<section>.png`` beside it); every
    file is written whole, or none is (:func:`cxkit.output.write_all`). Return the files
    written, the report last."""
    from .output import write_all

    path = Path(path)
    if fmt == "html":
        write_all([(path, to_html(report).encode("utf-8"), "--output")])
        return [path]
    files = []
    names = {}
    for s in report.sections:
        if s.chart:
            png = chart_path(path, s.key)
            files.append((png, s.chart, "--output"))
            names[s.key] = png.name
    files.append((path, to_markdown(report, names).encode("utf-8"), "--output"))
    write_all(files)
    return [f[0] for f in files]
