"""Small-group suppression (docs/metrics.md §5) on hand-built KPI tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from aiadopt.privacy import (
    AUDIT_COLUMNS,
    audit_figures,
    check_min_group_size,
    suppress,
    suppression_mask,
)


def _table(rows):
    """rows: (level, unit, department, value, n)."""
    return pd.DataFrame(rows, columns=["level", "unit", "department", "pct", "n"])


def _suppressed(out, level):
    rows = out[out["level"] == level]
    return sorted(rows.loc[rows["pct_suppressed"], "unit"])


def _run(table, **kwargs):
    return suppress(table, figures={"pct": "n"}, **kwargs)


def _published(out, figure="pct", bounds=(0.0, 100.0), period="2025-01"):
    """The audit's view of a suppressed table: shown values and sizes."""
    return pd.DataFrame(
        {
            "period": period,
            "figure": figure,
            "level": out["level"],
            "unit": out["unit"],
            "department": out["department"],
            "n": out["n"].astype(float),
            "value": out[figure],
            "suppressed": out[f"{figure}_suppressed"],
            "reason": "",
            "lower": bounds[0],
            "upper": bounds[1],
        }
    ).loc[:, list(AUDIT_COLUMNS)]


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


def test_group_of_zero_is_suppressed_but_gives_no_protection():
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
    # A hides no one, so nothing needs a complement: B and C are shown.
    assert out.set_index("unit")["pct_suppressed"].to_dict() == {
        "organisation": False,
        "A": True,
        "B": False,
        "C": False,
        "A1": True,
    }


def test_empty_group_does_not_count_as_the_second_hidden_part():
    # Old rule: A (0) and B (1 leader) are "two suppressed parts", so C
    # stayed shown and organisation - C gave B's single answer exactly.
    t = _table(
        [
            ("organisation", "organisation", None, 100 * 7 / 13, 13),
            ("department", "A", "A", np.nan, 0),
            ("department", "B", "B", 100.0, 1),
            ("department", "C", "C", 50.0, 12),
        ]
    )
    out = _run(t, bounds={"pct": (0, 100)})
    assert _suppressed(out, "department") == ["A", "B", "C"]
    # B and C together (7 of 13) are strictly inside 0-100: the organisation stays.
    assert not out.loc[0, "pct_suppressed"]
    published = _published(out)
    assert audit_figures(published).recoverable == 0


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


# --- values: hidden remainders never at a bound ---------------------------------

SALES = [
    ("organisation", "organisation", None, 35.0, 20),
    ("department", "Sales", "Sales", 35.0, 20),
    ("team", "Accountmanagement", "Sales", 0.0, 4),
    ("team", "Binnendienst", "Sales", 70.0, 10),
    ("team", "Buitendienst", "Sales", 0.0, 3),
    ("team", "Partners", "Sales", 0.0, 3),
]


def test_sales_remainder_at_zero_is_complemented():
    # 35% of 20 = 7 qualified, Binnendienst 70% of 10 = 7: the three small
    # teams would be pinned to "all 0%" if Binnendienst were shown.
    t = _table(SALES)
    structural = _run(t)  # no bounds: only the size rule
    assert _suppressed(structural, "team") == ["Accountmanagement", "Buitendienst", "Partners"]
    old = audit_figures(_published(structural))
    assert old.recoverable > 0
    assert set(old.offending["problem"]) >= {"at_lower_bound"}

    out = _run(t, bounds={"pct": (0, 100)})
    assert _suppressed(out, "team") == [
        "Accountmanagement",
        "Binnendienst",
        "Buitendienst",
        "Partners",
    ]
    assert out.loc[out["level"] == "department", "pct"].item() == 35.0
    assert audit_figures(_published(out)).recoverable == 0


def test_remainder_at_upper_bound_is_complemented():
    t = _table(
        [
            ("department", "D", "D", 80.0, 20),
            ("team", "T1", "D", 100.0, 3),
            ("team", "T2", "D", 100.0, 3),
            ("team", "T3", "D", 60.0, 5),  # smallest shown sibling
            ("team", "T4", "D", 77.7777777778, 9),
        ]
    )
    t.loc[4, "pct"] = (80.0 * 20 - 100.0 * 6 - 60.0 * 5) / 9
    out = _run(t, bounds={"pct": (0, 100)})
    assert _suppressed(out, "team") == ["T1", "T2", "T3"]


def test_parent_is_suppressed_when_no_sibling_is_left():
    # Everyone in D is at 0%: any hidden team is pinned, whatever is added,
    # so D goes, which makes it a hidden part of the organisation.
    t = _table(
        [
            ("organisation", "organisation", None, 100 * 9 / 30, 30),
            ("department", "D", "D", 0.0, 10),
            ("department", "E", "E", 45.0, 20),
            ("team", "D1", "D", 0.0, 3),
            ("team", "D2", "D", 0.0, 7),
            ("team", "E1", "E", 45.0, 20),
        ]
    )
    out = _run(t, bounds={"pct": (0, 100)})
    by_unit = out.set_index("unit")["pct_suppressed"]
    assert by_unit[["D", "D1", "D2"]].all()
    # D alone under the organisation is one part: E (the only sibling) is
    # hidden too, and then the organisation remainder (30%) is inside.
    assert by_unit["E"] and by_unit["E1"]
    assert not by_unit["organisation"]
    assert audit_figures(_published(out)).recoverable == 0


def test_unattributed_respondents_are_a_hidden_part():
    # D has 12 respondents, its teams 4 + 6: two without a team.
    t = _table(
        [
            ("department", "D", "D", 50.0, 12),
            ("team", "T1", "D", 25.0, 4),
            ("team", "T2", "D", 50.0, 6),
        ]
    )
    t.loc[0, "pct"] = (25.0 * 4 + 50.0 * 6 + 100.0 * 1) / 12
    out = _run(t, bounds={"pct": (0, 100)})
    # T1 and the two without a team hide each other; T2 stays.
    assert _suppressed(out, "team") == ["T1"]
    # Alone, a team-less group below k is a hidden part that needs a partner.
    t2 = _table(
        [
            ("department", "D", "D", 50.0, 12),
            ("team", "T1", "D", 50.0, 5),
            ("team", "T2", "D", 50.0, 5),
        ]
    )
    assert _suppressed(_run(t2, bounds={"pct": (0, 100)}), "team") == ["T1"]
    assert audit_figures(_published(_run(t2, bounds={"pct": (0, 100)}))).recoverable == 0
    # ... but a team-less group of k or more could be shown itself.
    t3 = _table(
        [
            ("department", "D", "D", 50.0, 15),
            ("team", "T1", "D", 50.0, 5),
            ("team", "T2", "D", 50.0, 5),
        ]
    )
    assert _suppressed(_run(t3, bounds={"pct": (0, 100)}), "team") == []


def test_mean_figure_uses_its_own_bounds():
    t = pd.DataFrame(
        {
            "level": ["department", "team", "team", "team"],
            "unit": ["D", "T1", "T2", "T3"],
            "department": ["D", "D", "D", "D"],
            "score": [(5 * 3 + 5 * 3 + 3.0 * 10) / 16, 5.0, 5.0, 3.0],
            "n": [16, 3, 3, 10],
        }
    )
    out = suppress(t, figures={"score": "n"}, bounds={"score": (1, 5)})
    assert out["score_suppressed"].tolist() == [False, True, True, True]
    # On a 0-10 scale 5 is no bound: T3 stays.
    out = suppress(t, figures={"score": "n"}, bounds={"score": (0, 10)})
    assert out["score_suppressed"].tolist() == [False, True, True, False]


def test_bounds_must_name_figures_and_be_ordered():
    t = _table([("organisation", "organisation", None, 1.0, 10)])
    with pytest.raises(ValueError, match=r"bounds given for \['x'\]"):
        suppress(t, figures={"pct": "n"}, bounds={"x": (0, 1)})
    with pytest.raises(ValueError, match="lower < upper"):
        suppress(t, figures={"pct": "n"}, bounds={"pct": (5, 5)})


# --- the audit --------------------------------------------------------------------


def test_audit_recovers_a_single_hidden_cell_exactly():
    t = _table(
        [
            ("organisation", "organisation", None, 40.0, 20),
            ("department", "A", "A", 25.0, 4),
            ("department", "B", "B", 43.75, 16),
        ]
    )
    published = _published(t.assign(pct_suppressed=[False, True, False]))
    published.loc[1, "value"] = np.nan
    res = audit_figures(published)
    assert res.recoverable == 1 and res.figures_suppressed == 1
    row = res.offending.iloc[0]
    assert (row["unit"], row["kind"], row["problem"]) == ("A", "cell", "exact")
    assert row["low"] == pytest.approx(25.0) and row["high"] == pytest.approx(25.0)
    assert "A is exact" in res.message()


def test_audit_solves_nested_hidden_cells_with_linprog():
    # B hidden with its teams; the organisation's and B's equations interlock.
    rows = [
        ("organisation", "organisation", None, 50.0, 30, False),
        ("department", "A", "A", 50.0, 10, True),
        ("department", "B", "B", 50.0, 10, True),
        ("department", "C", "C", 50.0, 10, False),
        ("team", "B1", "B", 0.0, 5, True),
        ("team", "B2", "B", 100.0, 5, True),
    ]
    t = pd.DataFrame(rows, columns=["level", "unit", "department", "pct", "n", "pct_suppressed"])
    t.loc[t["pct_suppressed"], "pct"] = np.nan
    res = audit_figures(_published(t))
    assert res.recoverable == 0
    assert res.figures_checked == 4 + 2  # A, B, B1, B2 + two remainders
    # Now show A: B = 50 exactly from the organisation, its teams still free.
    t.loc[1, ["pct", "pct_suppressed"]] = [50.0, False]
    res = audit_figures(_published(t))
    assert res.offending[["unit", "problem"]].values.tolist() == [["B", "exact"]]


def test_audit_flags_a_hidden_parent_given_by_its_children():
    t = pd.DataFrame(
        [
            ("department", "D", "D", np.nan, 10, True),
            ("team", "T1", "D", 20.0, 5, False),
            ("team", "T2", "D", 40.0, 5, False),
        ],
        columns=["level", "unit", "department", "pct", "n", "pct_suppressed"],
    )
    res = audit_figures(_published(t))
    assert res.offending[["unit", "problem"]].values.tolist() == [["D", "exact"]]


# --- property-based: the rule on random hierarchies -------------------------------

_answers = st.sampled_from(["random", "all_low", "all_high", "all_equal"])


@st.composite
def _organisations(draw):
    """Departments with teams (sizes 0..12, some team-less respondents) and
    each respondent's 1-5 answer."""
    mode = draw(_answers)
    depts = []
    for d in range(draw(st.integers(1, 4))):
        teams = []
        for t in range(draw(st.integers(0, 4))):
            size = draw(st.integers(0, 12))
            teams.append((f"T{d}{t}", size))
        loose = draw(st.integers(0, 3))
        depts.append((f"D{d}", teams, loose))
    sizes = [s for _, teams, loose in depts for s in [*(n for _, n in teams), loose]]
    total = sum(sizes)
    if mode == "random":
        answers = draw(st.lists(st.integers(1, 5), min_size=total, max_size=total))
    else:
        answers = [{"all_low": 1, "all_high": 5, "all_equal": 3}[mode]] * total
    return depts, answers, draw(st.integers(3, 6))


def _hierarchy(depts, answers):
    """A table with a percentage (answers >= 4) and a 1-5 mean per unit."""
    rows, it = [], iter(answers)
    every = []
    for dept, teams, loose in depts:
        dept_answers = []
        for team, n in teams:
            a = [next(it) for _ in range(n)]
            dept_answers += a
            rows.append(("team", team, dept, a))
        dept_answers += [next(it) for _ in range(loose)]
        rows.append(("department", dept, dept, dept_answers))
        every += dept_answers
    rows.append(("organisation", "organisation", None, every))
    return pd.DataFrame(
        {
            "level": [r[0] for r in rows],
            "unit": [r[1] for r in rows],
            "department": [r[2] for r in rows],
            "pct": [100 * np.mean(np.array(r[3]) >= 4) if r[3] else np.nan for r in rows],
            "mean": [np.mean(r[3]) if r[3] else np.nan for r in rows],
            "n": [len(r[3]) for r in rows],
        }
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_organisations())
def test_property_nothing_recoverable_after_suppress(org):
    depts, answers, k = org
    t = _hierarchy(depts, answers)
    bounds = {"pct": (0.0, 100.0), "mean": (1.0, 5.0)}
    out = suppress(t, figures={"pct": "n", "mean": "n"}, bounds=bounds, min_group_size=k)
    # Primary rule: every group below k (0 included) is hidden.
    assert out.loc[t["n"] < k, "pct_suppressed"].all()
    # One decision for both figures that share the group size.
    assert (out["pct_suppressed"] == out["mean_suppressed"]).all()
    # Nothing can be recovered, for either figure.
    for figure in ("pct", "mean"):
        res = audit_figures(_published(out, figure=figure, bounds=bounds[figure]), min_group_size=k)
        assert res.recoverable == 0, res.message()
    # Deterministic and independent of row order.
    shuffled = t.sample(frac=1.0, random_state=1)
    again = suppress(shuffled, figures={"pct": "n", "mean": "n"}, bounds=bounds, min_group_size=k)
    assert again.loc[t.index, "pct_suppressed"].tolist() == out["pct_suppressed"].tolist()


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(1, 20), min_size=2, max_size=6),
    st.data(),
)
def test_property_one_level_intervals_are_never_degenerate(sizes, data):
    """The docstring's claim: >= 2 non-empty hidden parts with a remainder
    strictly inside the bounds leave every part a proper interval."""
    values = [data.draw(st.floats(0, 100)) for _ in sizes]
    n = np.array(sizes, dtype=float)
    v = np.array(values)
    rest = (n * v).sum() / n.sum()
    assume(1e-3 < rest < 100 - 1e-3)
    t = pd.DataFrame(
        {
            "level": ["department"] + ["team"] * len(sizes),
            "unit": ["D"] + [f"T{i}" for i in range(len(sizes))],
            "department": "D",
            "pct": [rest, *values],
            "n": [n.sum(), *sizes],
            "pct_suppressed": [False] + [True] * len(sizes),
        }
    )
    t.loc[t["pct_suppressed"], "pct"] = np.nan
    res = audit_figures(_published(t))
    assert res.recoverable == 0, res.message()


def test_suppression_mask_rejects_bounds_without_values():
    with pytest.raises(ValueError, match="without values"):
        suppression_mask(["team"], ["D"], ["T"], [3], bounds={"x": (0, 1)})


def test_weighted_share_is_checked_with_its_own_weights():
    # A share of use cases: the privacy group is 'n' (leaders), the share's
    # weight is the use cases. A (no use case) and B hidden hold 3 use
    # cases, none trained: 10 - 4 - 6 of 23 - 8 - 12.
    level = ["organisation", "department", "department", "department", "department"]
    unit = ["organisation", "A", "B", "C", "D"]
    n = [40, 3, 6, 15, 16]
    share = [100 * 10 / 23, np.nan, 0.0, 50.0, 50.0]  # % trained
    cases = [23, 0, 3, 8, 12]
    common = dict(values={"s": share}, bounds={"s": (0, 100)}, min_group_size=5)
    by_size = suppression_mask(level, unit, unit, n, **common)
    by_cases = suppression_mask(level, unit, unit, n, weights={"s": cases}, **common)
    assert by_size.tolist() == [False, True, True, False, False]  # A primary, B next
    # Weighted by use cases the remainder is 0%: C is hidden too.
    assert by_cases.tolist() == [False, True, True, True, False]
