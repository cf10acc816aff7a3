"""``aiadopt report --pdf``: each report also printed to ``<report>.pdf``.

The session's sample run (``sample_run`` in conftest.py) is a ``--pdf`` run
when Debian's chromium is installed: every report has a valid A4 PDF with its
title inside (tests/test_report_layout.py checks the page breaks). A missing
browser is refused before anything runs. A report whose PDF fails is a
failed report and keeps its earlier version; those runs use tiny notebooks
and a stand-in browser (a shell script), so they take seconds.
"""

from __future__ import annotations

import hashlib
import html as htmlmod
import json
import os
import re
import stat
from pathlib import Path

import nbformat
import pytest

from aiadopt.cli import main
from aiadopt.report import runner
from aiadopt.report.runner import (
    NOTEBOOKS,
    ParameterError,
    default_notebooks_dir,
    find_chromium,
    print_pdf,
)
from aiadopt.report.sections import COMPLETION_MARK

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

#: Prints a minimal PDF to --print-to-pdf=..., unless the page's URL contains $FAKE_CHROMIUM_FAIL.
FAKE_CHROMIUM = """#!/bin/sh
for arg in "$@"; do
  case "$arg" in
    --print-to-pdf=*) out="${arg#--print-to-pdf=}" ;;
    file://*) url="$arg" ;;
  esac
done
if [ -n "$FAKE_CHROMIUM_FAIL" ] && [ "${url#*$FAKE_CHROMIUM_FAIL}" != "$url" ]; then
  echo "[1203/120000.0:ERROR:headless_shell.cc] Print failed" >&2
  exit 1
fi
printf '%%PDF-1.4\\n%% %s\\n%%%%EOF\\n' "$url" > "$out"
"""


def _script(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def no_browser(tmp_path, monkeypatch):
    """No browser anywhere: an empty PATH and no AIADOPT_CHROMIUM."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("AIADOPT_CHROMIUM", raising=False)


# -- finding the browser ------------------------------------------------------------------


def test_missing_browser_is_refused_before_anything_runs(tmp_path, no_browser, monkeypatch, capsys):
    def must_not_run(*args, **kwargs):
        raise AssertionError("a report ran")

    monkeypatch.setattr(runner, "_execute", must_not_run)
    monkeypatch.setattr("aiadopt.io.load", must_not_run)
    out = tmp_path / "reports"
    assert main(["report", "--data", str(SAMPLE), "--out", str(out), "--pdf"]) == 2
    err = capsys.readouterr().err
    assert "--pdf needs chromium" in err
    for way in (
        "--chromium PATH",
        "AIADOPT_CHROMIUM",
        "chromium, chromium-browser, google-chrome",
        "apt-get install chromium",
    ):
        assert way in err, way
    assert not out.exists()


def test_chromium_without_pdf_is_refused(tmp_path, capsys):
    out = tmp_path / "reports"
    assert (
        main(
            ["report", "--data", str(SAMPLE), "--out", str(out), "--chromium", "/usr/bin/chromium"]
        )
        == 2
    )
    assert "--chromium is the browser for --pdf; add --pdf" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("kind", ["missing", "not executable"])
def test_a_given_browser_must_be_an_executable(tmp_path, no_browser, capsys, kind):
    path = tmp_path / "chromium"
    if kind == "not executable":
        path.write_text("#!/bin/sh\n")
    out = tmp_path / "reports"
    assert (
        main(["report", "--data", str(SAMPLE), "--out", str(out), "--pdf", "--chromium", str(path)])
        == 2
    )
    assert f"--chromium: {str(path)!r} is not an executable browser" in capsys.readouterr().err
    assert not out.exists()


def test_browser_from_option_then_environment_then_path(tmp_path, no_browser, monkeypatch):
    on_path = _script(Path(os.environ["PATH"]) / "chromium-browser", "#!/bin/sh\n")
    assert find_chromium() == str(on_path)
    from_env = _script(tmp_path / "env-chrome", "#!/bin/sh\n")
    monkeypatch.setenv("AIADOPT_CHROMIUM", str(from_env))
    assert find_chromium() == str(from_env)
    given = _script(tmp_path / "given-chrome", "#!/bin/sh\n")
    assert find_chromium(given) == str(given)
    monkeypatch.setenv("AIADOPT_CHROMIUM", str(tmp_path / "gone"))
    with pytest.raises(
        ParameterError, match="AIADOPT_CHROMIUM: .*gone' is not an executable browser"
    ):
        find_chromium()


# -- printing ------------------------------------------------------------------------------


def test_a_browser_that_fails_or_writes_no_pdf_is_an_error(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<h1>x</h1>")
    failing = _script(tmp_path / "failing", "#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n")
    with pytest.raises(
        runner.PdfError, match=r"exited with status 3 and no PDF \(cannot open display\)"
    ):
        print_pdf(str(failing), page, tmp_path / "page.pdf")
    silent = _script(tmp_path / "silent", "#!/bin/sh\nexit 0\n")
    with pytest.raises(runner.PdfError, match="exited with status 0 and no PDF"):
        print_pdf(str(silent), page, tmp_path / "page.pdf")
    slow = _script(tmp_path / "slow", "#!/bin/sh\nsleep 60\n")
    with pytest.raises(runner.PdfError, match="did not finish printing page.html within 1 s"):
        print_pdf(str(slow), page, tmp_path / "page.pdf", timeout=1)
    assert not (tmp_path / "page.pdf").exists()


@pytest.fixture
def tiny(tmp_path):
    """Report notebooks that show one heading and finish in a second."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in NOTEBOOKS.values():
        real = nbformat.read(default_notebooks_dir() / name, as_version=4)
        params = next(c for c in real.cells if "parameters" in c.metadata.get("tags", []))
        nb = nbformat.v4.new_notebook(metadata=real.metadata)
        nb.cells = [
            nbformat.v4.new_code_cell(params.source, metadata=params.metadata),
            nbformat.v4.new_code_cell(
                "from IPython.display import HTML, display\n"
                "display(HTML('<h1>' + (globals().get('department') or 'Organisation') + ' ' + "
                "open(__import__('os').environ['TINY_VERSION_FILE']).read() + '</h1>'))"
            ),
            nbformat.v4.new_code_cell(f"print({COMPLETION_MARK!r})"),
        ]
        nbformat.write(nb, folder / name)
    return folder


def test_a_failed_pdf_fails_the_report_and_keeps_the_earlier_version(
    tmp_path, tiny, monkeypatch, capsys
):
    browser = _script(tmp_path / "chromium", FAKE_CHROMIUM)
    version = tmp_path / "version"
    monkeypatch.setenv("TINY_VERSION_FILE", str(version))
    out = tmp_path / "reports"
    args = [
        "report",
        "--data",
        str(SAMPLE),
        "--out",
        str(out),
        "--notebooks",
        str(tiny),
        "--n-boot",
        "0",
        "--department",
        "HR",
        "--department",
        "Legal",
        "--pdf",
        "--chromium",
        str(browser),
        "--force",  # the second run re-runs the month on the same data
    ]

    version.write_text("v1")
    assert main(args) == 0
    month = out / "2026-10"
    assert "one PDF per report" in capsys.readouterr().out
    first = json.loads((month / "manifest.json").read_text())
    assert sorted(p.name for p in month.iterdir()) == [
        "department-hr.html",
        "department-hr.pdf",
        "department-legal.html",
        "department-legal.pdf",
        "index.html",
        "manifest.json",
        "organisation.html",
        "organisation.pdf",
        "results",
    ]
    for r in first["reports"]:
        assert r["pdf"] == r["file"].replace(".html", ".pdf")
        assert (month / r["pdf"]).read_bytes().startswith(b"%PDF-1.4\n% file://")

    version.write_text("v2")
    monkeypatch.setenv("FAKE_CHROMIUM_FAIL", "department-hr.html")
    assert main(args) == 1
    assert (
        "HR: printing the PDF failed: chromium exited with status 1 and no PDF"
        in capsys.readouterr().err
    )
    second = json.loads((month / "manifest.json").read_text())
    hr = next(r for r in second["reports"] if r["department"] == "HR")
    assert hr["status"] == "failed" and hr["earlier_run"] == first["finished_at"]
    assert hr["pdf"] == "department-hr.pdf"
    assert (
        "HR v1" in (month / "department-hr.html").read_text()
        and "Legal v2" in (month / "department-legal.html").read_text()
    )
    before = next(r for r in first["reports"] if r["department"] == "HR")
    assert (
        hr["pdf_sha256"]
        == before["pdf_sha256"]
        == hashlib.sha256((month / "department-hr.pdf").read_bytes()).hexdigest()
    )
    assert hr["sha256"] == before["sha256"]
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert (
        len(list((out / ".runs").iterdir())) == 1
    )  # the earlier run folder is gone, nothing half-written is left


# -- the sample, printed by chromium -----------------------------------------------------------


def test_every_report_of_the_sample_has_a_pdf_with_its_title(sample_run):
    from pypdf import PdfReader

    result, _ = sample_run
    if not any(r.pdf for r in result.results):
        pytest.skip("the sample run printed no PDFs (Debian's chromium is not installed)")
    manifest = json.loads((result.directory / "manifest.json").read_text())
    for r, entry in zip(result.results, manifest["reports"], strict=True):
        pdf = result.directory / r.file.replace(".html", ".pdf")
        assert r.pdf == entry["pdf"] == pdf.name
        reader = PdfReader(pdf)
        assert len(reader.pages) >= 3
        first = " ".join(reader.pages[0].extract_text().split())
        h1 = re.search(
            r"<h1[^>]*>(.*?)</h1>", (result.directory / r.file).read_text(), flags=re.S
        ).group(1)
        heading = " ".join(htmlmod.unescape(re.sub(r"<[^>]+>", "", h1)).split())
        assert heading and first.startswith(heading), (pdf.name, heading, first[:80])
        assert entry["pdf_sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
