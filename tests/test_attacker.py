"""An attacker with everything one run publishes tries to undo suppression.

The attacker reads what a reader gets — the CSV of ``aiadopt kpis`` and
``aiadopt measures`` (full precision) and the tables of the published HTML
reports — and, for every additive figure, subtracts the shown children from
their shown parent (organisation -> departments -> teams). A hidden part is
*recovered* when it is the only non-empty hidden part under its parent, and
a group of hidden people is *pinned* when their remainder sits at a bound of
the figure (0% / 100% of a percentage, 1 / 5 of a mean). Neither may happen.

This file does not use :mod:`aiadopt.privacy`: it is the independent check
of what that module promises. It runs on the sample organisation and on
crafted ones (a team whose rows are all employees, a department only in the
process catalogue, one leader next to an empty team, all-equal answers).
"""

from __future__ import annotations

import html.parser
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aiadopt.cli import main
from aiadopt.labels import label

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
K = 5

#: Additive figures the attacker knows the bounds of (statistic -> bounds).
BOUNDS = {
    "leadership_adoption_pct": (0.0, 100.0),
    "pct_qualified": (0.0, 100.0),
    "favourability_pct": (0.0, 100.0),
    "score_mean": (1.0, 5.0),
    "score_0_100": (0.0, 100.0),
    "pct": (0.0, 100.0),
}


# --- the attack -------------------------------------------------------------------


def _subtract(
    units: pd.DataFrame, lo: float, hi: float, rel: float, absolute: float = 0.0
) -> list[str]:
    """Parent minus shown children for one figure of one period.

    ``units``: level, unit, department, n, value (NaN = hidden). ``rel`` is
    the relative rounding of the published values (the attacker allows for
    it), ``absolute`` their absolute rounding. Returns what the attacker
    learns, in words.
    """
    found: list[str] = []
    org = units[units["level"] == "organisation"]
    depts = units[units["level"] == "department"]
    families = []
    if len(org):
        families.append((org.iloc[0], depts))
    for _, d in depts.iterrows():
        teams = units[(units["level"] == "team") & (units["department"] == d["unit"])]
        families.append((d, teams))
    for parent, children in families:
        n_p = parent["n"]
        if not n_p > 0:
            continue
        kids = children[children["n"] > 0]
        shown = kids[kids["value"].notna()]
        hidden = kids[kids["value"].isna()]
        n_u = n_p - children["n"].sum()
        n_h = hidden["n"].sum() + max(n_u, 0)
        if np.isnan(parent["value"]):
            # A hidden parent whose parts are all shown is their sum.
            if len(hidden) == 0 and n_u <= 0 and len(shown):
                found.append(f"{parent['unit']} recovered from its parts")
            continue
        if n_h <= 0:
            continue
        total = n_p * parent["value"] - (shown["n"] * shown["value"]).sum()
        err = rel * (n_p * abs(parent["value"]) + (shown["n"] * shown["value"].abs()).sum())
        err += absolute * (n_p + shown["n"].sum())
        rest = total / n_h
        slack = err / n_h + 1e-9 * (hi - lo)
        parts = len(hidden) + (n_u > 0)
        where = f"{parent['level']} {parent['unit']}"
        if parts == 1 and not (len(hidden) == 0 and n_u >= K):
            who = hidden["unit"].iloc[0] if len(hidden) else "its respondents without a team"
            found.append(f"{where}: {who} recovered exactly = {rest:.4g}")
        if rest <= lo + slack or rest >= hi - slack:
            names = ", ".join(hidden["unit"]) or "respondents without a team"
            found.append(f"{where}: hidden {names} all at {rest:.4g} (n={n_h:g})")
    return found


def attack(frames: list[pd.DataFrame], *, rel: float, absolute: float = 0.0) -> list[str]:
    """Attack long tables: period, figure, statistic, level, unit,
    department, n, value."""
    found = []
    table = pd.concat(frames, ignore_index=True)
    for (period, figure, stat), g in table.groupby(["period", "figure", "statistic"]):
        lo, hi = BOUNDS[stat]
        found += [f"{period} {figure}: {f}" for f in _subtract(g, lo, hi, rel, absolute)]
    return found


# --- reading the CLI outputs --------------------------------------------------------


def _cli_csv(args: list[str], path: Path) -> pd.DataFrame:
    assert main([*args, "--format", "csv", "--out", str(path)]) == 0
    return pd.read_csv(path, keep_default_na=False, na_values=[""], dtype={"department": str})


def cli_figures(data: Path, tmp: Path, period: str) -> list[pd.DataFrame]:
    kpis = _cli_csv(["kpis", "--data", str(data), "--period", period], tmp / "kpis.csv")
    k = pd.DataFrame(
        {
            "period": kpis["period"].astype(str),
            "figure": "kpis",
            "statistic": "leadership_adoption_pct",
            "level": kpis["level"],
            "unit": kpis["unit"],
            "department": kpis["department"],
            "n": kpis["n_leaders"].astype(float),
            "value": kpis["leadership_adoption_pct"].astype(float),
        }
    )
    m = _cli_csv(
        ["measures", "--data", str(data), "--period", period, "--n-boot", "10"],
        tmp / "measures.csv",
    )
    m = m[m["statistic"].isin(list(BOUNDS))]
    meas = pd.DataFrame(
        {
            "period": m["period"].astype(str),
            "figure": m["measure"] + ":" + m["key"].astype(str),
            "statistic": m["statistic"],
            "level": m["level"],
            "unit": m["unit"],
            "department": m["department"],
            "n": m["n"].astype(float),
            "value": m["value"].astype(float),
        }
    )
    return [k, meas]


# --- crafted organisations -----------------------------------------------------------


def _copy(tmp: Path) -> Path:
    data = tmp / "data"
    shutil.copytree(SAMPLE, data)
    return data


def _survey(data: Path) -> pd.DataFrame:
    return pd.read_csv(data / "survey.csv", dtype=str, keep_default_na=False)


def craft_empty_team(data: Path) -> None:
    """A team whose rows are all employees: no leader group at all."""
    s = _survey(data)
    s.loc[s["team"] == "Sales Partners", "role"] = "employee"
    s.to_csv(data / "survey.csv", index=False)


def craft_catalogue_only_department(data: Path) -> None:
    """A department that appears only in the process catalogue."""
    p = pd.read_csv(data / "processes.csv", dtype=str, keep_default_na=False)
    extra = pd.DataFrame({"department": ["Compliance"] * 2, "process": ["Audit", "Toezicht"]})
    extra["core"] = "true"
    pd.concat([p, extra]).to_csv(data / "processes.csv", index=False)


def craft_single_leader_next_to_empty_team(data: Path) -> None:
    """In the latest wave, Klantenservice Klachten has one leader and
    Klantenservice Particulier none (its other four teams are shown): the
    old rule took the empty team as the "second" suppressed part, and the
    department minus the shown teams gave the one leader's answer."""
    s = _survey(data)
    latest = s["wave"].max()
    for team, keep in (("Klantenservice Klachten", 1), ("Klantenservice Particulier", 0)):
        rows = s.index[(s["wave"] == latest) & (s["team"] == team) & (s["role"] == "leader")]
        s.loc[rows[keep:], "role"] = "employee"
    s.to_csv(data / "survey.csv", index=False)


def craft_all_equal_answers(data: Path) -> None:
    """Every leader uses AI daily and scores 5; every culture item is 4."""
    s = _survey(data)
    for col in s.columns:
        if col.startswith("comp_"):
            s[col] = s[col].where(s[col] == "", "5")
        elif col.startswith(("culture_", "pillar_")):
            s[col] = s[col].where(s[col] == "", "4")
    s["ai_use_frequency"] = s["ai_use_frequency"].where(s["ai_use_frequency"] == "", "daily")
    s["ai_skill_level"] = s["ai_skill_level"].where(s["ai_skill_level"] == "", "user")
    s.to_csv(data / "survey.csv", index=False)


CRAFTED = {
    "empty_team": craft_empty_team,
    "catalogue_only_department": craft_catalogue_only_department,
    "single_leader_next_to_empty_team": craft_single_leader_next_to_empty_team,
    "all_equal_answers": craft_all_equal_answers,
}


def _latest(data: Path) -> str:
    return str(_survey(data)["wave"].max())


@pytest.fixture(scope="module")
def sample_cli_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def sample_cli(sample_cli_dir):
    return cli_figures(SAMPLE, sample_cli_dir, _latest(SAMPLE))


def trained_counts_attack(measures: pd.DataFrame) -> list[str]:
    """Use-case counts of the trained-leader ROI add up over departments:
    organisation minus shown departments gives the hidden departments'
    trained and classified use cases; all or none trained pins them."""
    m = measures[measures["measure"] == "trained_roi"]
    n = m.pivot_table(index=["level", "unit"], columns="key", values="n", aggfunc="first")
    org = n.loc[("organisation", "organisation")]
    depts = n.loc["department"]
    shown = depts.dropna(subset=["trained", "ratio"])
    if len(shown) == len(depts):
        return []
    trained = org["trained"] - shown["trained"].sum()
    classified = org["ratio"] - shown["ratio"].sum()
    if classified > 0 and trained in (0, classified):
        hidden = ", ".join(sorted(set(depts.index) - set(shown.index)))
        return [f"{hidden}: {trained:g} of {classified:g} use cases trained"]
    return []


def test_trained_use_case_counts_are_not_pinned(sample_cli, sample_cli_dir):
    # On the sample the old rule hid Legal and Sales only, whose 4 use
    # cases then all came out untrained (34 - 34 of 87 - 83).
    measures = pd.read_csv(sample_cli_dir / "measures.csv", keep_default_na=False, na_values=[""])
    assert not trained_counts_attack(measures)
    hidden = measures[(measures["measure"] == "trained_roi") & measures["suppressed"]]
    assert len(set(hidden["unit"])) >= 2


def test_cli_outputs_of_the_sample_give_nothing_away(sample_cli):
    found = attack(sample_cli, rel=5e-6)
    assert not found, "\n".join(found[:20])


def test_sales_change_competency_is_not_pinned(sample_cli):
    """The issue's example: Sales' small teams at "all 0%" (change)."""
    m = sample_cli[1]
    m = m[(m["figure"] == "competency_gap:change") & (m["statistic"] == "pct_qualified")]
    sales = m[(m["department"] == "Sales")].set_index("unit")
    assert sales.loc["Sales", "value"] == pytest.approx(35.0)
    # Binnendienst (70% of 10 = all 7 qualified) is hidden with its siblings.
    assert np.isnan(sales.loc["Sales Binnendienst", "value"])
    assert not _subtract(m.reset_index(drop=True), 0.0, 100.0, 5e-6)


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_cli_outputs_of_crafted_organisations_give_nothing_away(tmp_path, name):
    data = _copy(tmp_path)
    CRAFTED[name](data)
    found = attack(cli_figures(data, tmp_path, _latest(data)), rel=5e-6)
    measures = pd.read_csv(tmp_path / "measures.csv", keep_default_na=False, na_values=[""])
    found += trained_counts_attack(measures)
    assert not found, "\n".join(found[:20])


# --- the published HTML of a report run ------------------------------------------------


class _Tables(html.parser.HTMLParser):
    """Every ``<table>`` as a list of rows of cell texts (header row first)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _tables(path: Path) -> list[pd.DataFrame]:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    out = []
    for rows in parser.tables:
        if len(rows) >= 2 and all(len(r) == len(rows[0]) for r in rows):
            out.append(pd.DataFrame(rows[1:], columns=rows[0]))
    return out


def _number(text: str) -> float:
    """A shown number (English report: ``1,234.5``); hidden -> NaN."""
    text = text.replace(",", "").replace("%", "").strip()
    try:
        return float(text)
    except ValueError:
        return np.nan


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    from aiadopt.report.runner import run_reports

    base = tmp_path_factory.mktemp("attack")
    result = run_reports(SAMPLE, out=base / "reports", workers=2, n_boot=50, progress=False)
    assert result.ok, [(r.title, r.reason) for r in result.failures]
    return result


def html_figures(directory: Path) -> pd.DataFrame:
    """Leadership adoption as the HTML reports show it: the organisation's
    value (its KPI table), each department's (the departments table) and
    each team's with its leaders (the department reports' teams tables)."""
    t = {k: label(k, "en") for k in ("kpi.leadership_adoption_pct", "report.value")}
    team_col, leaders_col = label("report.team", "en"), label("report.leaders", "en")
    dept_col = label("report.department", "en")
    adoption = t["kpi.leadership_adoption_pct"]
    rows = []
    org_tables = _tables(directory / "organisation.html")
    kpi = next(x for x in org_tables if t["report.value"] in x.columns)
    org_value = _number(kpi.loc[kpi.iloc[:, 0] == adoption, t["report.value"]].iloc[0])
    depts = next(x for x in org_tables if dept_col in x.columns and adoption in x.columns)
    for path in sorted(directory.glob("department-*.html")):
        teams = next(
            (x for x in _tables(path) if team_col in x.columns and leaders_col in x.columns), None
        )
        if teams is None:
            continue
        dept = next(d for d in depts[dept_col] if f"department-{d.lower()}.html" == path.name)
        n = teams[leaders_col].map(_number)
        rows.append(
            {
                "level": "department",
                "unit": dept,
                "department": dept,
                "n": n.sum(),
                "value": _number(depts.loc[depts[dept_col] == dept, adoption].iloc[0]),
            }
        )
        for team, v, size in zip(teams[team_col], teams[adoption].map(_number), n, strict=True):
            rows.append({"level": "team", "unit": team, "department": dept, "n": size, "value": v})
    frame = pd.DataFrame(rows)
    org = {"level": "organisation", "unit": "organisation", "department": None}
    org.update(n=frame.loc[frame["level"] == "department", "n"].sum(), value=org_value)
    frame = pd.concat([pd.DataFrame([org]), frame], ignore_index=True)
    return frame.assign(period="run", figure="html", statistic="leadership_adoption_pct")


def test_published_html_of_a_run_gives_nothing_away(sample_run):
    figures = html_figures(sample_run.directory)
    assert (figures["level"] == "team").sum() > 10
    assert figures["value"].isna().any()  # there is something to attack
    # Shown with one decimal: the attacker allows for rounding by 0.05.
    found = attack([figures], rel=0.0, absolute=0.05)
    assert not found, "\n".join(found)


def test_manifest_records_the_privacy_audit(sample_run):
    manifest = json.loads((sample_run.directory / "manifest.json").read_text())
    privacy = manifest["privacy"]
    assert privacy["min_group_size"] == K and privacy["recoverable"] == 0
    assert privacy["figures_suppressed"] > 0
    assert privacy["figures_checked"] > 0


# --- one decision per run, and a run that would disclose is refused -----------------


def test_one_decision_for_cli_outputs_and_reports(sample_cli):
    """The run's audited figures (what the reports show) hide exactly the
    cells the CLI outputs hide, whatever the language or bootstrap."""
    from aiadopt import load
    from aiadopt.measures import compute_measures
    from aiadopt.privacy import compute_suppression

    data = load(SAMPLE)
    period = _latest(SAMPLE)
    plan = compute_suppression(data, period=period, months=1)
    plan = plan[plan["lower"].notna()]
    cli = pd.concat(sample_cli, ignore_index=True)
    cli_key = cli["figure"] + ":" + cli["statistic"]
    cli = cli.assign(key=cli_key, hidden=cli["value"].isna() & (cli["n"] > 0))
    plan = plan.assign(key=plan["figure"], hidden=plan["suppressed"] & (plan["n"] > 0))
    on = ["key", "level", "unit", "department"]
    both = cli.merge(plan, on=on, how="outer", indicator=True, suffixes=("_cli", "_run"))
    assert (both["_merge"] == "both").all()
    assert (both["hidden_cli"] == both["hidden_run"]).all()
    assert both["hidden_run"].any()
    a = compute_measures(data, period=period, n_boot=3, seed=1)
    b = compute_measures(data, period=period, n_boot=1)
    assert a["suppressed"].tolist() == b["suppressed"].tolist()


def test_report_run_that_would_disclose_is_refused(tmp_path, monkeypatch, capsys):
    """With value checks switched off (the old rule), the audit finds the
    Sales-type remainders and ``aiadopt report`` publishes nothing."""
    import aiadopt.measures as measures
    from aiadopt.privacy import suppression_mask

    def size_rule_only(*args, bounds=None, **kwargs):
        return suppression_mask(*args, **kwargs)

    monkeypatch.setattr(measures, "suppression_mask", size_rule_only)
    out = tmp_path / "reports"
    code = main(["report", "--data", str(SAMPLE), "--out", str(out), "--n-boot", "10"])
    assert code == 2
    err = capsys.readouterr().err
    assert "privacy audit failed" in err and "nothing was published" in err
    assert re.search(r"competency_gap:\w+:pct_qualified: \w+ of (team|department) .* is ", err)
    assert not out.exists() or not any(p for p in out.iterdir() if not p.name.startswith("."))
