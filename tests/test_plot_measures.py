"""Charts of the further measures: assertions on the artists drawn."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from aiadopt.measures import (  # noqa: E402
    compute_competency_gap,
    compute_culture,
    compute_goal_mix,
    compute_measures,
    compute_phases,
    compute_skills_pyramid,
    compute_trained_roi_ratio,
)
from aiadopt.plots.measures import (  # noqa: E402
    plot_competency_gap,
    plot_culture,
    plot_goal_mix,
    plot_phases,
    plot_skills_pyramid,
    plot_trained_roi,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _bars(ax, gid):
    return [p for p in ax.patches if p.get_gid() == gid]


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def _phase_survey():
    rows = []
    for dept, team, answers in [
        ("A", "A1", [2] * 6),
        ("A", "A2", [4] * 5),
        ("B", "B1", [3] * 5),
        ("B", "B2", [5] * 5),
        ("C", "C1", [1] * 2),  # a small department: suppressed, and B by complement
    ]:
        rows += [
            {"wave": "2025-03", "department": dept, "team": team, "team_phase": a} for a in answers
        ]
    return rows


def test_plot_phases_bars_equal_the_data_and_suppressed_placeholder(make_dataset):
    data = compute_phases(make_dataset(survey=_phase_survey()), period="2025-03")
    fig, ax = plt.subplots()
    out = plot_phases(data, ax=ax)
    assert out is ax
    # A: one team at phase 2, one at 4 -> 50% / 50%.
    assert [p.get_width() for p in _bars(ax, "A|2")] == [50.0]
    assert [p.get_width() for p in _bars(ax, "A|4")] == [50.0]
    assert _bars(ax, "A|4")[0].get_x() == 50.0  # stacked after phases 1-3
    # Organisation: only the teams whose phase is shown count (A1 at 2,
    # A2 at 4); the hidden B1, B2, C1 are left out, not implied.
    for key, pct in zip("12345", [0.0, 50.0, 0.0, 50.0, 0.0], strict=True):
        assert [p.get_width() for p in _bars(ax, f"organisation|{key}")] == [pct]
    # B and C are suppressed: placeholders over the full width, labelled.
    placeholders = _bars(ax, "suppressed")
    assert len(placeholders) == 2
    assert all(p.get_width() == 100.0 and p.get_hatch() for p in placeholders)
    assert _texts(ax).count("suppressed") == 2
    assert not _bars(ax, "B|3") and not _bars(ax, "B|5")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Organisation", "A", "B", "C"]
    assert "50% at phase ≥ 4 (2 teams)" in _texts(ax)


def test_plot_phases_one_department_with_teams_in_dutch(make_dataset):
    data = compute_phases(make_dataset(survey=_phase_survey()), period="2025-03")
    plt.figure()
    ax = plot_phases(data, department="A", lang="nl")  # draws on plt.gca()
    assert ax is plt.gca()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "A1", "A2"]
    assert [p.get_width() for p in _bars(ax, "A1|2")] == [100.0]
    assert ax.get_xlabel() == "Teams per fase (%)"
    assert any(t.startswith("Afwachtend") for t in _texts(ax))


def _competency_survey():
    rows = []
    for i in range(5):  # T1: 5 leaders, scores 4, 4, 4, 3, 3 -> 60% qualified
        score = 4 if i < 3 else 3
        rows.append(
            {
                "wave": "2025-03",
                "team": "T1",
                "role": "leader",
                "comp_change_1": score,
                "comp_data_1": 5,
            }
        )
    return rows


def test_plot_competency_gap_bars_and_benchmark_markers(make_dataset):
    data = compute_competency_gap(make_dataset(survey=_competency_survey()), period="2025-03")
    ax = plot_competency_gap(data, ax=plt.figure().gca())
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["Data culture & literacy", "Change management"]
    assert [p.get_width() for p in _bars(ax, "organisation|change")] == [60.0]
    assert [p.get_width() for p in _bars(ax, "organisation|data")] == [100.0]
    (bench,) = [line for line in ax.lines if line.get_gid() == "benchmark"]
    # Only change management has a benchmark (16%); it sits on the change row (y=0).
    assert list(bench.get_xdata()) == [16.0] and list(bench.get_ydata()) == [0]
    assert "60% (+44 pt)" in _texts(ax)


def test_plot_competency_gap_suppressed_unit(make_dataset):
    survey = _competency_survey()[:4]  # 4 leaders < 5
    data = compute_competency_gap(make_dataset(survey=survey), period="2025-03")
    ax = plot_competency_gap(data, ax=plt.figure().gca(), lang="nl")
    assert len(_bars(ax, "suppressed")) == 2
    assert _texts(ax).count("onderdrukt") == 2
    assert not _bars(ax, "organisation|change")


def test_plot_culture_scores_with_alpha(make_dataset, rng):
    x = np.clip(np.rint(3 + rng.normal(size=(20, 1)) + rng.normal(scale=0.7, size=(20, 2))), 1, 5)
    survey = [
        {
            "wave": "2025-03",
            "culture_feedback_1": a,
            "culture_feedback_2": b,
            "culture_ownership_1": 4.0,
        }
        for a, b in x
    ]
    data = compute_culture(make_dataset(survey=survey), period="2025-03")
    ax = plot_culture(data, ax=plt.figure().gca())
    row = data[(data["unit"] == "organisation") & (data["key"] == "feedback")]
    score = row.loc[row["statistic"] == "score_0_100", "value"].item()
    alpha = row.loc[row["statistic"] == "alpha"].iloc[0]
    assert [p.get_width() for p in _bars(ax, "organisation|feedback")] == [pytest.approx(score)]
    assert [p.get_width() for p in _bars(ax, "organisation|ownership")] == [75.0]
    texts = " | ".join(_texts(ax))
    assert f"α = {alpha['value']:.2f} [{alpha['ci_low']:.2f}, {alpha['ci_high']:.2f}]" in texts
    assert "α not estimable" in texts  # ownership has one item
    fav = plot_culture(data, ax=plt.figure().gca(), statistic="favourability_pct")
    assert [p.get_width() for p in _bars(fav, "organisation|ownership")] == [100.0]
    assert fav.get_xlabel() == "Favourable answers (%)"


def test_plot_skills_pyramid_actual_vs_target(make_dataset):
    levels = ["user"] * 7 + ["connector"] * 2 + ["specialist"]
    survey = [{"wave": "2025-03", "ai_skill_level": s} for s in levels]
    data = compute_skills_pyramid(make_dataset(survey=survey), period="2025-03")
    ax = plot_skills_pyramid(data, ax=plt.figure().gca())
    for key, pct in {"user": 70.0, "connector": 20.0, "specialist": 10.0}.items():
        assert [p.get_width() for p in _bars(ax, f"organisation|{key}")] == [pytest.approx(pct)]
    targets = [line.get_xdata()[0] for line in ax.lines if line.get_gid() == "target"]
    assert targets == [80.0, 15.0, 5.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "AI users",
        "AI connectors",
        "AI specialists",
    ]  # (bottom to top)


def test_plot_skills_pyramid_suppressed(make_dataset):
    survey = [{"wave": "2025-03", "ai_skill_level": "user"} for _ in range(3)]
    data = compute_skills_pyramid(make_dataset(survey=survey), period="2025-03")
    ax = plot_skills_pyramid(data, ax=plt.figure().gca())
    assert len(_bars(ax, "suppressed")) == 3
    assert not any(p.get_gid() and p.get_gid().startswith("organisation|") for p in ax.patches)


def _goal_cases():
    def uc(dept, goal):
        return {"department": dept, "team": f"{dept}1", "goal": goal, "start_date": "2025-01-05"}

    return (
        [uc("D1", "personal")] * 7
        + [uc("D1", "operational")] * 3
        + [uc("D2", "personal")] * 5
        + [uc("D2", "strategic")] * 2
        + [{"department": "D3", "team": "D31", "goal": "personal", "status": "idea"}]
    )


def test_plot_goal_mix_stacked_shares_and_personal_line(make_dataset):
    data = compute_goal_mix(make_dataset(use_cases=_goal_cases()), period="2025-03")
    ax = plot_goal_mix(data, ax=plt.figure().gca())
    assert [p.get_width() for p in _bars(ax, "D1|personal")] == [70.0]
    assert [p.get_x() for p in _bars(ax, "D1|operational")] == [70.0]
    assert [p.get_width() for p in _bars(ax, "D2|strategic")] == [pytest.approx(200 / 7)]
    (line,) = [line for line in ax.lines if line.get_gid() == "personal_threshold"]
    assert list(line.get_xdata()) == [70.0, 70.0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    # 70% is not flagged; 71.4% (D2) and 70.6% (organisation) are.
    assert ticks == ["▲ Organisation (n = 17)", "D1 (n = 10)", "▲ D2 (n = 7)", "D3 (n = 0)"]
    assert "no active use cases" in _texts(ax)


def _roi_data(make_dataset, department_b_cases=5):
    survey = []
    for dept, team, trained in [("A", "A1", True), ("B", "B1", False)]:
        survey += [
            {
                "wave": "2025-01",
                "department": dept,
                "team": team,
                "role": "leader",
                "ai_training_done": trained,
            }
            for _ in range(5)
        ]
    use_cases = [
        {
            "department": "A",
            "team": "A1",
            "start_date": "2025-02-01",
            "investment_eur": 100.0,
            "annual_benefit_eur": 100.0 * (1 + r),
        }
        for r in (2.0, 3.0, 4.0, 5.0, 6.0)
    ] + [
        {
            "department": "B",
            "team": "B1",
            "start_date": "2025-02-01",
            "investment_eur": 100.0,
            "annual_benefit_eur": 100.0 * (1 + r),
        }
        for r in (0.5, 1.0, 1.5, 2.0, 2.5)
    ]
    return make_dataset(use_cases=use_cases, survey=survey)


def test_plot_trained_roi_ratio_with_claim_line(make_dataset):
    data = compute_trained_roi_ratio(_roi_data(make_dataset), period="2025-03", n_boot=100)
    ratio = data[(data["level"] == "organisation") & (data["key"] == "ratio")].iloc[0]
    assert ratio["value"] == pytest.approx(4.0 / 1.5)
    ax = plot_trained_roi(data, ax=plt.figure().gca())
    (point,) = [line for line in ax.lines if line.get_gid() == "organisation|ratio"]
    assert point.get_xdata()[0] == pytest.approx(4.0 / 1.5)
    (claim,) = [line for line in ax.lines if line.get_gid() == "seed_claim"]
    assert claim.get_xdata()[0] == 2.7
    assert ax.get_xscale() == "log"
    # Departments hold only trained or only untrained use cases: no ratio.
    texts = _texts(ax)
    assert texts.count("not enough data: fewer than 5 use cases in a group") == 2


def test_plot_trained_roi_suppressed_and_medians(make_dataset):
    table = compute_measures(
        _roi_data(make_dataset), period="2025-03", n_boot=100, min_group_size=6
    )
    ax = plot_trained_roi(table, ax=plt.figure().gca())  # picks its rows from the full table
    assert _texts(ax).count("suppressed") == 2  # each department: 5 leader answers < 6
    assert len(_bars(ax, "suppressed")) == 2
    med = plot_trained_roi(table, ax=plt.figure().gca(), kind="medians")
    assert [p.get_width() for p in _bars(med, "organisation|trained")] == [4.0]
    assert [p.get_width() for p in _bars(med, "organisation|untrained")] == [1.5]


def test_plots_refuse_the_wrong_frame(make_dataset):
    data = compute_skills_pyramid(make_dataset(), period="2025-03")
    with pytest.raises(ValueError, match="plot_phases: data holds no rows of measure phases"):
        plot_phases(data, ax=plt.figure().gca())
    with pytest.raises(ValueError, match="no unit 'X'"):
        plot_skills_pyramid(data, ax=plt.figure().gca(), unit="X")
