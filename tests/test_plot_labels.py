"""Names are text in every chart: a ``$`` is a dollar sign (never mathtext),
and a very long name is cut with "…" (tables keep it whole)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from hostile import (  # noqa: E402
    DOLLAR_DEPT,
    DOLLAR_ID,
    DOLLAR_TEAM,
    LONG_ID,
    LONG_TEAM,
    hostile_folder,
)
from matplotlib.text import Text  # noqa: E402

from aiadopt import load  # noqa: E402
from aiadopt.gallery import CHARTS, write_charts  # noqa: E402
from aiadopt.measures import compute_measures  # noqa: E402
from aiadopt.plots import MAX_LABEL_CHARS, shorten  # noqa: E402
from aiadopt.plots.impact_effort import plot_impact_effort  # noqa: E402
from aiadopt.plots.measures import (  # noqa: E402
    plot_competency_gap,
    plot_culture,
    plot_goal_mix,
    plot_phases,
    plot_skills_pyramid,
    plot_trained_roi,
)
from aiadopt.plots.regression import plot_coefficients, plot_importance  # noqa: E402
from aiadopt.prioritisation import compute_priorities  # noqa: E402
from aiadopt.regression import fit_competency_roi  # noqa: E402
from aiadopt.report import sections  # noqa: E402

PERIOD = "2026-10"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return hostile_folder(tmp_path_factory.mktemp("hostile") / "data")


@pytest.fixture(scope="module")
def data(folder):
    return load(folder)


@pytest.fixture(scope="module")
def measures(data):
    return compute_measures(data, period=PERIOD, n_boot=20)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def _check(fig, *, literal=(), shortened=()) -> list[str]:
    """Draw ``fig`` with mathtext switched on (the default) and check its texts."""
    with mpl.rc_context({"text.parse_math": True, "text.usetex": False}):
        fig.savefig(io.BytesIO(), format="png")  # mathtext raises ValueError on "$x_1_2$"
    texts = _texts(fig)
    shown = [t.get_text() for t in texts]
    for want in literal:
        assert any(want in s for s in shown), (want, shown)
    assert all(not t.get_parse_math() for t in texts if "$" in t.get_text())
    # no text holds more of a long name than a chart may show
    assert [s for s in shown if "x" * MAX_LABEL_CHARS in s or "9" * MAX_LABEL_CHARS in s] == []
    for full in shortened:
        short = shorten(full)
        assert short.endswith("…") and len(short) == MAX_LABEL_CHARS
        assert any(short in s for s in shown), (short, shown)
    return shown


def test_shorten():
    assert shorten("Sales") == "Sales"
    assert shorten("a\n  b\tc") == "a b c"
    assert shorten("x" * 40) == "x" * 40
    assert shorten("x" * 41) == "x" * 39 + "…"
    assert shorten("ab cd", 4) == "ab…"  # no dangling space before the ellipsis
    assert len(shorten(LONG_TEAM)) == MAX_LABEL_CHARS
    with pytest.raises(ValueError, match="width must be at least 2; got 1"):
        shorten("abc", 1)


def test_mathtext_would_fail_without_literal_text():
    """The premise of this module: matplotlib's default parses "$x_1_2$"."""
    fig, ax = plt.subplots()
    ax.set_yticks([0], [DOLLAR_TEAM])
    with pytest.raises(ValueError):
        fig.savefig(io.BytesIO(), format="png")


def test_phases_and_goal_mix_of_a_department(measures):
    for plot in (plot_phases, plot_goal_mix):
        fig, ax = plt.subplots(figsize=(10, 5), layout="constrained")
        plot(measures, ax=ax, department=DOLLAR_DEPT)
        ticks = [t.get_text() for t in ax.get_yticklabels()]
        assert any(t.startswith(DOLLAR_DEPT) for t in ticks), ticks
        assert any(DOLLAR_TEAM in t for t in ticks), ticks
        assert any(shorten(LONG_TEAM) in t for t in ticks), ticks
        _check(fig, literal=[DOLLAR_DEPT, DOLLAR_TEAM], shortened=[LONG_TEAM])


def test_unit_charts_name_the_unit_literally(measures):
    fig, ax = plt.subplots()
    plot_competency_gap(measures, ax=ax, unit=DOLLAR_TEAM, department=DOLLAR_DEPT)
    _check(fig, literal=[DOLLAR_TEAM])
    fig, ax = plt.subplots()
    plot_culture(measures, ax=ax, unit=LONG_TEAM, department=DOLLAR_DEPT)
    _check(fig, shortened=[LONG_TEAM])
    fig, ax = plt.subplots()
    plot_culture(measures, ax=ax, unit=DOLLAR_DEPT, family="pillar", statistic="favourability_pct")
    _check(fig, literal=[DOLLAR_DEPT])
    fig, ax = plt.subplots()
    plot_skills_pyramid(measures, ax=ax, unit=DOLLAR_DEPT)
    _check(fig, literal=[DOLLAR_DEPT])


def test_trained_roi_charts(measures):
    fig, ax = plt.subplots()
    plot_trained_roi(measures, ax=ax)
    _check(fig, literal=[DOLLAR_DEPT])
    fig, ax = plt.subplots()
    plot_trained_roi(measures, ax=ax, kind="medians", unit=DOLLAR_DEPT)
    _check(fig, literal=[DOLLAR_DEPT])
    # the analyst's settings are left alone
    assert mpl.rcParams["text.parse_math"] is True and mpl.rcParams["text.usetex"] is False


def test_impact_effort_labels_and_title(data):
    priorities = compute_priorities(data, department=DOLLAR_DEPT)
    assert {DOLLAR_ID, LONG_ID} <= set(priorities["use_case_id"])
    fig, ax = plt.subplots(figsize=(10, 7.5), layout="constrained")
    plot_impact_effort(priorities, ax=ax, title=LONG_TEAM)
    shown = _check(fig, literal=[DOLLAR_ID], shortened=[LONG_ID, LONG_TEAM])
    assert ax.get_title(loc="left") == shorten(LONG_TEAM)
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "use_case_label"]
    assert DOLLAR_ID in labels and shorten(LONG_ID) in labels and LONG_ID not in shown


def test_regression_charts_with_a_department_fallback(data):
    result = fit_competency_roi(data, period=PERIOD, department=DOLLAR_DEPT, n_boot=20)
    assert result.fallback  # 19 use cases: the organisation model, said with the name
    for plot in (plot_coefficients, plot_importance):
        fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
        plot(result, ax=ax)
        _check(fig, literal=[DOLLAR_DEPT])


def test_regression_messages_with_a_long_name_are_bounded(data, monkeypatch):
    result = fit_competency_roi(
        data, period=PERIOD, department="Operations", n_boot=20, min_obs_per_predictor=1000
    )
    assert result.refused is not None
    long_message = f"Department {LONG_TEAM} has too few use cases. " * 3
    monkeypatch.setattr(
        "aiadopt.plots.regression.regression_messages", lambda result, lang="en": [long_message]
    )
    fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
    plot_coefficients(result, ax=ax)
    [message] = [t.get_text() for t in ax.texts]
    assert message.count("\n") < 4 and message.endswith("…")


def test_gallery_draws_every_chart(data, tmp_path):
    paths = write_charts(data, tmp_path, period=PERIOD, n_boot=20)
    assert [p.stem for p in paths] == list(CHARTS)
    assert all(p.stat().st_size > 10_000 for p in paths)


def test_report_trend_chart_and_tables(folder, monkeypatch):
    shown, figures = [], []
    monkeypatch.setattr(sections, "_display", shown.append)
    monkeypatch.setattr(sections.plt, "close", figures.append)
    report = sections.Report(folder, department=DOLLAR_DEPT, n_boot=20)
    report.kpi_trend()  # savefig in Report.figure raised ValueError on the "$" name
    legend = figures[-1].axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()][0] == DOLLAR_DEPT
    assert '<img src="data:image/png;base64,' in shown[-1]
    report.team_section()  # tables show names in full
    assert LONG_TEAM in shown[-1] and DOLLAR_TEAM in shown[-1]
