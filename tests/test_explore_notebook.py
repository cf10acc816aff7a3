"""notebooks/explore.ipynb: the analyst's starting point runs top to bottom
from the repository, shows the tidy tables and charts, and is not shipped as
a report template."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill as pm
import pytest

from aiadopt.report.runner import NOTEBOOKS, default_notebooks_dir

ROOT = Path(__file__).resolve().parents[1]
EXPLORE = ROOT / "notebooks" / "explore.ipynb"


def test_explore_is_stripped_thin_and_documented():
    nb = nbformat.read(EXPLORE, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, (
            "commit notebooks without outputs"
        )
        assert (
            "def " not in cell.source and "class " not in cell.source
        )  # logic lives in the library
    for call in (
        "compute_kpis(",
        "compute_kpi_trend(",
        "compute_measures(",
        "compute_priorities(",
        "fit_competency_roi(",
        "plot.scatter(",
    ):
        assert any(call in c.source for c in code), call
    declared = pm.inspect_notebook(str(EXPLORE))
    assert {"data_dir", "period", "department", "n_boot"} <= set(declared)
    assert all(p["help"] for p in declared.values())


def test_explore_is_not_a_report_template():
    assert "explore.ipynb" not in NOTEBOOKS.values()
    assert not (default_notebooks_dir() / "explore.ipynb").exists()


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    out = tmp_path_factory.mktemp("explore") / "explore.ipynb"
    pm.execute_notebook(
        str(EXPLORE),
        str(out),
        parameters={"n_boot": 20},
        cwd=str(EXPLORE.parent),
        progress_bar=False,
        kernel_name="python3",
    )
    return nbformat.read(out, as_version=4)


def test_explore_runs_top_to_bottom_on_the_sample(executed):
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    by_id = {c.id: c for c in code}
    for cell_id in ("trend-plot", "measures-plot", "priorities-plot", "regression-plot", "combine"):
        assert any("image/png" in o.get("data", {}) for o in by_id[cell_id].outputs), cell_id
    for cell_id in ("kpis", "kpis-teams", "trend", "measures", "priorities", "regression"):
        assert any("text/html" in o.get("data", {}) for o in by_id[cell_id].outputs), (
            cell_id
        )  # a table
    teams = by_id["kpis-teams"].outputs[0]["data"]["text/plain"]
    assert "Finance" in teams and "team" in teams
