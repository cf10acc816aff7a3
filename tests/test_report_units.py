"""Report building blocks: slugs, parameter checks, sanitizing, escaping,
and the notebooks themselves (stripped, documented, runnable as they are)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill as pm
import pytest

from aiadopt.report import html as rhtml
from aiadopt.report.runner import ParameterError, _incomplete, slugify, validate_parameters
from aiadopt.report.sections import COMPLETION_MARK, Report

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SAMPLE = ROOT / "data" / "sample"


@pytest.mark.parametrize(
    "name,slug",
    [
        ("Finance", "finance"),
        ("../../etc/passwd", "etc-passwd"),
        ("Klantenservice / Zakelijk", "klantenservice-zakelijk"),
        ("Één & Zoveel", "een-zoveel"),
        ("<script>", "script"),
        ("...", "unnamed"),
    ],
)
def test_slugify_is_safe(name, slug):
    assert slugify(name) == slug
    assert "/" not in slugify(name) and ".." not in slugify(name)


def test_validate_parameters_checks_names_and_types():
    nb = NOTEBOOKS / "department_report.ipynb"
    ok = validate_parameters(nb, {"department": "0042", "min_group_size": 5, "n_boot": 10})
    assert ok["department"] == "0042"
    with pytest.raises(ParameterError, match="unknown parameter 'colour'"):
        validate_parameters(nb, {"colour": "blue"})
    with pytest.raises(ParameterError, match="parameter 'min_group_size' must be int, got str '5'"):
        validate_parameters(nb, {"min_group_size": "5"})
    with pytest.raises(ParameterError, match="must be int, got bool"):
        validate_parameters(nb, {"n_boot": True})
    with pytest.raises(ParameterError, match="parameter 'department' must be str, got int 42"):
        validate_parameters(nb, {"department": 42})


def test_sanitize_strips_scripts_styles_and_external_urls():
    dirty = (
        '<h2 id="x" onclick="evil()">T</h2><script>alert(1)</script><style>body{}</style>'
        '<img src="https://tracker.example/x.png"><img src="data:image/png;base64,AAAA" alt="ok">'
        '<a href="https://example.org">out</a><a href="#kpis">in</a><iframe src="x"></iframe>'
    )
    clean = rhtml.sanitize(dirty)
    assert (
        "<script" not in clean
        and "<style" not in clean
        and "onclick" not in clean
        and "iframe" not in clean
    )
    assert "tracker.example" not in clean and "example.org" not in clean
    assert 'src="data:image/png;base64,AAAA"' in clean and 'href="#kpis"' in clean
    assert '<h2 id="x">' in clean


def test_page_has_csp_and_toc():
    page = rhtml.page("T <x>", '<h2 id="a">A</h2><h2 id="b">B &amp; C</h2>')
    assert "default-src 'none'" in page and "<title>T &lt;x&gt;</title>" in page
    assert '<a href="#a">A</a>' in page and '<a href="#b">B &amp; C</a>' in page


def test_names_from_data_are_escaped_in_reports(monkeypatch):
    shown = []
    monkeypatch.setattr("aiadopt.report.sections._display", shown.append)
    report = Report(SAMPLE, department="Finance", n_boot=0)
    report.department = "<img src=x onerror=alert(1)>"  # a hostile name, as if from the data
    report.paragraph(report.department)
    report.table(__import__("pandas").DataFrame({"unit": [report.department]}))
    assert all("<img src=x" not in s for s in shown)
    assert any("&lt;img src=x onerror=alert(1)&gt;" in s for s in shown)


def test_incomplete_notebooks_are_detected():
    nb = nbformat.v4.new_notebook()
    done = nbformat.v4.new_code_cell("report.finish()", execution_count=2)
    done.outputs = [nbformat.v4.new_output("stream", name="stdout", text=COMPLETION_MARK + "\n")]
    first = nbformat.v4.new_code_cell("x = 1", execution_count=1)
    nb.cells = [first, done]
    assert _incomplete(nb) is None
    done.outputs = []
    assert "did not reach its last cell" in _incomplete(nb)
    done.execution_count = None
    assert "stopped before code cell 2" in _incomplete(nb)
    first.outputs = [nbformat.v4.new_output("error", ename="SystemExit", evalue="0", traceback=[])]
    assert _incomplete(nb) == "SystemExit: 0 (code cell 1)"


@pytest.mark.parametrize("name", ["department_report.ipynb", "organisation_report.ipynb"])
def test_notebooks_are_stripped_and_documented(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                "commit notebooks without outputs"
            )
            assert (
                "def " not in cell.source and "class " not in cell.source
            )  # logic lives in the library
    declared = pm.inspect_notebook(str(NOTEBOOKS / name))
    assert {"data_dir", "period", "lang", "min_group_size"} <= set(declared)
    for param in declared.values():
        assert param["inferred_type_name"] in ("str", "int"), param
        assert param["help"], f"parameter {param['name']} has no comment"


@pytest.mark.parametrize("name", ["department_report.ipynb", "organisation_report.ipynb"])
def test_notebooks_run_top_to_bottom_with_their_defaults(tmp_path, name):
    """As an analyst opens them in JupyterLab: no parameters, cwd notebooks/."""
    out = tmp_path / name
    pm.execute_notebook(
        str(NOTEBOOKS / name),
        str(out),
        parameters={"n_boot": 50},
        cwd=str(NOTEBOOKS),
        progress_bar=False,
        kernel_name="python3",
    )
    assert _incomplete(nbformat.read(out, as_version=4)) is None
