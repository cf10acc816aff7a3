"""Small-group suppression (METRICS.md §5) on hand-built KPI tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aiadopt.privacy import check_min_group_size, suppress


def _table(rows):
    """rows: (level, unit, department, value, n)."""
    return pd.DataFrame(rows, columns=["level", "unit", "department", "pct", "n"])


def _suppressed(out, level):
    rows = out[out["level"] == level]
    return sorted(rows.loc[rows["pct_suppressed"], "unit"])


def _run(table, **kwargs):
    return suppress(table, figures={"pct": "n"}, **kwargs)


def test_primary_suppression_below_min_group_size():
    t = _table(
        [
            ("organisation", "organisation", None, 50.0, 9),
            ("department", "D", "D", 50.0, 9),
            ("team", "T1", "D", 25.0, 4),
            ("team", "T2", "D", 60.0, 5),
        ]
    )
    out = _run(t)
    # T1 (4 < 5) is suppressed; T2 is the only other part of D -> suppressed too.
    assert _suppressed(out, "team") == ["T1", "T2"]
    assert out["pct"].isna().tolist() == [False, False, True, True]
    assert out["pct_suppressed"].dtype == bool
    # The input is left untouched.
    assert t["pct"].notna().all() and "pct_suppressed" not in t


def test_boundary_n_equal_to_min_group_size_is_shown():
    t = _table([("organisation", "organisation", None, 40.0, 5)])
    out = _run(t)
    assert out["pct"].tolist() == [40.0]
    assert not out["pct_suppressed"].any()
    out = _run(_table([("organisation", "organisation", None, 40.0, 4)]))
    assert np.isnan(out["pct"].iloc[0]) and out["pct_suppressed"].iloc[0]


def test_exactly_one_department_suppressed_suppresses_next_smallest():
    t = _table(
        [
            ("organisation", "organisation", None, 50.0, 40),
            ("department", "D", "D", 55.0, 15),
            ("department", "A", "A", 10.0, 3),
            ("department", "C", "C", 50.0, 12),
            ("department", "B", "B", 70.0, 10),
        ]
    )
    out = _run(t)
    assert _suppressed(out, "department") == ["A", "B"]  # B: smallest of the rest (10)
    assert out.loc[out["unit"] == "organisation", "pct"].item() == 50.0
    assert out.loc[out["unit"] == "C", "pct"].item() == 50.0


def test_tie_on_group_size_is_broken_by_unit_name():
    t = _table(
        [
            ("department", "Sales", "Sales", 60.0, 10),
            ("department", "Ops", "Ops", 60.0, 10),  # same size as Sales, "Ops" < "Sales"
            ("department", "HR", "HR", 10.0, 2),
            ("department", "IT", "IT", 40.0, 30),
        ]
    )
    assert _suppressed(_run(t), "department") == ["HR", "Ops"]


def test_two_suppressed_parts_need_nothing_more():
    t = _table(
        [
            ("department", "A", "A", 10.0, 3),
            ("department", "B", "B", 20.0, 4),
            ("department", "C", "C", 30.0, 10),
            ("department", "D", "D", 40.0, 12),
        ]
    )
    assert _suppressed(_run(t), "department") == ["A", "B"]


def test_suppressed_department_hides_all_its_teams():
    t = _table(
        [
            ("department", "A", "A", 10.0, 4),
            ("department", "B", "B", 50.0, 10),  # complementary
            ("department", "C", "C", 50.0, 20),
            ("team", "A1", "A", 0.0, 2),
            ("team", "A2", "A", 0.0, 2),
            ("team", "B1", "B", 40.0, 5),  # large enough, but its department is hidden
            ("team", "B2", "B", 60.0, 5),
            ("team", "C1", "C", 50.0, 10),
            ("team", "C2", "C", 50.0, 10),
        ]
    )
    out = _run(t)
    assert _suppressed(out, "department") == ["A", "B"]
    assert _suppressed(out, "team") == ["A1", "A2", "B1", "B2"]


def test_team_rule_applies_within_each_department_independently():
    t = _table(
        [
            ("department", "C", "C", 50.0, 17),
            ("department", "D", "D", 50.0, 15),
            ("department", "E", "E", 50.0, 16),
            # C: one primary (C1) -> the next-smallest C2 too, C3 stays.
            ("team", "C1", "C", 0.0, 3),
            ("team", "C3", "C", 50.0, 8),
            ("team", "C2", "C", 50.0, 6),
            # D: nothing small, nothing suppressed (though C and E have suppressed teams).
            ("team", "D1", "D", 50.0, 6),
            ("team", "D2", "D", 50.0, 9),
            # E: two primaries already -> E3 stays.
            ("team", "E1", "E", 50.0, 3),
            ("team", "E2", "E", 50.0, 4),
            ("team", "E3", "E", 50.0, 9),
        ]
    )
    out = _run(t)
    assert _suppressed(out, "department") == []
    assert _suppressed(out, "team") == ["C1", "C2", "E1", "E2"]


def test_same_team_name_in_two_departments_is_two_units():
    t = _table(
        [
            ("department", "A", "A", 50.0, 20),
            ("department", "B", "B", 50.0, 20),
            ("team", "Data", "A", 50.0, 3),
            ("team", "Web", "A", 50.0, 17),
            ("team", "Data", "B", 50.0, 10),
            ("team", "Web", "B", 50.0, 10),
        ]
    )
    out = _run(t)
    flags = out.loc[out["level"] == "team", "pct_suppressed"].tolist()
    assert flags == [True, True, False, False]


def test_group_of_zero_counts_as_suppressed():
    t = _table(
        [
            ("organisation", "organisation", None, 50.0, 30),
            ("department", "A", "A", np.nan, 0),  # no leaders answered
            ("department", "B", "B", 50.0, 12),
            ("department", "C", "C", 50.0, 18),
            ("team", "A1", "A", np.nan, np.nan),  # missing size = 0
        ]
    )
    out = _run(t)
    assert out.set_index("unit")["pct_suppressed"].to_dict() == {
        "organisation": False,
        "A": True,
        "B": True,  # A counts as a suppressed part -> next-smallest B too
        "C": False,
        "A1": True,
    }


def test_each_figure_is_suppressed_on_its_own_group_size():
    t = pd.DataFrame(
        {
            "level": ["department", "department", "department"],
            "unit": ["A", "B", "C"],
            "department": ["A", "B", "C"],
            "adoption": [50.0, 60.0, 70.0],
            "n_leaders": [4, 10, 12],
            "trust": [3.5, 3.9, 4.1],
            "n_trust": [20, 30, 3],
        }
    )
    out = suppress(t, figures={"adoption": "n_leaders", "trust": "n_trust"})
    assert out["adoption_suppressed"].tolist() == [True, True, False]
    assert out["trust_suppressed"].tolist() == [True, False, True]  # C primary, A next-smallest
    assert out["trust"].tolist()[1] == 3.9
    assert out["adoption"].isna().tolist() == [True, True, False]
    t["n_trust"] = [20, 25, 30]
    out = suppress(t, figures={"adoption": "n_leaders", "trust": "n_trust"})
    assert out["trust_suppressed"].tolist() == [False, False, False]


def test_min_group_size_three_is_allowed():
    t = _table(
        [
            ("department", "A", "A", 10.0, 2),
            ("department", "B", "B", 20.0, 3),
            ("department", "C", "C", 30.0, 4),
            ("department", "D", "D", 40.0, 5),
        ]
    )
    # A (2 < 3) primary -> B (3) next-smallest; C and D shown.
    assert _suppressed(_run(t, min_group_size=3), "department") == ["A", "B"]
    # Default 5: A, B, C primary.
    assert _suppressed(_run(t), "department") == ["A", "B", "C"]


@pytest.mark.parametrize("bad", [2, 0, -5])
def test_min_group_size_below_three_is_refused(bad):
    with pytest.raises(ValueError, match=r"min_group_size must be >= 3"):
        _run(_table([("organisation", "organisation", None, 1.0, 10)]), min_group_size=bad)


@pytest.mark.parametrize("bad", [5.0, 4.5, "5", True, None])
def test_min_group_size_must_be_an_integer(bad):
    with pytest.raises(ValueError, match=r"min_group_size must be an integer"):
        check_min_group_size(bad)


def test_numpy_integer_min_group_size_is_accepted():
    assert check_min_group_size(np.int64(4)) == 4


def test_missing_columns_and_unknown_level_are_refused():
    t = _table([("organisation", "organisation", None, 1.0, 10)])
    with pytest.raises(ValueError, match=r"no column\(s\) \['n_x'\]"):
        suppress(t, figures={"pct": "n_x"})
    t.loc[0, "level"] = "division"
    with pytest.raises(ValueError, match="'level' holds values not in"):
        _run(t)
    with pytest.raises(ValueError, match="non-empty mapping"):
        suppress(t, figures={})
