"""``cxkit report``: structure, embedded images, escaping, skips, Markdown, Chromium render."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from html.parser import HTMLParser

import numpy as np
import pytest
from typer.testing import CliRunner

from cxkit.cli import app

from .conftest import ROOT
from .test_charts import png_size

runner = CliRunner()
EXAMPLE = ROOT / "examples"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-logging=stderr",
    "--v=0",
]


class Outline(HTMLParser):
    """Collect what the tests look at: section ids, image sources, links, script tags."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.images: list[str] = []
        self.urls: list[str] = []
        self.scripts = 0
        self.skipped: list[str] = []
        self._in_skipped = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("section", "footer") and a.get("id"):
            self.sections.append(a["id"])
        if tag == "img":
            self.images.append(a.get("src", ""))
        for key in ("src", "href"):
            if a.get(key):
                self.urls.append(a[key])
        self.scripts += tag == "script"
        self._in_skipped = tag == "p" and a.get("class") == "skipped"

    def handle_data(self, data):
        if self._in_skipped:
            self.skipped.append(data)
            self._in_skipped = False


def outline(text: str) -> Outline:
    parser = Outline()
    parser.feed(text)
    return parser


@pytest.fixture(scope="module")
def example_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    res = runner.invoke(
        app,
        [
            "report",
            str(EXAMPLE / "centricity_survey.csv"),
            "--config",
            str(EXAMPLE / "report.toml"),
            "--bootstrap",
            "100",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture
def tiny(tmp_path):
    """Two roles, a segment whose label is a script tag, an item label with one, an NPS."""
    rng = np.random.default_rng(7)
    rows = ["respondent_id,role,region,q1,q2,nps"]
    for i in range(80):
        region = '"<script>alert(1)</script>"' if i % 2 else "North & South"
        a, b = rng.integers(1, 6, 2)
        rows.append(f"R{i},{'exec' if i < 40 else 'customer'},{region},{a},{b},{i % 11}")
    (tmp_path / "survey.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "cxkit.toml").write_text(
        '[columns]\nid = "respondent_id"\nrole = "role"\nsegment = "region"\n'
        '[roles]\nself = ["exec"]\ncustomer = ["customer"]\n'
        "[scale]\nmin = 1\nmax = 5\nagree = 4\n"
        "[items.q1]\nlabel = \"<script>alert('item')</script>\"\n"
        '[items.q2]\nlabel = "Plain item"\n'
        '[report]\ntitle = "Tiny <b>report</b>"\n'
    )
    return tmp_path


def test_example_report_has_every_section_chart_and_provenance(example_report):
    text = example_report.read_text(encoding="utf-8")
    doc = outline(text)
    assert doc.sections == ["headlines", "gap", "trend", "nps", "obstacles", "roi", "provenance"]
    assert text.index('id="headlines"') < text.index('id="gap"')  # headline findings first
    assert len(doc.images) == 5 and not doc.skipped
    for src in doc.images:
        assert src.startswith("data:image/png;base64,")
        w, h = png_size(base64.b64decode(src.split(",", 1)[1], validate=True))
        assert w >= 750 and h >= 300
    # self-contained: nothing to fetch, nothing to run
    assert all(u.startswith("data:") for u in doc.urls) and doc.scripts == 0
    assert not re.search(r"url\(|@import|<link", text)  # no stylesheet or font to fetch
    assert "@media print" in text
    sha = __import__("hashlib").sha256((EXAMPLE / "centricity_survey.csv").read_bytes())
    assert sha.hexdigest() in text and "cxkit 0." in text
    assert "obstacles_ranked.csv" in text and "accounts.csv" in text  # every input listed


def test_data_labels_are_escaped_and_missing_inputs_skipped_with_a_note(tiny):
    out = tiny / "r.html"
    res = runner.invoke(app, ["report", str(tiny / "survey.csv"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    doc = outline(text)
    assert doc.scripts == 0 and "<script" not in text and "<b>report" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # the segment label, as text
    assert "&lt;script&gt;alert(&#x27;item&#x27;)&lt;/script&gt;" in text  # the item label
    assert "<title>Tiny &lt;b&gt;report&lt;/b&gt;</title>" in text
    assert "North &amp; South" in text
    assert len(doc.images) == 2  # gap and nps ran
    skipped = " ".join(doc.skipped)
    assert "no wave column" in skipped
    assert "no column name contains 'obstacle'" in skipped
    assert "no finance file configured" in skipped
    assert "roi skipped: no finance file configured" in res.stderr


def test_markdown_report_writes_its_pngs_beside_it(tiny):
    out = tiny / "r.md"
    res = runner.invoke(app, ["report", str(tiny / "survey.csv"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    md = out.read_text(encoding="utf-8")
    for key in ("gap", "nps"):
        assert f"(r-{key}.png)" in md
        assert png_size((tiny / f"r-{key}.png").read_bytes())[0] >= 750
    assert "<script" not in md and "&lt;script&gt;" in md
    assert md.index("## Headline findings") < md.index("## Self-rated")
    assert "_Skipped: no finance file configured" in md


def test_report_config_is_validated_and_paths_are_relative_to_it(tiny):
    cfg = tiny / "cxkit.toml"
    text = cfg.read_text()
    cfg.write_text(text + 'financ = "x.csv"\n')
    res = runner.invoke(app, ["report", str(tiny / "survey.csv"), "-o", str(tiny / "r.html")])
    assert res.exit_code == 3
    assert "cxkit.toml: report.financ: unknown key; expected one of" in res.stderr
    assert not (tiny / "r.html").exists()
    cfg.write_text(text + 'finance = "accounts.csv"\n')
    res = runner.invoke(app, ["report", str(tiny / "survey.csv"), "-o", str(tiny / "r.html")])
    assert res.exit_code == 3 and "report.finance needs report.cx and report.outcome" in res.stderr
    sub = tiny / "cfg"
    sub.mkdir()
    shutil.copy(EXAMPLE / "roi" / "accounts.csv", sub / "accounts.csv")
    (sub / "cxkit.toml").write_text(
        text + 'finance = "accounts.csv"\ncx = ["nps"]\noutcome = ["revenue_growth"]\n'
        'entity = "account_id"\n'
    )
    out = tiny / "r.html"
    res = runner.invoke(
        app,
        ["report", str(tiny / "survey.csv"), "--config", str(sub / "cxkit.toml"), "-o", str(out)],
    )
    assert res.exit_code == 0, res.output
    html = out.read_text()
    assert 'id="roi"' in html and "Accounts 10 NPS points higher" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "r.pdf"], "--output r.pdf: unknown extension '.pdf'; use .html or .md"),
        (
            ["-f", "markdown"],
            "a Markdown report needs --output report.md (its charts go beside it)",
        ),
        (["-f", "pdf"], "--format 'pdf': choose html or markdown"),
        (["-f", "html", "-o", "r.md"], "--format html contradicts --output r.md: drop one"),
    ],
)
def test_output_option_errors_are_usage_errors(tiny, args, message):
    res = runner.invoke(app, ["report", str(tiny / "survey.csv"), *args])
    assert res.exit_code == 2 and res.stderr == f"cxkit: error: {message}\n"


def _chromium(url: str, tmp_path, *extra: str) -> subprocess.CompletedProcess:
    exe = shutil.which("chromium")
    if exe is None:
        pytest.skip("chromium is not installed (.ci/run installs Debian's package)")
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *extra]
    return subprocess.run(
        [exe, *flags, url], capture_output=True, text=True, timeout=120, check=False
    )


def console_messages(stderr: str) -> list[str]:
    """Chromium's ``--enable-logging=stderr`` lines for page console output and JS errors."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def test_chromium_renders_the_report_without_console_errors(example_report, tmp_path):
    # the detector can fail: a page with a console error and an exception is caught
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>console.error('x'); nope();</script></body></html>")
    caught = console_messages(_chromium(bad.as_uri(), tmp_path, "--dump-dom").stderr)
    assert any("Uncaught ReferenceError" in m for m in caught), caught
    shot = tmp_path / "shot.png"
    proc = _chromium(
        example_report.as_uri(),
        tmp_path,
        "--hide-scrollbars",
        "--window-size=1200,3000",
        f"--screenshot={shot}",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert console_messages(proc.stderr) == []
    assert png_size(shot.read_bytes()) == (1200, 3000)
    dom = _chromium(example_report.as_uri(), tmp_path, "--dump-dom")
    assert console_messages(dom.stderr) == []
    assert 'id="provenance"' in dom.stdout and dom.stdout.count("<img") == 5


def test_example_config_and_readme_chart_are_reproduced(tmp_path):
    import sys

    for script, target in (
        ("examples/make_report.py", "examples/report.toml"),
        ("docs/make_chart.py", "docs/obstacles_by_wave.png"),
    ):
        copy = tmp_path / script
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / script, copy)
        if script.startswith("examples"):
            shutil.copy(ROOT / "examples" / "cxkit.toml", tmp_path / "examples" / "cxkit.toml")
        else:
            (tmp_path / "examples").mkdir(exist_ok=True)
            shutil.copy(ROOT / "examples" / "obstacles_ranked.csv", tmp_path / "examples")
        subprocess.run([sys.executable, str(copy)], check=True, cwd=tmp_path)
        assert (tmp_path / target).read_bytes() == (ROOT / target).read_bytes(), target
    assert (ROOT / "docs/obstacles_by_wave.png").stat().st_size < 200_000


def test_a_drop_folder_trends_over_its_files_and_nothing_to_run_is_exit_3(tmp_path):
    drops = tmp_path / "drops"
    drops.mkdir()
    for name in ("2026Q1.csv", "2026Q2.csv", "2026Q3.csv", "cxkit.toml"):
        shutil.copy(EXAMPLE / "drops" / name, drops / name)
    out = tmp_path / "r.html"
    res = runner.invoke(app, ["report", str(drops), "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text()
    assert "2026Q1" in text and "2026Q3" in text and text.count("data:image/png") == 3
    # a file no analysis can use: one line, exit 3, nothing written
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n3,4\n")
    out2 = tmp_path / "r2.html"
    res = runner.invoke(app, ["report", str(other), "--no-config", "-o", str(out2)])
    assert res.exit_code == 3 and not out2.exists()
    assert res.stderr.startswith(f"cxkit: error: {other}: no analysis could run on this file")


def test_same_input_and_date_give_identical_bytes(tiny, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    outs = [tiny / "a.html", tiny / "b.html"]
    for out in outs:
        res = runner.invoke(app, ["report", str(tiny / "survey.csv"), "-o", str(out)])
        assert res.exit_code == 0, res.output
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert "generated 2026-11-18 " in outs[0].read_text()


def test_stdin_is_refused_with_the_fix():
    res = runner.invoke(app, ["report", "-"], input="a,b\n1,2\n")
    assert res.exit_code == 2
    assert "save stdin to a file" in res.stderr
