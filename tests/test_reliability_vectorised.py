"""Cronbach's alpha of many groups at once (``cronbach_alpha_groups``, and
the alpha rows of ``compute_culture``) against pingouin, group by group."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import aiadopt
from aiadopt.measures import compute_culture
from aiadopt.reliability import cronbach_alpha, cronbach_alpha_groups
from aiadopt.sample import write_sample

pg = pytest.importorskip("pingouin")


def _scale(rng, n, k, *, missing):
    factor = rng.normal(size=(n, 1))
    x = np.clip(np.rint(3 + factor + rng.normal(scale=0.9, size=(n, k))), 1, 5)
    drop = rng.random((n, k)) < missing
    x[drop] = np.nan
    return pd.DataFrame(x, columns=[f"item_{i + 1}" for i in range(k)])


@pytest.mark.parametrize("k, missing", [(2, 0.0), (3, 0.1), (5, 0.25)])
def test_each_group_equals_pingouin(rng, k, missing):
    items = _scale(rng, 900, k, missing=missing)
    groups = rng.choice(["Finance", "HR", "IT", "Legal", "Sales", "Ops"], size=len(items))
    table = cronbach_alpha_groups(items, groups)
    assert list(table.index) == sorted(set(groups))
    for name, row in table.iterrows():
        own = items[groups == name]
        own = own[own.notna().any(axis=1)]
        ref_alpha, ref_ci = pg.cronbach_alpha(data=own)
        assert abs(row["alpha"] - ref_alpha) < 1e-10
        assert round(row["ci_low"], 3) == pytest.approx(ref_ci[0], abs=1e-9)
        assert round(row["ci_high"], 3) == pytest.approx(ref_ci[1], abs=1e-9)
        assert row["n"] == len(own)
        assert row["reason"] == ""


def test_listwise_groups_equal_pingouin(rng):
    items = _scale(rng, 600, 4, missing=0.1)
    groups = rng.integers(0, 4, size=len(items))
    table = cronbach_alpha_groups(items, groups, nan_policy="listwise")
    for name, row in table.iterrows():
        own = items[groups == name]
        ref_alpha, _ = pg.cronbach_alpha(data=own, nan_policy="listwise")
        assert abs(row["alpha"] - ref_alpha) < 1e-10
        assert row["n"] == int(own.notna().all(axis=1).sum())


def test_groups_that_cannot_be_estimated_say_why_as_the_single_function():
    items = pd.DataFrame(
        {
            # ok: 4 respondents; few: 2 complete; flat: no variance;
            # apart: the two items never answered together.
            "a": [1, 2, 3, 4, 1, 2, np.nan, 3, 3, 3, 1, 2, np.nan, np.nan, 1],
            "b": [2, 2, 4, 5, 2, np.nan, 3, 3, 3, 3, np.nan, np.nan, 3, 4, np.nan],
        }
    )
    groups = ["ok"] * 4 + ["few"] * 3 + ["flat"] * 3 + ["apart"] * 5
    table = cronbach_alpha_groups(items, groups)
    for name in ("ok", "few", "flat", "apart"):
        own = items[np.asarray(groups) == name]
        single = cronbach_alpha(own)
        assert table.loc[name, "reason"] == single.reason
        assert table.loc[name, "n"] == single.n
        assert np.isclose(
            table.loc[name, "alpha"], single.alpha, rtol=0, atol=1e-12, equal_nan=True
        )
    assert table["reason"].to_dict() == {
        "apart": "too_few_complete",
        "few": "too_few_complete",
        "flat": "no_variance",
        "ok": "",
    }
    one_item = cronbach_alpha_groups(items[["a"]], groups)
    assert set(one_item["reason"]) == {"too_few_items"}


def test_groups_must_match_the_rows():
    with pytest.raises(ValueError, match="groups has 2 values for 3 rows"):
        cronbach_alpha_groups(pd.DataFrame({"a": [1, 2, 3], "b": [1, 2, 3]}), ["x", "y"])


def test_culture_alpha_of_every_unit_equals_pingouin(tmp_path):
    # Teams of a few respondents, some answers missing: every unit's alpha
    # (organisation, departments, teams) is pingouin's on that unit's rows.
    write_sample(tmp_path, seed=5, n_respondents=400, n_waves=2, n_use_cases=60)
    survey = pd.read_csv(tmp_path / "survey.csv")
    items = [c for c in survey.columns if c.startswith(("culture_", "pillar_"))]
    blank = np.random.default_rng(1).random((len(survey), len(items))) < 0.08
    survey[items] = survey[items].mask(blank)
    survey.to_csv(tmp_path / "survey.csv", index=False)
    data = aiadopt.load(tmp_path)
    table = compute_culture(data, period="latest", min_group_size=3)
    wave = data.survey["wave"].max()
    sub = data.survey[data.survey["wave"] == wave]
    alpha = table[(table["statistic"] == "alpha") & table["value"].notna()]
    assert alpha["level"].nunique() == 3 and len(alpha) > 40
    for row in alpha.itertuples():
        if row.level == "organisation":
            rows = sub
        elif row.level == "department":
            rows = sub[sub["department"] == row.unit]
        else:
            rows = sub[(sub["department"] == row.department) & (sub["team"] == row.unit)]
        own = rows[list(data.items[f"{row.family}_{row.key}"])]
        own = own[own.notna().any(axis=1)]
        ref_alpha, ref_ci = pg.cronbach_alpha(data=own)
        assert abs(row.value - ref_alpha) < 1e-10, (row.level, row.unit, row.key)
        assert round(row.ci_low, 3) == pytest.approx(ref_ci[0], abs=1e-9)
