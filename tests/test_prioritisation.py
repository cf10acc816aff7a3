"""docs/metrics.md §3 prioritisation on small hand-built registers.

Hand computations are written next to each expected value.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import aiadopt
from aiadopt.prioritisation import (
    PRIORITY_COLUMNS,
    QUADRANTS,
    compute_priorities,
    quadrant_of,
)


def _one(prio, use_case_id):
    rows = prio[prio["use_case_id"] == use_case_id]
    assert len(rows) == 1, f"expected one row for {use_case_id!r}, got {len(rows)}"
    return rows.iloc[0]


# --- output shape -------------------------------------------------------------


def test_columns_dtypes_and_order(make_dataset):
    data = make_dataset(
        use_cases=[
            {"use_case_id": "B1", "department": "B", "team": "TB", "impact": 2.0},
            {"use_case_id": "A1", "department": "A", "team": "TA", "impact": 2.0},
            {"use_case_id": "A2", "department": "A", "team": "TA", "impact": 5.0},
        ]
    )
    prio = compute_priorities(data)
    assert tuple(prio.columns) == PRIORITY_COLUMNS
    # department alphabetically, then rank
    assert prio[["department", "priority_rank", "use_case_id"]].values.tolist() == [
        ["A", 1, "A2"],
        ["A", 2, "A1"],
        ["B", 1, "B1"],
    ]
    assert list(prio.index) == [0, 1, 2]
    assert prio["priority_rank"].dtype == np.int64
    assert prio["open"].dtype == bool
    for col in ("priority_score", "potential_score", "impact", "effort", "investment_eur"):
        assert prio[col].dtype == np.float64


def test_dataset_and_frame_give_the_same_table(make_dataset):
    data = make_dataset(use_cases=[{"impact": 4.0}, {"impact": 2.0, "effort": 4.0}])
    pd.testing.assert_frame_equal(compute_priorities(data), compute_priorities(data.use_cases))


def test_all_statuses_kept_and_open_flag(make_dataset):
    statuses = ["idea", "pilot", "production", "scaled", "stopped"]
    data = make_dataset(use_cases=[{"use_case_id": s, "status": s} for s in statuses])
    prio = compute_priorities(data)
    assert sorted(prio["use_case_id"]) == sorted(statuses)
    assert dict(zip(prio["use_case_id"], prio["open"], strict=True)) == {
        "idea": True,
        "pilot": True,
        "production": False,
        "scaled": False,
        "stopped": False,
    }


def test_statuses_filter_before_ranking(make_dataset):
    data = make_dataset(
        use_cases=[
            {"use_case_id": "P", "status": "production", "impact": 5.0},
            {"use_case_id": "I", "status": "idea", "impact": 4.0},
            {"use_case_id": "L", "status": "pilot", "impact": 2.0},
        ]
    )
    assert compute_priorities(data)["use_case_id"].tolist() == ["P", "I", "L"]
    shown = compute_priorities(data, statuses=("idea", "pilot"))
    assert shown[["use_case_id", "priority_rank"]].values.tolist() == [["I", 1], ["L", 2]]
    assert compute_priorities(data, statuses="idea")["use_case_id"].tolist() == ["I"]
    with pytest.raises(ValueError, match=r"unknown status\(es\) \['live'\]"):
        compute_priorities(data, statuses=["idea", "live"])


def test_sample_data_one_row_per_use_case_unique_ranks():
    data = aiadopt.load("data/sample")
    prio = compute_priorities(data)
    assert len(prio) == len(data.use_cases)
    assert prio["use_case_id"].is_unique
    for _, group in prio.groupby("department"):
        assert group["priority_rank"].tolist() == list(range(1, len(group) + 1))
        assert group["priority_score"].is_monotonic_decreasing


# --- quadrants ------------------------------------------------------------------


@pytest.mark.parametrize(
    "impact, effort, expected",
    [
        (3.0, 3.0, "fill_ins"),  # exactly at the split is low on both axes
        (3.01, 3.0, "quick_wins"),
        (3.0, 3.01, "thankless_tasks"),
        (3.01, 3.01, "major_projects"),
        (5.0, 1.0, "quick_wins"),
        (1.0, 5.0, "thankless_tasks"),
        (1.0, 1.0, "fill_ins"),
        (5.0, 5.0, "major_projects"),
        # floating-point noise of a vote mean does not cross the split
        (3.0000000000000004, 3.0, "fill_ins"),
    ],
)
def test_quadrant_boundaries(make_dataset, impact, effort, expected):
    assert quadrant_of(impact, effort) == expected
    data = make_dataset(use_cases=[{"impact": impact, "effort": effort}])
    assert compute_priorities(data)["quadrant"].tolist() == [expected]


def test_custom_split(make_dataset):
    data = make_dataset(
        use_cases=[
            {"use_case_id": "a", "impact": 3.0, "effort": 3.0},
            {"use_case_id": "b", "impact": 4.0, "effort": 2.0},
            {"use_case_id": "c", "impact": 2.5, "effort": 2.5},
        ]
    )
    low = compute_priorities(data, split=2.5).set_index("use_case_id")["quadrant"]
    assert low.to_dict() == {"a": "major_projects", "b": "quick_wins", "c": "fill_ins"}
    high = compute_priorities(data, split=4.0).set_index("use_case_id")["quadrant"]
    assert set(high) == {"fill_ins"}  # 4.0 is not above 4.0


def test_quadrant_of_vectorised():
    out = quadrant_of([4.0, 4.0, 2.0, 2.0, np.nan], [2.0, 4.0, 2.0, 4.0, 3.0])
    assert out.tolist() == [*QUADRANTS, None]
    series = quadrant_of(pd.Series([4.0, 1.0], index=[7, 9]), pd.Series([1.0, 4.0], index=[7, 9]))
    assert series.to_dict() == {7: "quick_wins", 9: "thankless_tasks"}
    with pytest.raises(ValueError, match="split must be a finite number"):
        quadrant_of(3.0, 3.0, split=float("nan"))


# --- priority score and rank ------------------------------------------------------


def _scored(make_dataset):
    return make_dataset(
        use_cases=[
            {"use_case_id": "X", "impact": 4.0, "feasibility": 2.0, "urgency": 3.0},
            {"use_case_id": "Y", "impact": 5.0, "feasibility": 3.5, "urgency": 1.0},
        ]
    )


def test_priority_score_equal_weights(make_dataset):
    prio = compute_priorities(_scored(make_dataset))
    assert _one(prio, "X")["priority_score"] == pytest.approx((4 + 2 + 3) / 3)  # 3.0
    assert _one(prio, "Y")["priority_score"] == pytest.approx((5 + 3.5 + 1) / 3)  # 3.1667
    # only the ratios of the weights matter
    same = compute_priorities(
        _scored(make_dataset), weights={"impact": 2, "feasibility": 2, "urgency": 2}
    )
    pd.testing.assert_frame_equal(prio, same)


def test_priority_score_custom_weights(make_dataset):
    weights = {"impact": 2, "feasibility": 1, "urgency": 1}
    prio = compute_priorities(_scored(make_dataset), weights=weights)
    assert _one(prio, "X")["priority_score"] == pytest.approx((2 * 4 + 2 + 3) / 4)  # 3.25
    assert _one(prio, "Y")["priority_score"] == pytest.approx((2 * 5 + 3.5 + 1) / 4)  # 3.625
    only_urgency = compute_priorities(
        _scored(make_dataset), weights={"impact": 0, "feasibility": 0, "urgency": 1.5}
    )
    assert only_urgency.set_index("use_case_id")["priority_score"].to_dict() == {
        "X": 3.0,
        "Y": 1.0,
    }
    # urgency-only weighting flips the order: X (3.0) before Y (1.0)
    assert only_urgency["use_case_id"].tolist() == ["X", "Y"]


def test_rank_within_department_tie_broken_by_lower_effort(make_dataset):
    base = {"feasibility": 4.0, "urgency": 4.0}
    data = make_dataset(
        use_cases=[
            # department A: X and Y tie on 4.0; Y has the lower effort
            {"use_case_id": "X", "department": "A", "team": "TA", "impact": 4.0, "effort": 3.0, **base},
            {"use_case_id": "Y", "department": "A", "team": "TA", "impact": 4.0, "effort": 2.0, **base},
            {"use_case_id": "Z", "department": "A", "team": "TA", "impact": 1.0, "effort": 1.0, **base},
            # department B ranks on its own, from 1
            {"use_case_id": "W", "department": "B", "team": "TB", "impact": 1.0, "effort": 5.0, **base},
        ]
    )  # fmt: skip
    prio = compute_priorities(data)
    assert prio[["department", "use_case_id", "priority_rank"]].values.tolist() == [
        ["A", "Y", 1],
        ["A", "X", 2],
        ["A", "Z", 3],
        ["B", "W", 1],
    ]


def test_full_tie_broken_by_use_case_id(make_dataset):
    data = make_dataset(use_cases=[{"use_case_id": i} for i in ("UC-3", "UC-1", "UC-2")])
    prio = compute_priorities(data)
    assert prio[["use_case_id", "priority_rank"]].values.tolist() == [
        ["UC-1", 1],
        ["UC-2", 2],
        ["UC-3", 3],
    ]


def test_floating_point_tie_goes_to_lower_effort(make_dataset):
    # (3.8 + 3.4 + 3.1) / 3 and (5.0 + 2.7 + 2.6) / 3 are both 10.3 / 3, but
    # in floating point the second is 4e-16 larger; it must not win on that.
    data = make_dataset(
        use_cases=[
            {"use_case_id": "A", "impact": 3.8, "feasibility": 3.4, "urgency": 3.1, "effort": 2.0},
            {"use_case_id": "B", "impact": 5.0, "feasibility": 2.7, "urgency": 2.6, "effort": 4.0},
        ]
    )  # fmt: skip
    prio = compute_priorities(data)
    scores = prio.set_index("use_case_id")["priority_score"]
    assert scores["B"] > scores["A"]  # the noise is there ...
    assert scores["B"] == pytest.approx(scores["A"], abs=1e-12)
    assert prio["use_case_id"].tolist() == ["A", "B"]  # ... and the tie goes to lower effort


# --- potential score ------------------------------------------------------------


def test_potential_score_mean_of_answered_items(make_dataset):
    data = make_dataset(
        use_cases=[
            {"use_case_id": "all", "repetition": 4.0, "data_intensity": 2.0, "error_sensitivity": 3.0},
            {"use_case_id": "two", "repetition": 5.0, "data_intensity": 2.0},
            {"use_case_id": "one", "error_sensitivity": 1.5},
            {"use_case_id": "none"},
        ]
    )  # fmt: skip
    pot = compute_priorities(data).set_index("use_case_id")["potential_score"]
    assert pot["all"] == pytest.approx(3.0)  # (4 + 2 + 3) / 3
    assert pot["two"] == pytest.approx(3.5)  # (5 + 2) / 2, error_sensitivity missing
    assert pot["one"] == pytest.approx(1.5)
    assert math.isnan(pot["none"])


def test_potential_columns_absent_give_nan(make_dataset):
    frame = make_dataset(use_cases=[{"impact": 4.0}]).use_cases
    frame = frame.drop(columns=["repetition", "data_intensity", "error_sensitivity"])
    assert compute_priorities(frame)["potential_score"].isna().all()


# --- validation -----------------------------------------------------------------


@pytest.mark.parametrize(
    "weights, error, message",
    [
        ({"impact": 1, "feasibility": 1, "urgency": 1, "effort": 1}, ValueError,
         r"weights: unknown key\(s\) \['effort'\]; expected exactly impact, feasibility, urgency"),
        ({"impact": 2}, ValueError,
         r"weights: missing key\(s\) \['feasibility', 'urgency'\]; give all of"),
        ({"impact": 1, "feasibility": -0.5, "urgency": 1}, ValueError,
         r"weights must be non-negative; got feasibility=-0.5"),
        ({"impact": 0, "feasibility": 0, "urgency": 0}, ValueError,
         r"weights must not all be zero"),
        ({"impact": "high", "feasibility": 1, "urgency": 1}, ValueError,
         r"weights: impact must be a finite number; got 'high'"),
        ({"impact": float("inf"), "feasibility": 1, "urgency": 1}, ValueError,
         r"weights: impact must be a finite number"),
        ([1, 1, 1], TypeError, r"weights must be a mapping"),
    ],
)  # fmt: skip
def test_bad_weights(make_dataset, weights, error, message):
    data = make_dataset(use_cases=[{}])
    with pytest.raises(error, match=message):
        compute_priorities(data, weights=weights)


def test_department_filter_and_unknown_department(make_dataset):
    data = make_dataset(
        use_cases=[
            {"use_case_id": "h", "department": "HR", "team": "H1"},
            {"use_case_id": "f", "department": "Finance", "team": "F1"},
        ]
    )
    assert compute_priorities(data, department="HR")["use_case_id"].tolist() == ["h"]
    with pytest.raises(
        ValueError,
        match=r"department 'Sales' does not occur in the use-case register; "
        r"known departments: 'Finance', 'HR'",
    ):
        compute_priorities(data, department="Sales")


def test_empty_register_gives_empty_table(make_dataset):
    prio = compute_priorities(make_dataset())
    assert prio.empty
    assert tuple(prio.columns) == PRIORITY_COLUMNS
    assert prio["priority_rank"].dtype == np.int64
    assert prio["priority_score"].dtype == np.float64
    # a filter that leaves nothing is an empty table too
    data = make_dataset(use_cases=[{"status": "pilot"}])
    assert compute_priorities(data, statuses=["stopped"]).empty
    with pytest.raises(ValueError, match=r"known departments: none \(the register is empty\)"):
        compute_priorities(make_dataset(), department="HR")


def test_missing_score_column_and_values(make_dataset):
    frame = make_dataset(use_cases=[{"use_case_id": "UC-1"}, {"use_case_id": "UC-2"}]).use_cases
    with pytest.raises(ValueError, match=r"missing column\(s\) \['urgency'\]"):
        compute_priorities(frame.drop(columns=["urgency"]))
    gap = frame.copy()
    gap.loc[1, "effort"] = np.nan
    with pytest.raises(ValueError, match=r"effort is missing for use_case_id \['UC-2'\]"):
        compute_priorities(gap)
    dup = frame.assign(use_case_id="UC-1")
    with pytest.raises(ValueError, match=r"use_case_id must be unique; repeated: \['UC-1'\]"):
        compute_priorities(dup)


@pytest.mark.parametrize("split", [float("nan"), "3", None, True])
def test_bad_split(make_dataset, split):
    with pytest.raises(ValueError, match="split must be a finite number"):
        compute_priorities(make_dataset(use_cases=[{}]), split=split)


def test_not_a_frame():
    with pytest.raises(TypeError, match="use_cases must be a DataFrame or a Dataset; got list"):
        compute_priorities([{"impact": 3}])


def test_quadrant_codes_have_labels_in_both_languages(make_dataset):
    from aiadopt.labels import LANGUAGES, label

    assert QUADRANTS == ("quick_wins", "major_projects", "fill_ins", "thankless_tasks")
    data = make_dataset(use_cases=[{"impact": 5.0, "effort": 1.0}])
    (code,) = compute_priorities(data)["quadrant"]
    assert code == "quick_wins"  # a code, not the English words
    for lang in LANGUAGES:
        assert label(f"quadrant.{code}", lang)
